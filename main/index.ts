// Electron main-process entry: lifecycle only (single instance, ready, windows, tray, quit).
import { app, BrowserWindow, dialog, safeStorage, screen } from 'electron';
import { APP_ID } from './app-id';
import { IpcEvent } from './ipc-channels';
import { fetchServerStatus, registerIpcHandlers, type DesktopShell } from './ipc';
import { createNotifier } from './notifications';
import { createSessionTokenStore, type SessionTokenStore } from './session-token';
import {
  loadServerSetting,
  managedSettingsPath,
  saveServerUrl,
  type ServerSetting,
} from './settings';
import { createPendingIndicator, type PendingIndicator } from './tray';
import { appOriginFor, createMainWindow, showServerChoice } from './window';
import { loadWindowState, placeWindow, saveWindowState, trackWindowState } from './window-state';

let mainWindow: BrowserWindow | null = null;
let pendingIndicator: PendingIndicator | null = null;
const appWebContents = new Set<number>();
/** The server in use; null until the agent chooses one on the first-run screen. */
let server: ServerSetting = null;

/** Before a server is chosen there is no session to keep. */
const NO_SESSION_TOKENS: SessionTokenStore = {
  save: () => ({ stored: false }),
  load: () => null,
};

function openMainWindow(): BrowserWindow {
  const userDataDir = app.getPath('userData');
  const placement = placeWindow(
    loadWindowState(userDataDir),
    screen.getAllDisplays().map((display) => display.workArea),
  );
  const serverUrl = server?.serverUrl ?? null;
  const window = createMainWindow({
    serverUrl,
    placement,
    checkServer: () =>
      serverUrl ? fetchServerStatus(serverUrl) : Promise.reject(new Error('No server is set')),
  });
  trackWindowState(window, (state) => saveWindowState(userDataDir, state));
  const contentsId = window.webContents.id;
  appWebContents.add(contentsId);
  window.on('closed', () => {
    appWebContents.delete(contentsId);
    if (mainWindow === window) mainWindow = null;
  });
  mainWindow = window;
  return window;
}

/** Brings the console to the front, opening a window if there is none; resolves once it is loaded. */
function showMainWindow(): Promise<BrowserWindow> {
  if (mainWindow && !mainWindow.isDestroyed()) {
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.show();
    mainWindow.focus();
    return Promise.resolve(mainWindow);
  }
  const window = openMainWindow();
  return new Promise((resolve) =>
    window.webContents.once('did-finish-load', () => resolve(window)),
  );
}

let unregisterIpc: (() => void) | null = null;

/** Answers the console's IPC for `setting`: its server, its origin, its session token. */
function serveIpcFor(setting: ServerSetting, desktop: DesktopShell): void {
  server = setting;
  // The organisation's address, or this launch's HELPDESK_SERVER_URL, is not the agent's to change.
  pendingIndicator?.offerServerChange(setting?.source === 'saved');
  unregisterIpc?.();
  unregisterIpc = registerIpcHandlers({
    appWebContents,
    origin: appOriginFor(setting?.serverUrl ?? null),
    server: setting,
    appVersion: app.getVersion(),
    sessionTokens: setting
      ? createSessionTokenStore({
          userDataDir: app.getPath('userData'),
          serverUrl: setting.serverUrl,
          encryption: safeStorage,
        })
      : NO_SESSION_TOKENS,
    desktop,
    useServer(serverUrl) {
      saveServerUrl(app.getPath('userData'), serverUrl);
      // After the answer has gone back: the first-run window gives way to the console's, whose
      // origin, CSP and navigation limits are the new server's.
      setImmediate(() => {
        const previous = mainWindow;
        serveIpcFor({ serverUrl, source: 'saved' }, desktop);
        openMainWindow();
        if (previous && !previous.isDestroyed()) previous.destroy();
      });
    },
  });
}

async function start(): Promise<void> {
  await app.whenReady();
  let setting: ServerSetting;
  try {
    setting = loadServerSetting({
      userDataDir: app.getPath('userData'),
      // The override of the managed file's place is for development; an installed app reads the
      // OS's, so how it is launched cannot undo what the organisation set.
      managedFile: managedSettingsPath({
        platform: process.platform,
        env: process.env,
        allowOverride: !app.isPackaged,
      }),
    });
  } catch (error) {
    dialog.showErrorBox('Help Desk OTP cannot start', (error as Error).message);
    app.quit();
    return;
  }
  if (process.platform === 'win32') app.setAppUserModelId(APP_ID);

  pendingIndicator = createPendingIndicator({
    showWindow: () => void showMainWindow(),
    getWindow: () => mainWindow,
    changeServer: () => void showMainWindow().then(showServerChoice),
  });
  const notifier = createNotifier((requestId) => {
    void showMainWindow().then((window) => {
      if (requestId && !window.isDestroyed())
        window.webContents.send(IpcEvent.OpenRequest, requestId);
    });
  });
  serveIpcFor(setting, {
    notify: (notice) => notifier.notify(notice),
    setPendingCount: (count) => pendingIndicator?.setPendingCount(count),
  });
  openMainWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) openMainWindow();
  });
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.show();
    mainWindow.focus();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('will-quit', () => pendingIndicator?.destroy());
  start().catch((error: unknown) => {
    console.error(error);
    app.exit(1);
  });
}
