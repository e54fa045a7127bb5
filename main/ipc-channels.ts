// The IPC channel names, shared by main (which handles or sends them) and preload (which invokes or
// listens to them).

/** Calls the renderer makes through the preload (`ipcRenderer.invoke` → `ipcMain.handle`). */
export const IpcChannel = {
  ServerGetUrl: 'server:get-url',
  ServerGetStatus: 'server:get-status',
  /** Which server, and whether the organisation or the environment fixed it. */
  ServerGetSetting: 'server:get-setting',
  /** The first-run screen's choice: checked (`/healthz`), saved, then the console opens on it. */
  ServerChoose: 'server:choose',
  AppGetVersion: 'app:get-version',
  SessionSaveToken: 'session:save-token',
  SessionLoadToken: 'session:load-token',
  DesktopNotify: 'desktop:notify',
  DesktopSetPendingCount: 'desktop:set-pending-count',
} as const;

export type IpcChannel = (typeof IpcChannel)[keyof typeof IpcChannel];

/** Messages main sends to the renderer (`webContents.send` → `ipcRenderer.on`). */
export const IpcEvent = {
  /** A desktop notification was clicked: open this request. Argument: the request id. */
  OpenRequest: 'request:open',
} as const;

export type IpcEvent = (typeof IpcEvent)[keyof typeof IpcEvent];
