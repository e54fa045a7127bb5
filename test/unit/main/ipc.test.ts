import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

type Handler = (event: unknown, ...args: unknown[]) => unknown;
const handlers = vi.hoisted(() => new Map<string, Handler>());
const netFetch = vi.hoisted(() => vi.fn((url: string, init: RequestInit) => fetch(url, init)));
vi.mock('electron', () => ({
  net: { fetch: netFetch },
  ipcMain: {
    handle: (channel: string, handler: Handler) => handlers.set(channel, handler),
    removeHandler: (channel: string) => handlers.delete(channel),
  },
}));

const {
  registerIpcHandlers,
  ServerAnswerError,
  fetchServerStatus: fetchHealth,
} = await import('../../../main/ipc');
const { IpcChannel } = await import('../../../main/ipc-channels');
const { createAppOrigin } = await import('../../../main/app-origin');

const SERVER = 'http://127.0.0.1:3000';
const APP_PAGE = 'file:///app/out/renderer/index.html';
const TOKEN = 'x'.repeat(43);
const REQUEST_ID = 'AbCdEfGhIjKlMnOpQrStUv';
const fetchServerStatus = vi.fn(async () => ({ product: 'Help Desk OTP' }));
const sessionTokens = {
  save: vi.fn((token: string | null) => ({ stored: token !== null })),
  load: vi.fn((): string | null => TOKEN),
};
const desktop = { notify: vi.fn(), setPendingCount: vi.fn() };
const useServer = vi.fn();

function senderEvent({ id = 1, url = APP_PAGE, topFrame = true } = {}) {
  return { sender: { id }, senderFrame: { url, parent: topFrame ? null : {} } };
}

function invoke(channel: string, event: unknown, ...args: unknown[]) {
  const handler = handlers.get(channel);
  if (!handler) throw new Error(`no handler for ${channel}`);
  return Promise.resolve().then(() => handler(event, ...args));
}

type ServerSetting = Parameters<typeof registerIpcHandlers>[0]['server'];

/** Registers the handlers as main does for this server setting (null: none chosen yet). */
function register(server: ServerSetting) {
  handlers.clear();
  return registerIpcHandlers({
    appWebContents: new Set([1]),
    origin: createAppOrigin({
      rendererDirUrl: 'file:///app/out/renderer/',
      serverUrl: server?.serverUrl ?? null,
    }),
    server,
    appVersion: '0.1.0',
    sessionTokens,
    desktop,
    useServer,
    fetchServerStatus,
  });
}

beforeEach(() => {
  vi.clearAllMocks();
  register({ serverUrl: SERVER, source: 'saved' });
});

/** A sender that is not the app: another window, or foreign content in the app's window. */
const strangers = () => [
  senderEvent({ id: 2 }),
  senderEvent({ url: 'https://evil.example/' }),
  senderEvent({ topFrame: false }),
];

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
      senderEvent({ url: `${SERVER}/sign-in` }),
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

describe('session:save-token', () => {
  it('stores a session token, or forgets it when given null', async () => {
    await expect(invoke(IpcChannel.SessionSaveToken, senderEvent(), TOKEN)).resolves.toEqual({
      stored: true,
    });
    expect(sessionTokens.save).toHaveBeenLastCalledWith(TOKEN);
    await expect(invoke(IpcChannel.SessionSaveToken, senderEvent(), null)).resolves.toEqual({
      stored: false,
    });
    expect(sessionTokens.save).toHaveBeenLastCalledWith(null);
  });

  it('refuses anything that is not a session token', async () => {
    for (const args of [
      [],
      ['short'],
      ['has spaces in it and is long enough'],
      [42],
      [TOKEN, 'x'],
    ]) {
      await expect(
        invoke(IpcChannel.SessionSaveToken, senderEvent(), ...args),
        JSON.stringify(args),
      ).rejects.toThrow(/Invalid arguments for session:save-token/);
    }
    expect(sessionTokens.save).not.toHaveBeenCalled();
  });

  it('refuses a sender that is not the app', async () => {
    for (const event of strangers()) {
      await expect(invoke(IpcChannel.SessionSaveToken, event, TOKEN)).rejects.toThrow('forbidden');
    }
    expect(sessionTokens.save).not.toHaveBeenCalled();
  });
});

describe('session:load-token', () => {
  it('hands the saved token to the app only', async () => {
    await expect(invoke(IpcChannel.SessionLoadToken, senderEvent())).resolves.toBe(TOKEN);
    for (const event of strangers()) {
      await expect(invoke(IpcChannel.SessionLoadToken, event)).rejects.toThrow('forbidden');
    }
    expect(sessionTokens.load).toHaveBeenCalledTimes(1);
  });

  it('takes no arguments', async () => {
    await expect(
      invoke(IpcChannel.SessionLoadToken, senderEvent(), 'other-server'),
    ).rejects.toThrow(/Invalid arguments for session:load-token/);
    expect(sessionTokens.load).not.toHaveBeenCalled();
  });
});

