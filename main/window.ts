// The agent console window: hardened options, navigation locked to the app, and a session that
// refuses permissions and sends a strict CSP.
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  app,
  BrowserWindow,
  shell,
  type BrowserWindowConstructorOptions,
  type Session,
  type WebContents,
} from 'electron';
import {
  contentSecurityPolicy,
  createAppOrigin,
  decideNavigation,
  isPermissionAllowed,
  type AppOrigin,
} from './app-origin';

// All of main is bundled into out/main/index.js, so its siblings are out/preload and out/renderer.
const outDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const PRELOAD_PATH = join(outDir, 'preload', 'index.cjs');
const RENDERER_DIR = join(outDir, 'renderer');

export function mainWindowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    width: 1100,
    height: 760,
    minWidth: 640,
    minHeight: 420,
    title: 'Help Desk OTP',
    show: false,
    autoHideMenuBar: true,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
    },
  };
}

/** The renderer's dev server, only while developing an unpackaged app. */
function devServerUrl(): string | undefined {
  return app.isPackaged ? undefined : process.env['ELECTRON_RENDERER_URL'] || undefined;
}

export function appOriginFor(serverUrl: string): AppOrigin {
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
    if (decision === 'open-externally') void shell.openExternal(url);
  };
  contents.on('will-navigate', guard);
  contents.on('will-redirect', guard);
  contents.on('will-attach-webview', (event) => event.preventDefault());
  // The console is one window: window.open never creates another one.
  contents.setWindowOpenHandler(({ url }) => {
    if (decideNavigation(url, origin) === 'open-externally') void shell.openExternal(url);
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

export function createMainWindow(serverUrl: string): BrowserWindow {
  const origin = appOriginFor(serverUrl);
  const devUrl = devServerUrl();
  const window = new BrowserWindow(mainWindowOptions(PRELOAD_PATH));
  // The dev server's hot reload needs an inline script and a socket; a built app needs neither.
  hardenSession(
    window.webContents.session,
    origin,
    devUrl ? null : contentSecurityPolicy(serverUrl),
  );
  guardNavigation(window.webContents, origin);
  window.once('ready-to-show', () => window.show());

  const loading = devUrl
    ? window.loadURL(devUrl)
    : window.loadFile(join(RENDERER_DIR, 'index.html'));
  loading.catch((error: unknown) => console.error('The agent console did not load:', error));
  return window;
}
