// What counts as the app's own content (its packaged renderer files, the server's origin) and the
// policies that follow from it: where a window may navigate, which permissions it gets, its CSP.

export interface AppOriginOptions {
  /** `file:` URL of the folder holding the packaged renderer, ending in `/`. */
  rendererDirUrl: string;
  /** The agent server, e.g. `http://127.0.0.1:3000`; null before one is chosen (first run). */
  serverUrl: string | null;
  /** The renderer's dev server while developing (electron-vite's `ELECTRON_RENDERER_URL`). */
  devServerUrl?: string | undefined;
}

export interface AppOrigin {
  /** The server's origin; null before one is chosen. */
  readonly serverOrigin: string | null;
  /** True for a URL of the packaged renderer, the server or the dev server, and nothing else. */
  isAppUrl(url: string): boolean;
  /**
   * Narrower: the console itself (the packaged renderer, the dev server, or the server's
   * `/agent/` pages), not the server's other pages such as the end-user sign-in. Only the
   * console may use the desktop bridge.
   */
  isConsoleUrl(url: string): boolean;
  /**
   * Narrower still: the app's own packaged renderer (or the dev server while developing), never a
   * page the server sent. Only it may change which server the app talks to.
   */
  isPackagedUrl(url: string): boolean;
}

export function createAppOrigin(options: AppOriginOptions): AppOrigin {
  const rendererDir = new URL(options.rendererDirUrl);
  if (rendererDir.protocol !== 'file:' || !rendererDir.pathname.endsWith('/')) {
    throw new Error(
      `The renderer folder must be a file: URL ending in "/": ${options.rendererDirUrl}`,
    );
  }
  const server = options.serverUrl === null ? null : new URL(options.serverUrl);
  const webOrigins = new Set(server ? [server.origin] : []);
  if (options.devServerUrl) webOrigins.add(new URL(options.devServerUrl).origin);

  const consolePath = server ? `${server.pathname.replace(/\/+$/, '')}/agent/` : null;
  const devOrigin = options.devServerUrl ? new URL(options.devServerUrl).origin : undefined;

  const origin: AppOrigin = {
    serverOrigin: server?.origin ?? null,
    isConsoleUrl(url) {
      if (!origin.isAppUrl(url)) return false;
      const parsed = new URL(url);
      if (parsed.protocol === 'file:' || parsed.origin === devOrigin) return true;
      return (
        server !== null &&
        consolePath !== null &&
        parsed.origin === server.origin &&
        parsed.pathname.startsWith(consolePath)
      );
    },
    isPackagedUrl(url) {
      if (!origin.isAppUrl(url)) return false;
      const parsed = new URL(url);
      return parsed.protocol === 'file:' || parsed.origin === devOrigin;
    },
    isAppUrl(url) {
      const parsed = parseUrl(url);
      if (!parsed) return false;
      if (parsed.protocol === 'file:') {
        // The URL parser has already resolved `..` (also when percent-encoded), so a prefix test
        // on the path keeps a page from reaching files outside the renderer folder.
        return parsed.host === rendererDir.host && parsed.pathname.startsWith(rendererDir.pathname);
      }
      return (
        (parsed.protocol === 'http:' || parsed.protocol === 'https:') &&
        webOrigins.has(parsed.origin)
      );
    },
  };
  return origin;
}

export type NavigationDecision = 'allow' | 'open-externally' | 'deny';

/** The app's own pages load in the window; other https pages open in the user's browser. */
export function decideNavigation(url: string, origin: AppOrigin): NavigationDecision {
  if (origin.isAppUrl(url)) return 'allow';
  return parseUrl(url)?.protocol === 'https:' ? 'open-externally' : 'deny';
}

/** Desktop notifications for the app's own pages; every other permission is refused. */
export function isPermissionAllowed(
  permission: string,
  requestingUrl: string,
  origin: AppOrigin,
): boolean {
  return permission === 'notifications' && origin.isAppUrl(requestingUrl);
}

/**
 * The Content-Security-Policy of the app's pages: own scripts and styles, and the server only
 * (before a server is chosen, nothing: the first-run screen checks an address through main).
 */
export function contentSecurityPolicy(serverUrl: string | null): string {
  const server = serverUrl === null ? null : new URL(serverUrl);
  const socketScheme = server?.protocol === 'https:' ? 'wss:' : 'ws:';
  return [
    "default-src 'self'",
    "script-src 'self'",
    server
      ? `connect-src 'self' ${server.origin} ${socketScheme}//${server.host}`
      : "connect-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function parseUrl(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}