describe('desktop:notify', () => {
  it('shows a notification, with or without a request to open', async () => {
    const notice = { title: 'New request K7M-4QX', body: 'jsmith on Help Desk 1' };
    await expect(invoke(IpcChannel.DesktopNotify, senderEvent(), notice)).resolves.toBeUndefined();
    expect(desktop.notify).toHaveBeenLastCalledWith(notice);
    await invoke(IpcChannel.DesktopNotify, senderEvent(), { ...notice, requestId: REQUEST_ID });
    expect(desktop.notify).toHaveBeenLastCalledWith({ ...notice, requestId: REQUEST_ID });
  });

  it('refuses a malformed notification', async () => {
    for (const notice of [
      undefined,
      { title: '', body: 'x' },
      { title: '   ', body: 'x' },
      { title: 'x'.repeat(121), body: 'x' },
      { title: 'New', body: 'x'.repeat(501) },
      { title: 'New', body: 'x', requestId: '../../etc' },
      { title: 'New', body: 'x', onclick: 'alert(1)' },
    ]) {
      await expect(
        invoke(IpcChannel.DesktopNotify, senderEvent(), notice),
        JSON.stringify(notice),
      ).rejects.toThrow(/Invalid arguments for desktop:notify/);
    }
    expect(desktop.notify).not.toHaveBeenCalled();
  });

  it('refuses a sender that is not the app', async () => {
    for (const event of strangers()) {
      await expect(
        invoke(IpcChannel.DesktopNotify, event, { title: 'Phish', body: 'Call this number' }),
      ).rejects.toThrow('forbidden');
    }
    expect(desktop.notify).not.toHaveBeenCalled();
  });
});

describe('desktop:set-pending-count', () => {
  it('shows the count', async () => {
    await expect(
      invoke(IpcChannel.DesktopSetPendingCount, senderEvent(), 3),
    ).resolves.toBeUndefined();
    expect(desktop.setPendingCount).toHaveBeenLastCalledWith(3);
    await invoke(IpcChannel.DesktopSetPendingCount, senderEvent(), 0);
    expect(desktop.setPendingCount).toHaveBeenLastCalledWith(0);
  });

  it('refuses a count that is not a whole number of requests', async () => {
    for (const count of [-1, 1.5, Number.NaN, Infinity, '3', null, 2_000_000]) {
      await expect(
        invoke(IpcChannel.DesktopSetPendingCount, senderEvent(), count),
        String(count),
      ).rejects.toThrow(/Invalid arguments for desktop:set-pending-count/);
    }
    expect(desktop.setPendingCount).not.toHaveBeenCalled();
  });

  it('refuses a sender that is not the app', async () => {
    for (const event of strangers()) {
      await expect(invoke(IpcChannel.DesktopSetPendingCount, event, 1)).rejects.toThrow(
        'forbidden',
      );
    }
    expect(desktop.setPendingCount).not.toHaveBeenCalled();
  });
});

describe('server:get-setting', () => {
  it('says which server and where its address comes from', async () => {
    await expect(invoke(IpcChannel.ServerGetSetting, senderEvent())).resolves.toEqual({
      serverUrl: SERVER,
      source: 'saved',
    });
    register({ serverUrl: 'https://desk.corp.example', source: 'managed' });
    const event = senderEvent({ url: 'https://desk.corp.example/agent/' });
    await expect(invoke(IpcChannel.ServerGetSetting, event)).resolves.toEqual({
      serverUrl: 'https://desk.corp.example',
      source: 'managed',
    });
  });

  it('says "none" before a server is chosen, and has no status or URL to give', async () => {
    register(null);
    await expect(invoke(IpcChannel.ServerGetSetting, senderEvent())).resolves.toEqual({
      serverUrl: null,
      source: null,
    });
    await expect(invoke(IpcChannel.ServerGetUrl, senderEvent())).resolves.toBe('');
    await expect(invoke(IpcChannel.ServerGetStatus, senderEvent())).rejects.toThrow(
      'No server is set yet',
    );
    expect(fetchServerStatus).not.toHaveBeenCalled();
  });
});

