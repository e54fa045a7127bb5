// The `window.desk` bridge: a few intent-named calls into main; ipcRenderer never leaves this file.
// An import of './index.d.ts' would resolve to this very file, so the declarations come in this way.
// eslint-disable-next-line @typescript-eslint/triple-slash-reference
/// <reference path="./index.d.ts" />
import { contextBridge, ipcRenderer } from 'electron';
import { IpcChannel } from '../main/ipc-channels';

type DeskBridge = NonNullable<Window['desk']>;

function getServerUrl(): Promise<string> {
  return ipcRenderer.invoke(IpcChannel.ServerGetUrl);
}

function getServerStatus(): Promise<unknown> {
  return ipcRenderer.invoke(IpcChannel.ServerGetStatus);
}

function getVersion(): Promise<string> {
  return ipcRenderer.invoke(IpcChannel.AppGetVersion);
}

const desk: DeskBridge = { getServerUrl, getServerStatus, getVersion };

contextBridge.exposeInMainWorld('desk', desk);
