// The `window.desk` bridge: a few intent-named calls into main; ipcRenderer never leaves this file.
// An import of './index.d.ts' would resolve to this very file, so the declarations come in this way.
// eslint-disable-next-line @typescript-eslint/triple-slash-reference
/// <reference path="./index.d.ts" />
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { IpcChannel, IpcEvent } from '../main/ipc-channels';

type DeskBridge = NonNullable<Window['desk']>;

const desk: DeskBridge = {
  getServerUrl: () => ipcRenderer.invoke(IpcChannel.ServerGetUrl),
  getServerStatus: () => ipcRenderer.invoke(IpcChannel.ServerGetStatus),
  getServerSetting: () => ipcRenderer.invoke(IpcChannel.ServerGetSetting),
  chooseServer: (serverUrl) => ipcRenderer.invoke(IpcChannel.ServerChoose, serverUrl),
  getVersion: () => ipcRenderer.invoke(IpcChannel.AppGetVersion),
  saveSessionToken: (token) => ipcRenderer.invoke(IpcChannel.SessionSaveToken, token),
  loadSessionToken: () => ipcRenderer.invoke(IpcChannel.SessionLoadToken),
  notify: (notification) => ipcRenderer.invoke(IpcChannel.DesktopNotify, notification),
  setPendingCount: (count) => ipcRenderer.invoke(IpcChannel.DesktopSetPendingCount, count),
  onOpenRequest(callback) {
    // The page gets the request id only, never the IPC event (which carries the sender).
    const listener = (_event: IpcRendererEvent, requestId: unknown) => {
      if (typeof requestId === 'string') callback(requestId);
    };
    ipcRenderer.on(IpcEvent.OpenRequest, listener);
    return () => {
      ipcRenderer.removeListener(IpcEvent.OpenRequest, listener);
    };
  },
};

contextBridge.exposeInMainWorld('desk', desk);
