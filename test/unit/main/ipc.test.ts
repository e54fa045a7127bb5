import { beforeEach, describe, expect, it, vi } from 'vitest';

type Handler = (event: unknown, ...args: unknown[]) => unknown;
const handlers = vi.hoisted(() => new Map<string, Handler>());
vi.mock('electron', () => ({
  ipcMain: { handle: (channel: string, handler: Handler) => handlers.set(channel, handler) },
}));

const { registerIpcHandlers } = await import('../../../main/ipc');
const { IpcChannel } = await import('../../../main/ipc-channels');
const { createAppOrigin } = await import('../../../main/app-origin');

const SERVER = 'http://127.0.0.1:3000';
const APP_PAGE = 'file:///app/out/renderer/index.html';
const fetchServerStatus = vi.fn(async () => ({ product: 'Help Desk OTP' }));

function senderEvent({ id = 1, url = APP_PAGE, topFrame = true } = {}) {
  return { sender: { id }, senderFrame: { url, parent: topFrame ? null : {} } };
}

function invoke(channel: string, event: unknown, ...args: unknown[]) {
  const handler = handlers.get(channel);
  if (!handler) throw new Error(`no handler for ${channel}`);
  return Promise.resolve().then(() => handler(event, ...args));
}

beforeEach(() => {
  handlers.clear();
  fetchServerStatus.mockClear();
  registerIpcHandlers({
    appWebContents: new Set([1]),
    origin: createAppOrigin({ rendererDirUrl: 'file:///app/out/renderer/', serverUrl: SERVER }),
    serverUrl: SERVER,
    appVersion: '0.1.0',
    fetchServerStatus,
  });
});

describe('registerIpcHandlers', () => {
  it('registers a handler for every channel', () => {
    expect([...handlers.keys()].sort()).toEqual(Object.values(IpcChannel).sort());
  });

  it("answers the app's own window", async () => {
    await expect(invoke(IpcChannel.ServerGetUrl, senderEvent())).resolves.toBe(SERVER);
    await expect(invoke(IpcChannel.AppGetVersion, senderEvent())).resolves.toBe('0.1.0');
    await expect(invoke(IpcChannel.ServerGetStatus, senderEvent())).resolves.toEqual({
      product: 'Help Desk OTP',
    });
    expect(fetchServerStatus).toHaveBeenCalledWith(SERVER);
  });

  it('answers a page the server serves in that window', async () => {
    const event = senderEvent({ url: `${SERVER}/agent/` });
    await expect(invoke(IpcChannel.ServerGetUrl, event)).resolves.toBe(SERVER);
  });

  it('refuses a sender that is not a window the app created', async () => {
    await expect(invoke(IpcChannel.ServerGetUrl, senderEvent({ id: 2 }))).rejects.toThrow(
      'forbidden',
    );
  });

  it('refuses foreign content and subframes, even inside an app window', async () => {
    for (const event of [
      senderEvent({ url: 'https://evil.example/' }),
      senderEvent({ url: 'file:///home/user/Downloads/page.html' }),
      senderEvent({ topFrame: false }),
      { sender: { id: 1 }, senderFrame: null },
    ]) {
      await expect(invoke(IpcChannel.ServerGetStatus, event)).rejects.toThrow('forbidden');
    }
    expect(fetchServerStatus).not.toHaveBeenCalled();
  });

  it('refuses arguments the channel does not take, with the zod message', async () => {
    await expect(invoke(IpcChannel.ServerGetStatus, senderEvent(), 'extra')).rejects.toThrow(
      /Invalid arguments for server:get-status: .*Too big/,
    );
    expect(fetchServerStatus).not.toHaveBeenCalled();
  });
});