describe('server:choose', () => {
  const CHOSEN = 'https://helpdesk.example.com';
  const healthy = { product: 'Help Desk OTP', status: 'ok', version: '1.2.3', storage: {} };

  beforeEach(() => register(null));

  it('checks /healthz, then saves the address and opens the console on it', async () => {
    fetchServerStatus.mockResolvedValueOnce(healthy);
    await expect(invoke(IpcChannel.ServerChoose, senderEvent(), `${CHOSEN}/`)).resolves.toEqual({
      ok: true,
      serverUrl: CHOSEN,
    });
    expect(fetchServerStatus).toHaveBeenCalledExactlyOnceWith(CHOSEN);
    expect(useServer).toHaveBeenCalledExactlyOnceWith(CHOSEN);
  });

  it('saves nothing when nothing answers, or something that is not Help Desk OTP', async () => {
    fetchServerStatus.mockRejectedValueOnce(new Error('fetch failed'));
    await expect(invoke(IpcChannel.ServerChoose, senderEvent(), CHOSEN)).resolves.toEqual({
      ok: false,
      reason: 'unreachable',
      detail: 'fetch failed',
    });
    for (const answer of [{ product: 'Grafana' }, { status: 'ok' }, 'ok']) {
      fetchServerStatus.mockResolvedValueOnce(answer as never);
      await expect(invoke(IpcChannel.ServerChoose, senderEvent(), CHOSEN)).resolves.toEqual({
        ok: false,
        reason: 'not-help-desk',
        detail: `${CHOSEN}/healthz`,
      });
    }
    expect(useServer).not.toHaveBeenCalled();
  });

  it('tells something that answered, but not with a health report, from nothing answering', async () => {
    fetchServerStatus.mockRejectedValueOnce(
      new ServerAnswerError(`${CHOSEN}/healthz answered 404`),
    );
    await expect(invoke(IpcChannel.ServerChoose, senderEvent(), CHOSEN)).resolves.toEqual({
      ok: false,
      reason: 'not-help-desk',
      detail: `${CHOSEN}/healthz answered 404`,
    });
    expect(useServer).not.toHaveBeenCalled();
  });

  it('refuses what is not a plain http(s) address, with the zod message, asking nothing', async () => {
    for (const args of [
      [],
      [''],
      ['helpdesk.example.com'],
      ['file:///etc/passwd'],
      ['javascript:alert(1)'],
      ['https://user:secret@helpdesk.example.com'],
      ['https://helpdesk.example.com/?next=evil'],
      [42],
      [CHOSEN, 'extra'],
    ]) {
      await expect(
        invoke(IpcChannel.ServerChoose, senderEvent(), ...args),
        JSON.stringify(args),
      ).rejects.toThrow(/Invalid arguments for server:choose/);
    }
    await expect(invoke(IpcChannel.ServerChoose, senderEvent(), 'ftp://x.example')).rejects.toThrow(
      /Use an http:\/\/ or https:\/\/ address/,
    );
    expect(fetchServerStatus).not.toHaveBeenCalled();
    expect(useServer).not.toHaveBeenCalled();
  });

  it('will not move off an address the organisation or the environment set', async () => {
    for (const source of ['managed', 'environment'] as const) {
      register({ serverUrl: SERVER, source });
      await expect(invoke(IpcChannel.ServerChoose, senderEvent(), CHOSEN)).resolves.toEqual({
        ok: false,
        reason: 'fixed',
        detail: source,
      });
    }
    expect(fetchServerStatus).not.toHaveBeenCalled();
    expect(useServer).not.toHaveBeenCalled();
  });

  it("answers the app's packaged page only: never a page the server sent, nor a stranger", async () => {
    register({ serverUrl: SERVER, source: 'saved' });
    fetchServerStatus.mockResolvedValue(healthy);
    for (const event of [senderEvent({ url: `${SERVER}/agent/` }), ...strangers()]) {
      await expect(invoke(IpcChannel.ServerChoose, event, CHOSEN)).rejects.toThrow('forbidden');
    }
    expect(useServer).not.toHaveBeenCalled();
    await expect(invoke(IpcChannel.ServerChoose, senderEvent(), CHOSEN)).resolves.toMatchObject({
      ok: true,
    });
  });
});

describe('the handlers', () => {
  it('can be removed, so that main registers them anew for another server', () => {
    const unregister = register(null);
    expect(handlers.size).toBe(Object.values(IpcChannel).length);
    unregister();
    expect(handlers.size).toBe(0);
  });
});

describe('fetchServerStatus', () => {
  let server: Server;
  let url: string;
  let answer: (response: ServerResponse) => void;
  beforeEach(async () => {
    server = createServer((_request, response) => answer(response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it("returns the server's health report, asked through Chromium's network stack", async () => {
    answer = (response) => response.end(JSON.stringify({ product: 'Help Desk OTP' }));
    await expect(fetchHealth(url)).resolves.toEqual({ product: 'Help Desk OTP' });
    // net.fetch: the OS's proxies and trusted certificates, as the console's window has them.
    expect(netFetch).toHaveBeenCalledExactlyOnceWith(
      `${url}/healthz`,
      expect.objectContaining({ redirect: 'error' }),
    );
  });

  it('says that something answered when the answer is not a health report', async () => {
    for (const [status, body, message] of [
      [404, 'Not found', `${url}/healthz answered 404`],
      [200, '<!doctype html><p>A sign-in page', `${url}/healthz did not answer with JSON`],
      [200, '"ok"', `${url}/healthz did not answer with a JSON object`],
    ] as const) {
      answer = (response) => {
        response.statusCode = status;
        response.end(body);
      };
      const failure = await fetchHealth(url).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(ServerAnswerError);
      expect((failure as Error).message).toBe(message);
    }
  });

  it('fails otherwise when nothing answers', async () => {
    await new Promise((resolve) => server.close(resolve));
    server = createServer();
    const failure = await fetchHealth(url).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Error);
    expect(failure).not.toBeInstanceOf(ServerAnswerError);
  });
});
