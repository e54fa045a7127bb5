// Electron main-process entry: lifecycle only (single instance, ready, windows, tray, quit).
import { app, BrowserWindow, dialog, safeStorage, screen } from 'electron';
import { IpcEvent } from './ipc-channels';
import { fetchServerStatus, registerIpcHandlers } from './ipc';
import { createNotifier } from './notifications';
import { createSessionTokenStore } from './session-token';
import { loadSettings, type Settings } from './settings';
import { createPendingIndicator, type PendingIndicator } from './tray';
import { appOriginFor, createMainWindow } from './window';
import { loadWindowState, placeWindow, saveWindowState, trackWindowState } from './window-state';

/** Windows shows notifications only for an app with an AppUserModelID. */
const APP_USER_MODEL_ID = 'com.helpdesk-otp.agent';

let mainWindow: BrowserWindow | null = null;
let pendingIndicator: PendingIndicator | null = null;
const appWebContents = new Set<number>();

function openMainWindow(settings: Settings): BrowserWindow {
  const userDataDir = app.getPath('userData');
  const placement = placeWindow(
    loadWindowState(userDataDir),
    screen.getAllDisplays().map((display) => display.workArea),
  );
  const window = createMainWindow({
    serverUrl: settings.serverUrl,
    placement,
    checkServer: () => fetchServerStatus(settings.serverUrl),
  });
  trackWindowState(window, (state) => saveWindowState(userDataDir, state));
  const contentsId = window.webContents.id;
  appWebContents.add(contentsId);
  window.on('closed', () => {
    appWebContents.delete(contentsId);
    mainWindow = null;
  });
  mainWindow = window;
  return window;
}

/** Brings the console to the front, opening a window if there is none; resolves once it is loaded. */
function showMainWindow(settings: Settings): Promise<BrowserWindow> {
  if (mainWindow && !mainWindow.isDestroyed()) {
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.show();
    mainWindow.focus();
    return Promise.resolve(mainWindow);
  }
  const window = openMainWindow(settings);
  return new Promise((resolve) =>
    window.webContents.once('did-finish-load', () => resolve(window)),
  );
}

async function start(): Promise<void> {
  await app.whenReady();
  let settings: Settings;
  try {
    settings = loadSettings(app.getPath('userData'));
  } catch (error) {
    dialog.showErrorBox('Help Desk OTP cannot start', (error as Error).message);
    app.quit();
    return;
  }
  if (process.platform === 'win32') app.setAppUserModelId(APP_USER_MODEL_ID);

  pendingIndicator = createPendingIndicator({
    showWindow: () => void showMainWindow(settings),
    getWindow: () => mainWindow,
  });
  const notifier = createNotifier((requestId) => {
    void showMainWindow(settings).then((window) => {
      if (requestId && !window.isDestroyed())
        window.webContents.send(IpcEvent.OpenRequest, requestId);
    });
  });
  registerIpcHandlers({
    appWebContents,
    origin: appOriginFor(settings.serverUrl),
    serverUrl: settings.serverUrl,
    appVersion: app.getVersion(),
    sessionTokens: createSessionTokenStore({
      userDataDir: app.getPath('userData'),
      serverUrl: settings.serverUrl,
      encryption: safeStorage,
    }),
    desktop: {
      notify: (notice) => notifier.notify(notice),
      setPendingCount: (count) => pendingIndicator?.setPendingCount(count),
    },
  });
  openMainWindow(settings);
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) openMainWindow(settings);
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
