// The desktop app's `window.desk` bridge, or the browser's stand-ins when the console runs at /agent.

export interface DesktopNotice {
  title: string;
  body: string;
  requestId?: string;
}

/** What the console needs from its host, whichever it is. */
export interface ConsoleHost {
  readonly kind: 'desktop' | 'browser';
  serverUrl(): Promise<string>;
  saveSessionToken(token: string | null): Promise<void>;
  loadSessionToken(): Promise<string | null>;
  /** Shown only while the console is not in front; clicking it opens the request. */
  notify(notice: DesktopNotice): void;
  setPendingCount(count: number): void;
  onOpenRequest(listener: (requestId: string) => void): () => void;
  /** Browsers ask for notification permission only from a user gesture, e.g. the sign-in click. */
  askNotificationPermission(): void;
}

/**
 * The bridge's type comes from preload/index.d.ts, which the renderer's tsconfig includes. Every
 * call but the first is looked up before use, so the console also works with an older desktop app.
 */
type DeskBridge = NonNullable<Window['desk']>;
type Bridge = Pick<DeskBridge, 'getServerUrl'> & Partial<DeskBridge>;

export const TOKEN_KEY = 'helpdesk-otp.agent-session';
const BASE_TITLE = 'Help Desk OTP';

export function pendingTitle(count: number): string {
  return count > 0 ? `(${count}) ${BASE_TITLE}` : BASE_TITLE;
}

/** Runs a bridge call whose failure the console can live with, without an unhandled rejection. */
function quietly(call: () => unknown): void {
  void Promise.resolve()
    .then(call)
    .catch(() => undefined);
}

export function createConsoleHost(win: Window & typeof globalThis = window): ConsoleHost {
  const desk = win.desk as Bridge | undefined;
  const listeners = new Set<(requestId: string) => void>();
  const inFront = () => win.document.visibilityState === 'visible' && win.document.hasFocus();
  const storage = () => {
    try {
      return win.sessionStorage;
    } catch {
      return undefined;
    }
  };

  return {
    kind: desk ? 'desktop' : 'browser',
    async serverUrl() {
      return desk ? desk.getServerUrl() : win.location.origin;
    },
    async saveSessionToken(token) {
      if (desk?.saveSessionToken) {
        await desk.saveSessionToken(token);
        return;
      }
      // In a browser the session lasts as long as the tab: never localStorage.
      if (token) storage()?.setItem(TOKEN_KEY, token);
      else storage()?.removeItem(TOKEN_KEY);
    },
    async loadSessionToken() {
      if (desk?.loadSessionToken) return desk.loadSessionToken();
      return storage()?.getItem(TOKEN_KEY) ?? null;
    },
    notify(notice) {
      if (inFront()) return;
      if (desk?.notify) {
        // A notification is a nicety: one the desktop refuses must not break the console.
        quietly(() => desk.notify?.(notice));
        return;
      }
      if (!('Notification' in win) || win.Notification.permission !== 'granted') return;
      const shown = new win.Notification(notice.title, {
        body: notice.body,
        ...(notice.requestId ? { tag: notice.requestId } : {}),
      });
      shown.onclick = () => {
        win.focus();
        if (notice.requestId) listeners.forEach((listener) => listener(notice.requestId!));
        shown.close();
      };
    },
    setPendingCount(count) {
      quietly(() => desk?.setPendingCount?.(count));
      win.document.title = pendingTitle(count);
    },
    onOpenRequest(listener) {
      listeners.add(listener);
      const fromDesktop = desk?.onOpenRequest?.(listener);
      return () => {
        listeners.delete(listener);
        fromDesktop?.();
      };
    },
    askNotificationPermission() {
      if (desk || !('Notification' in win)) return;
      if (win.Notification.permission === 'default') void win.Notification.requestPermission();
    },
  };
}
