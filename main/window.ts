// The agent console window: hardened options, the console loaded from the server (falling back to
// the packaged status page while the server cannot be reached), navigation locked to the app, and
// a session that refuses permissions and sends a strict CSP.
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { app, BrowserWindow, shell, type Session, type WebContents } from 'electron';
import {
  contentSecurityPolicy,
  createAppOrigin,
  decideNavigation,
  isPermissionAllowed,
  type AppOrigin,
} from './app-origin';
import { CHANGE_SERVER_HASH } from './server-url';
import { MIN_WINDOW_SIZE, type WindowPlacement } from './window-state';

// All of main is bundled into out/main/index.js, so its siblings are out/preload and out/renderer.
const outDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const PRELOAD_PATH = join(outDir, 'preload', 'index.cjs');
const RENDERER_DIR = join(outDir, 'renderer');
const STATUS_PAGE_PATH = join(RENDERER_DIR, 'index.html');

/** How often the status page's window asks whether the server is back. */
const SERVER_RETRY_MS = 5000;
/** Chromium's net::ERR_ABORTED: a load replaced by another one, not a failure. */
const ERR_ABORTED = -3;

/** The renderer's dev server, only while developing an unpackaged app. */
function devServerUrl(): string | undefined {
  return app.isPackaged ? undefined : process.env['ELECTRON_RENDERER_URL'] || undefined;
}

/** Where the console lives on the server: the same build a browser gets. */
function consoleUrl(serverUrl: string): string {
  return `${serverUrl}/agent/`;
}

export function appOriginFor(serverUrl: string | null): AppOrigin {
  return createAppOrigin({
    rendererDirUrl: pathToFileURL(RENDERER_DIR + '/').href,
    serverUrl,
    devServerUrl: devServerUrl(),
  });
}

/** Keeps a page on the app's own content: other https links open in the user's browser. */
export function guardNavigation(contents: WebContents, origin: AppOrigin): void {
  const guard = (event: { preventDefault(): void }, url: string) => {
    const decision = decideNavigation(url, origin);
    if (decision === 'allow') return;
    event.preventDefault();
    // Only https URLs of other sites get here (decideNavigation), never file: or custom schemes.
    if (decision === 'open-externally') void shell.openExternal(url); // eng-disable OPEN_EXTERNAL_JS_CHECK
  };
  contents.on('will-navigate', guard);
  contents.on('will-redirect', guard);
  contents.on('will-attach-webview', (event) => event.preventDefault());
  // The console is one window: window.open never creates another one.
  contents.setWindowOpenHandler(({ url }) => {
    // As above: only https URLs of other sites are handed to the system browser.
    if (decideNavigation(url, origin) === 'open-externally') void shell.openExternal(url); // eng-disable OPEN_EXTERNAL_JS_CHECK
    return { action: 'deny' };
  });
}

/** Permissions: notifications for the app's pages only. CSP: on every response of the app. */
export function hardenSession(session: Session, origin: AppOrigin, csp: string | null): void {
  session.setPermissionRequestHandler((_contents, permission, callback, details) => {
    callback(isPermissionAllowed(permission, details.requestingUrl, origin));
  });
  if (csp === null) return;
  session.webRequest.onHeadersReceived((details, callback) => {
    if (!origin.isAppUrl(details.url)) return callback({});
    callback({
      responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] },
    });
  });
}

/** The part of a BrowserWindow that loading the console needs. */
export interface ConsoleWindow {
  webContents: Pick<WebContents, 'on'>;
  loadURL(url: string): Promise<void>;
  loadFile(file: string, options?: { hash?: string }): Promise<void>;
  isDestroyed(): boolean;
  on(event: 'closed', listener: () => void): unknown;
}

export interface ConsoleLoaderOptions {
  serverUrl: string;
  statusPage: string;
  /** Resolves when the server answers /healthz, rejects while it does not. */
  checkServer(): Promise<unknown>;
  retryMs?: number;
  log?: (message: string) => void;
}

/**
 * Loads the console from the server. While the server cannot be reached, the window shows the
 * packaged status page instead (which says so, and checks again on demand) and the console is
 * loaded again as soon as the server answers.
 */
