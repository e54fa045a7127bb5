// The `window.desk` bridge the preload exposes; optional, as the console also runs in a browser.

export interface DeskBridge {
  /** The server this desktop app talks to, e.g. `http://127.0.0.1:3000`. */
  getServerUrl(): Promise<string>;
  /** The server's `/healthz` answer, unparsed; rejects when the server cannot be reached. */
  getServerStatus(): Promise<unknown>;
  /** The desktop app's version. */
  getVersion(): Promise<string>;
}

declare global {
  interface Window {
    desk?: DeskBridge;
  }
}
