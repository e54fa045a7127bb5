// The `window.desk` bridge the preload exposes; optional, as the console also runs in a browser.

export interface DeskNotification {
  title: string;
  body: string;
  /** Clicking the notification opens this request (see `onOpenRequest`). */
  requestId?: string;
}

export interface DeskBridge {
  /** The server this desktop app talks to, e.g. `http://127.0.0.1:3000`. */
  getServerUrl(): Promise<string>;
  /** The server's `/healthz` answer, unparsed; rejects when the server cannot be reached. */
  getServerStatus(): Promise<unknown>;
  /** The desktop app's version. */
  getVersion(): Promise<string>;
  /**
   * Keeps the session token for this run and, where the OS keychain can encrypt it (Electron's
   * safeStorage), on disk for the next run: `stored` says whether it reached the disk. `null`
   * forgets it. Rejects a string that is not a session token.
   */
  saveSessionToken(token: string | null): Promise<{ stored: boolean }>;
  /** The token saved for this server, or null. */
  loadSessionToken(): Promise<string | null>;
  /** A desktop notification (title ≤ 120, body ≤ 500 characters); rejects other input. */
  notify(notification: DeskNotification): Promise<void>;
  /** The number of pending requests on the tray (tooltip, macOS title) and the dock/taskbar badge. */
  setPendingCount(count: number): Promise<void>;
  /**
   * Called with a request id when the agent clicks a notification that named one (the window has
   * been brought to the front). Returns a function that stops the calls.
   */
  onOpenRequest(callback: (requestId: string) => void): () => void;
}

declare global {
  interface Window {
    desk?: DeskBridge;
  }
}