export function loadConsole(window: ConsoleWindow, options: ConsoleLoaderOptions): void {
  const { serverUrl, statusPage } = options;
  const retryMs = options.retryMs ?? SERVER_RETRY_MS;
  const log = options.log ?? ((message: string) => console.warn(message));
  const serverOrigin = new URL(serverUrl).origin;
  let retry: NodeJS.Timeout | undefined;

  const stopRetrying = () => {
    clearTimeout(retry);
    retry = undefined;
  };
  const load = (what: Promise<void>) =>
    what.catch(() => {
      // A failed load is reported by did-fail-load, handled below; nothing else to do here.
    });
  const retryLater = () => {
    stopRetrying();
    retry = setTimeout(() => {
      options.checkServer().then(
        () => {
          if (!window.isDestroyed()) void load(window.loadURL(consoleUrl(serverUrl)));
        },
        () => retryLater(),
      );
    }, retryMs);
  };

  window.webContents.on(
    'did-fail-load',
    (
      _event: unknown,
      errorCode: number,
      errorDescription: string,
      validatedURL: string,
      isMainFrame: boolean,
    ) => {
      if (!isMainFrame || errorCode === ERR_ABORTED) return;
      if (!sameOrigin(validatedURL, serverOrigin)) return;
      log(
        `The server at ${serverUrl} cannot be reached (${errorDescription}); showing the status page.`,
      );
      void load(window.loadFile(statusPage));
      retryLater();
    },
  );
  // Back on the server, by the retry or by the status page's own link: no more retrying.
  window.webContents.on('did-navigate', (_event: unknown, url: string) => {
    if (sameOrigin(url, serverOrigin)) stopRetrying();
  });
  window.on('closed', stopRetrying);
  void load(window.loadURL(consoleUrl(serverUrl)));
}

function sameOrigin(url: string, origin: string): boolean {
  try {
    return new URL(url).origin === origin;
  } catch {
    return false;
  }
}

/** Shows the packaged screen where the agent enters another server's address. */
export function showServerChoice(window: Pick<ConsoleWindow, 'loadFile'>): void {
  window.loadFile(STATUS_PAGE_PATH, { hash: CHANGE_SERVER_HASH }).catch((error: unknown) => {
    console.error('The server choice did not load:', error);
  });
}

export interface MainWindowOptions {
  /** Null before the agent has chosen a server: the window shows the packaged first-run screen. */
  serverUrl: string | null;
  placement: WindowPlacement;
  checkServer(): Promise<unknown>;
}

export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const { serverUrl, placement } = options;
  const origin = appOriginFor(serverUrl);
  const devUrl = devServerUrl();
  // The options are written out here, at the constructor, so that a reader and the security
  // scanner (npm run lint:electron) both see exactly what the window gets.
  const window = new BrowserWindow({
    width: placement.width,
    height: placement.height,
    ...(placement.x !== undefined && placement.y !== undefined
      ? { x: placement.x, y: placement.y }
      : {}),
    minWidth: MIN_WINDOW_SIZE.width,
    minHeight: MIN_WINDOW_SIZE.height,
    title: 'Help Desk OTP',
    show: false,
    autoHideMenuBar: true,
    webPreferences: {
      // Reviewed (the scanner flags every preload for review): it exposes ten named functions
      // through contextBridge, never ipcRenderer, and main checks each call's sender and arguments.
      preload: PRELOAD_PATH, // eng-disable PRELOAD_JS_CHECK
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      // A middle click must not open a link in a new window of the app.
      disableBlinkFeatures: 'Auxclick',
    },
  });
  // The dev server's hot reload needs an inline script and a socket; a built app needs neither.
  hardenSession(
    window.webContents.session,
    origin,
    devUrl ? null : contentSecurityPolicy(serverUrl),
  );
  guardNavigation(window.webContents, origin);
  window.once('ready-to-show', () => {
    // maximize() also shows the window, so it waits for the first paint like show() does.
    if (placement.maximized) window.maximize();
    window.show();
  });

  if (devUrl) {
    window.loadURL(devUrl).catch((error: unknown) => {
      console.error('The agent console did not load from the dev server:', error);
    });
  } else if (serverUrl === null) {
    // No server yet: the packaged renderer asks for one (and the console is loaded from it after).
    window.loadFile(STATUS_PAGE_PATH).catch((error: unknown) => {
      console.error('The first-run screen did not load:', error);
    });
  } else {
    loadConsole(window, {
      serverUrl,
      statusPage: STATUS_PAGE_PATH,
      checkServer: options.checkServer,
    });
  }
  return window;
}
