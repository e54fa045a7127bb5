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
    setWindowOpenHandler(handler: (details: { url: string }) => { action: string }) {
      contents.windowOpenHandler = handler;
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
