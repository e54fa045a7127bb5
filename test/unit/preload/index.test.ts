import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { DeskBridge } from '../../../preload/index.d';

type Listener = (event: unknown, ...args: unknown[]) => void;
const electron = vi.hoisted(() => {
  const listeners = new Map<string, Set<Listener>>();
  return {
    listeners,
    exposed: new Map<string, unknown>(),
    contextBridge: {
      exposeInMainWorld: vi.fn((key: string, api: unknown) => electron.exposed.set(key, api)),
    },
    ipcRenderer: {
      invoke: vi.fn(async (..._args: unknown[]) => 'answer'),
      on: vi.fn((channel: string, listener: Listener) => {
        listeners.set(channel, (listeners.get(channel) ?? new Set()).add(listener));
      }),
      removeListener: vi.fn((channel: string, listener: Listener) => {
        listeners.get(channel)?.delete(listener);
      }),
    },
  };
});
vi.mock('electron', () => electron);

const { IpcChannel, IpcEvent } = await import('../../../main/ipc-channels');
let desk: DeskBridge;
beforeAll(async () => {
  await import('../../../preload/index');
  desk = electron.exposed.get('desk') as DeskBridge;
});

describe('the window.desk bridge', () => {
  it('exposes exactly the intent-named functions, and nothing of ipcRenderer', () => {
    expect([...electron.exposed.keys()]).toEqual(['desk']);
    expect(Object.keys(desk).sort()).toEqual(
      [
        'chooseServer',
        'getServerSetting',
        'getServerStatus',
        'getServerUrl',
        'getVersion',
        'loadSessionToken',
        'notify',
        'onOpenRequest',
        'saveSessionToken',
        'setPendingCount',
      ].sort(),
    );
    for (const value of Object.values(desk)) expect(typeof value).toBe('function');
  });

  it('invokes one channel per call, passing only the arguments given', async () => {
    const calls: Array<[() => Promise<unknown>, unknown[]]> = [
      [() => desk.getServerUrl(), [IpcChannel.ServerGetUrl]],
      [() => desk.getServerStatus(), [IpcChannel.ServerGetStatus]],
      [() => desk.getServerSetting(), [IpcChannel.ServerGetSetting]],
      [
        () => desk.chooseServer('https://helpdesk.example.com'),
        [IpcChannel.ServerChoose, 'https://helpdesk.example.com'],
      ],
      [() => desk.getVersion(), [IpcChannel.AppGetVersion]],
      [() => desk.saveSessionToken('t'.repeat(43)), [IpcChannel.SessionSaveToken, 't'.repeat(43)]],
      [() => desk.saveSessionToken(null), [IpcChannel.SessionSaveToken, null]],
      [() => desk.loadSessionToken(), [IpcChannel.SessionLoadToken]],
      [
        () => desk.notify({ title: 'New', body: 'b', requestId: 'r'.repeat(22) }),
        [IpcChannel.DesktopNotify, { title: 'New', body: 'b', requestId: 'r'.repeat(22) }],
      ],
      [() => desk.setPendingCount(5), [IpcChannel.DesktopSetPendingCount, 5]],
    ];
    for (const [call, expected] of calls) {
      electron.ipcRenderer.invoke.mockClear();
      await expect(call()).resolves.toBe('answer');
      expect(electron.ipcRenderer.invoke).toHaveBeenCalledExactlyOnceWith(...expected);
    }
  });

  it('hands onOpenRequest callbacks the request id only, and stops when asked', () => {
    const callback = vi.fn();
    const stop = desk.onOpenRequest(callback);
    const deliver = (...args: unknown[]) =>
      electron.listeners
        .get(IpcEvent.OpenRequest)
        ?.forEach((listener) => listener({ sender: 'the IPC event' }, ...args));
    deliver('AbCdEfGhIjKlMnOpQrStUv');
    expect(callback).toHaveBeenCalledExactlyOnceWith('AbCdEfGhIjKlMnOpQrStUv');
    deliver({ not: 'an id' });
    expect(callback).toHaveBeenCalledTimes(1);
    stop();
    deliver('AbCdEfGhIjKlMnOpQrStUv');
    expect(callback).toHaveBeenCalledTimes(1);
    expect(electron.listeners.get(IpcEvent.OpenRequest)?.size).toBe(0);
  });
});
