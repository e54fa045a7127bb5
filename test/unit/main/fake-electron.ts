// Test doubles for the parts of Electron the main process touches: handlers are captured so a
// test can call them the way Electron would.
import { vi } from 'vitest';

type Listener = (...args: unknown[]) => unknown;

/** A WebContents that records its listeners, window-open handler and session handlers. */
export function fakeWebContents(id = 1) {
  const listeners = new Map<string, Listener[]>();
  const session = {
    permissionHandler: null as Listener | null,
    headersHandler: null as Listener | null,
    setPermissionRequestHandler(handler: Listener) {
      session.permissionHandler = handler;
    },
    webRequest: {
      onHeadersReceived(handler: Listener) {
        session.headersHandler = handler;
      },
    },
  };
  const contents = {
    id,
    session,
    windowOpenHandler: null as ((details: { url: string }) => { action: string }) | null,
    on(event: string, listener: Listener) {
      listeners.set(event, [...(listeners.get(event) ?? []), listener]);
      return contents;
    },
    once(event: string, listener: Listener) {
      return contents.on(event, listener);
    },
    send: vi.fn(),
    setWindowOpenHandler(handler: (details: { url: string }) => { action: string }) {
      contents.windowOpenHandler = handler;
    },
    /** Emits an event the way Electron does: an event object first, then the arguments. */
    emit(event: string, ...args: unknown[]) {
      for (const listener of listeners.get(event) ?? []) listener({}, ...args);
    },
    /** Emits an event whose first argument can be prevented; reports whether it was. */
    emitPreventable(event: string, ...args: unknown[]): boolean {
      const preventDefault = vi.fn();
      for (const listener of listeners.get(event) ?? []) {
        listener({ preventDefault }, ...args);
      }
      return preventDefault.mock.calls.length > 0;
    },
  };
  return contents;
}

export type FakeWebContents = ReturnType<typeof fakeWebContents>;

/** A BrowserWindow double: records loads and its own listeners, with a fake WebContents. */
export function fakeWindow(id = 1) {
  const listeners = new Map<string, Listener[]>();
  const window = {
    webContents: fakeWebContents(id),
    destroyed: false,
    show: vi.fn(),
    maximize: vi.fn(),
    loadURL: vi.fn(async (_url: string) => undefined),
    loadFile: vi.fn(async (_file: string) => undefined),
    isDestroyed: () => window.destroyed,
    on(event: string, listener: Listener) {
      listeners.set(event, [...(listeners.get(event) ?? []), listener]);
      return window;
    },
    once(event: string, listener: Listener) {
      return window.on(event, listener);
    },
    emit(event: string, ...args: unknown[]) {
      for (const listener of listeners.get(event) ?? []) listener(...args);
    },
  };
  return window;
}

export type FakeWindow = ReturnType<typeof fakeWindow>;
