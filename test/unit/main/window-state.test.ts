import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  DEFAULT_WINDOW_SIZE,
  loadWindowState,
  placeWindow,
  saveWindowState,
  trackWindowState,
  windowStateFilePath,
  type Rectangle,
  type TrackedWindow,
  type WindowState,
} from '../../../main/window-state';

const laptop: Rectangle = { x: 0, y: 0, width: 1440, height: 875 };
const external: Rectangle = { x: 1440, y: -200, width: 2560, height: 1415 };
const saved: WindowState = {
  bounds: { x: 1600, y: 40, width: 1280, height: 900 },
  maximized: false,
};

let dir: string;
const warn = vi.fn();
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'helpdesk-window-'));
  warn.mockClear();
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadWindowState and saveWindowState', () => {
  it('has no state before the window was ever closed', () => {
    expect(loadWindowState(dir, warn)).toBeUndefined();
    expect(warn).not.toHaveBeenCalled();
  });

  it('reads back what was saved', async () => {
    saveWindowState(join(dir, 'new'), saved);
    expect(loadWindowState(join(dir, 'new'), warn)).toEqual(saved);
    expect(JSON.parse(await readFile(windowStateFilePath(join(dir, 'new')), 'utf8'))).toEqual(
      saved,
    );
  });

  it('reports a broken or invalid file, naming it, and falls back to the default size', async () => {
    await writeFile(windowStateFilePath(dir), '{ "bounds": ');
    expect(loadWindowState(dir, warn)).toBeUndefined();
    expect(warn).toHaveBeenLastCalledWith(
      expect.stringContaining(`${windowStateFilePath(dir)} is not valid JSON`),
    );

    for (const state of [
      { bounds: { x: 0, y: 0, width: 10, height: 10 }, maximized: false },
      { bounds: { x: 0.5, y: 0, width: 1000, height: 700 }, maximized: false },
      { bounds: { x: 0, y: 0, width: 1000, height: 700 } },
      { ...saved, extra: true },
      [],
    ]) {
      await writeFile(windowStateFilePath(dir), JSON.stringify(state));
      expect(loadWindowState(dir, warn), JSON.stringify(state)).toBeUndefined();
      expect(warn).toHaveBeenLastCalledWith(expect.stringContaining('is not valid'));
    }
  });

  it('refuses to save a state that is not one', () => {
    expect(() =>
      saveWindowState(dir, { bounds: { x: 0, y: 0, width: -1, height: 700 }, maximized: false }),
    ).toThrow();
  });
});

describe('placeWindow', () => {
  it('opens at the default size, centred, the first time', () => {
    expect(placeWindow(undefined, [laptop])).toEqual({ ...DEFAULT_WINDOW_SIZE, maximized: false });
  });

  it('puts the window back where it was when that is on a display', () => {
    expect(placeWindow(saved, [laptop, external])).toEqual({ ...saved.bounds, maximized: false });
    expect(placeWindow({ ...saved, maximized: true }, [laptop, external])).toMatchObject({
      x: 1600,
      maximized: true,
    });
  });

  it('keeps a window that hangs partly off a display, as long as enough of it shows', () => {
    const hanging: WindowState = {
      bounds: { x: 1200, y: 600, width: 1000, height: 700 },
      maximized: false,
    };
    expect(placeWindow(hanging, [laptop])).toMatchObject({ x: 1200, y: 600 });
  });

  it('lets the system centre a window whose display is gone, shrunk to fit the largest one left', () => {
    expect(placeWindow(saved, [laptop])).toEqual({ width: 1280, height: 875, maximized: false });
    const huge: WindowState = {
      bounds: { x: 5000, y: 0, width: 4000, height: 3000 },
      maximized: true,
    };
    expect(placeWindow(huge, [laptop, external])).toEqual({
      width: 2560,
      height: 1415,
      maximized: true,
    });
  });

  it('does not count a sliver on a display as visible', () => {
    const sliver: WindowState = {
      bounds: { x: 1400, y: 0, width: 1000, height: 700 },
      maximized: false,
    };
    expect(placeWindow(sliver, [laptop])).not.toHaveProperty('x');
  });
});

describe('trackWindowState', () => {
  function fakeTrackedWindow() {
    const listeners = new Map<string, () => void>();
    const window = {
      bounds: { x: 10.4, y: 20, width: 1200, height: 800 } as Rectangle,
      maximized: false,
      minimized: false,
      fullScreen: false,
      on: (event: string, listener: () => void) => listeners.set(event, listener),
      getNormalBounds: () => window.bounds,
      isMaximized: () => window.maximized,
      isMinimized: () => window.minimized,
      isFullScreen: () => window.fullScreen,
      emit: (event: string) => listeners.get(event)?.(),
    };
    return window;
  }

  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('saves the normal bounds and the maximized state when the window closes', () => {
    const window = fakeTrackedWindow();
    const save = vi.fn();
    trackWindowState(window satisfies TrackedWindow, save);
    window.maximized = true;
    window.emit('close');
    expect(save).toHaveBeenCalledExactlyOnceWith({
      bounds: { x: 10, y: 20, width: 1200, height: 800 },
      maximized: true,
    });
  });

  it('saves once after a burst of moves and resizes', () => {
    const window = fakeTrackedWindow();
    const save = vi.fn();
    trackWindowState(window, save, 500);
    window.emit('move');
    window.emit('resize');
    window.emit('move');
    expect(save).not.toHaveBeenCalled();
    vi.advanceTimersByTime(500);
    expect(save).toHaveBeenCalledTimes(1);
  });

  it('keeps the last good state while the window is minimized or full screen', () => {
    const window = fakeTrackedWindow();
    const save = vi.fn();
    trackWindowState(window, save);
    window.minimized = true;
    window.emit('close');
    window.minimized = false;
    window.fullScreen = true;
    window.emit('close');
    expect(save).not.toHaveBeenCalled();
  });

  it('does not let a failing save break closing the window', () => {
    const window = fakeTrackedWindow();
    const consoleWarn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    trackWindowState(window, () => {
      throw new Error('disk full');
    });
    expect(() => window.emit('close')).not.toThrow();
    expect(consoleWarn).toHaveBeenCalledWith(expect.stringContaining('disk full'));
    consoleWarn.mockRestore();
  });
});
