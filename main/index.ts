// Electron main-process entry: lifecycle only (single instance, ready, windows, quit).
import { app, BrowserWindow, dialog } from 'electron';
import { registerIpcHandlers } from './ipc';
import { loadSettings, type Settings } from './settings';
import { appOriginFor, createMainWindow } from './window';

let mainWindow: BrowserWindow | null = null;
const appWebContents = new Set<number>();

function openMainWindow(settings: Settings): void {
  const window = createMainWindow(settings.serverUrl);
  const contentsId = window.webContents.id;
  appWebContents.add(contentsId);
  window.on('closed', () => {
    appWebContents.delete(contentsId);
    mainWindow = null;
  });
  mainWindow = window;
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
  registerIpcHandlers({
    appWebContents,
    origin: appOriginFor(settings.serverUrl),
    serverUrl: settings.serverUrl,
    appVersion: app.getVersion(),
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
    mainWindow.focus();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  start().catch((error: unknown) => {
    console.error(error);
    app.exit(1);
  });
}
