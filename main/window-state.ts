// The main window's size, position and maximized state, remembered between runs as JSON in the
// user-data folder, and put back only where it is still visible on the displays there are now.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

const WINDOW_STATE_FILE_NAME = 'window-state.json';
export const DEFAULT_WINDOW_SIZE = { width: 1100, height: 760 } as const;
export const MIN_WINDOW_SIZE = { width: 640, height: 420 } as const;
/** How much of a window must lie on some display for it to be put back where it was. */
const MIN_VISIBLE = { width: 160, height: 80 } as const;

export interface Rectangle {
  x: number;
  y: number;
  width: number;
  height: number;
}

const coordinate = z.number().int().min(-100_000).max(100_000);
export const WindowStateSchema = z
  .object({
    bounds: z
      .object({
        x: coordinate,
        y: coordinate,
        width: z.number().int().min(MIN_WINDOW_SIZE.width).max(100_000),
        height: z.number().int().min(MIN_WINDOW_SIZE.height).max(100_000),
      })
      .strict(),
    maximized: z.boolean(),
  })
  .strict();
export type WindowState = z.infer<typeof WindowStateSchema>;

/** Where and how big to open the window: a position only when there is one to restore. */
export interface WindowPlacement {
  width: number;
  height: number;
  x?: number;
  y?: number;
  maximized: boolean;
}

export function windowStateFilePath(userDataDir: string): string {
  return join(userDataDir, WINDOW_STATE_FILE_NAME);
}

/**
 * The saved state, or undefined when there is none. Unlike the settings, a damaged file here is
 * not worth refusing to start over: it is reported and the window opens at the default size.
 */
export function loadWindowState(
  userDataDir: string,
  warn: (message: string) => void = (message) => console.warn(message),
): WindowState | undefined {
  const file = windowStateFilePath(userDataDir);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      warn(`Cannot read ${file}; using the default window size: ${(error as Error).message}`);
    }
    return undefined;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    warn(`${file} is not valid JSON; using the default window size: ${(error as Error).message}`);
    return undefined;
  }
  const parsed = WindowStateSchema.safeParse(json);
  if (!parsed.success) {
    warn(`${file} is not valid; using the default window size: ${z.prettifyError(parsed.error)}`);
    return undefined;
  }
  return parsed.data;
}

/** Writes through a temporary file, so a crash never leaves half a file behind. */
export function saveWindowState(userDataDir: string, state: WindowState): void {
  const file = windowStateFilePath(userDataDir);
  mkdirSync(userDataDir, { recursive: true });
  writeFileSync(`${file}.tmp`, `${JSON.stringify(WindowStateSchema.parse(state), null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

/**
 * Where to open the window, given the saved state and the work areas of today's displays: the
 * saved bounds when enough of them is on one display, else the saved size (shrunk to fit the
 * largest display) with the position left to the system, which centres the window.
 */
export function placeWindow(
  state: WindowState | undefined,
  workAreas: readonly Rectangle[],
): WindowPlacement {
  if (!state) return { ...DEFAULT_WINDOW_SIZE, maximized: false };
  const { bounds, maximized } = state;
  const visibleOnSome = workAreas.some((area) => {
    const overlap = intersection(bounds, area);
    return overlap.width >= MIN_VISIBLE.width && overlap.height >= MIN_VISIBLE.height;
  });
  if (visibleOnSome) return { ...bounds, maximized };
  const largest = [...workAreas].sort((a, b) => b.width * b.height - a.width * a.height)[0];
  return {
    width: largest
      ? Math.max(MIN_WINDOW_SIZE.width, Math.min(bounds.width, largest.width))
      : bounds.width,
    height: largest
      ? Math.max(MIN_WINDOW_SIZE.height, Math.min(bounds.height, largest.height))
      : bounds.height,
    maximized,
  };
}

function intersection(a: Rectangle, b: Rectangle): { width: number; height: number } {
  const width = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const height = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return { width: Math.max(0, width), height: Math.max(0, height) };
}

/** The part of a BrowserWindow that window state is read from. */
export interface TrackedWindow {
  on(event: 'resize' | 'move' | 'close', listener: () => void): unknown;
  getNormalBounds(): Rectangle;
  isMaximized(): boolean;
  isMinimized(): boolean;
  isFullScreen(): boolean;
}

/** Saves the window's state when it closes and, debounced, while it is moved or resized. */
export function trackWindowState(
  window: TrackedWindow,
  save: (state: WindowState) => void,
  debounceMs = 1000,
): void {
  let timer: NodeJS.Timeout | undefined;
  const capture = () => {
    // Minimized or full screen are passing states: keep what was saved before them.
    if (window.isMinimized() || window.isFullScreen()) return;
    const normal = window.getNormalBounds();
    const state = WindowStateSchema.safeParse({
      bounds: {
        x: Math.round(normal.x),
        y: Math.round(normal.y),
        width: Math.round(normal.width),
        height: Math.round(normal.height),
      },
      maximized: window.isMaximized(),
    });
    if (!state.success) return;
    try {
      save(state.data);
    } catch (error) {
      console.warn(`The window position could not be saved: ${(error as Error).message}`);
    }
  };
  const later = () => {
    clearTimeout(timer);
    timer = setTimeout(capture, debounceMs);
  };
  window.on('resize', later);
  window.on('move', later);
  window.on('close', () => {
    clearTimeout(timer);
    capture();
  });
}
