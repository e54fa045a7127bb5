// The `window.desk` bridge the preload exposes; optional, as the console also runs in a browser.

export interface DeskNotification {
  title: string;
  body: string;
  /** Clicking the notification opens this request (see `onOpenRequest`). */
  requestId?: string;
}

/** Where the app's server address comes from: the organisation, HELPDESK_SERVER_URL, the agent. */
export type DeskServerSource = 'managed' | 'environment' | 'saved';

export interface DeskServerSetting {
  /** Null until the agent chooses a server on the first-run screen. */
  serverUrl: string | null;
  source: DeskServerSource | null;
}

export type DeskChooseServerResult =
  | { ok: true; serverUrl: string }
  | {
      ok: false;
      /**
       * `fixed`: the organisation or the environment set the server (`detail` says which);
       * `unreachable`: nothing answered at its /healthz (`detail`: why); `not-help-desk`:
       * something answered, but not a Help Desk OTP server.
       */
      reason: 'fixed' | 'unreachable' | 'not-help-desk';
      detail: string;
    };

export interface DeskBridge {
  /** The server this desktop app talks to, e.g. `http://127.0.0.1:3000`; empty before one is chosen. */
  getServerUrl(): Promise<string>;
  /** The server's address and where it comes from (the first-run screen shows while it is null). */
  getServerSetting(): Promise<DeskServerSetting>;
  /**
   * Checks that a Help Desk OTP server answers at this address (its /healthz), saves it and opens
   * the console on it. Only the app's packaged pages may call it; rejects an address that is not a
   * plain http(s) URL.
   */
  chooseServer(serverUrl: string): Promise<DeskChooseServerResult>;
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
