// The IPC channel names, shared by main (which handles them) and preload (which invokes them).
export const IpcChannel = {
  ServerGetUrl: 'server:get-url',
  ServerGetStatus: 'server:get-status',
  AppGetVersion: 'app:get-version',
} as const;

export type IpcChannel = (typeof IpcChannel)[keyof typeof IpcChannel];
