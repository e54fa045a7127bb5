// The desktop app's start, from main/index.ts with Electron mocked at the module boundary: with no
// server set it opens the packaged first-run screen; the agent's choice, once /healthz names Help
// Desk OTP, is saved and the console's window opens on it; a managed address opens the console at
// once and cannot be changed; a broken managed file stops the app with a message naming it.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeWindow, type FakeWindow } from './fake-electron';

type Handler = (event: unknown, ...args: unknown[]) => unknown;

const electron = vi.hoisted(() => {
  const state = {
    userDataDir: '',
    handlers: new Map<string, Handler>(),
    windows: [] as Array<Record<string, unknown>>,
    makeWindow: (() => ({})) as () => Record<string, unknown>,
  };
  const image = () => ({ addRepresentation: () => undefined, setTemplateImage: () => undefined });
  return {
    state,
    app: {
      isPackaged: false,
      whenReady: () => Promise.resolve(),
      requestSingleInstanceLock: () => true,
      on: () => undefined,
      getPath: () => state.userDataDir,
      getVersion: () => '0.1.0',
      quit: vi.fn(),
      exit: vi.fn(),
      setAppUserModelId: vi.fn(),
      setBadgeCount: () => true,
    },
    BrowserWindow: Object.assign(
      vi.fn(function () {
        const window = state.makeWindow();
        state.windows.push(window);
        return window;
      }),
      { getAllWindows: () => state.windows },
    ),
    dialog: { showErrorBox: vi.fn() },
    safeStorage: { isEncryptionAvailable: () => false },
    screen: { getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }] },
    ipcMain: {
      handle: (channel: string, handler: Handler) => state.handlers.set(channel, handler),
      removeHandler: (channel: string) => state.handlers.delete(channel),
    },
    Tray: vi.fn(function () {
      return {
        setContextMenu: () => undefined,
        setToolTip: () => undefined,
        setTitle: () => undefined,
        on: () => undefined,
        destroy: () => undefined,
      };
    }),
    Menu: { buildFromTemplate: vi.fn((items: unknown) => ({ items })) },
    nativeImage: { createFromDataURL: image },
    Notification: { isSupported: () => false },
    shell: { openExternal: vi.fn() },
    // Chromium's fetch, here the test's (stubbed) global one.
    net: { fetch: (url: string, init: RequestInit) => fetch(url, init) },
  };
});
vi.mock('electron', () => electron);

const RENDERER_PAGE = pathToFileURL(
  join(fileURLToPath(new URL('../../../renderer', import.meta.url)), 'index.html'),
).href;
const SERVER = 'https://helpdesk.example.com';
const HEALTHY = { product: 'Help Desk OTP', status: 'ok', version: '1.2.3', storage: {} };

let dir: string;
let managedFile: string;
let nextId = 1;
const savedEnv = { ...process.env };

/** A window double that, like Electron's, says 'closed' when destroyed. */
function windowDouble() {
  const window = fakeWindow(nextId++);
  return Object.assign(window, {
    destroy: vi.fn(() => {
      window.destroyed = true;
      window.emit('closed');
    }),
    getNormalBounds: () => ({ x: 0, y: 0, width: 1100, height: 760 }),
    isMaximized: () => false,
    isMinimized: () => false,
    isFullScreen: () => false,
    restore: vi.fn(),
    focus: vi.fn(),
  });
}
type Window = ReturnType<typeof windowDouble>;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'helpdesk-first-run-'));
  managedFile = join(dir, 'managed-settings.json');
  electron.state.userDataDir = join(dir, 'user-data');
  electron.state.handlers.clear();
  electron.state.windows.length = 0;
  electron.state.makeWindow = windowDouble as never;
  vi.clearAllMocks();
  process.env['HELPDESK_MANAGED_SETTINGS'] = managedFile;
  delete process.env['HELPDESK_SERVER_URL'];
  delete process.env['ELECTRON_RENDERER_URL'];
  vi.resetModules();
});

afterEach(async () => {
  process.env = { ...savedEnv };
  vi.unstubAllGlobals();
  await rm(dir, { recursive: true, force: true });
});

/** Starts main/index.ts as Electron would, and lets its start-up run. */
async function startApp() {
  await import('../../../main/index');
  await vi.waitFor(() => {
    if (electron.state.windows.length === 0 && electron.dialog.showErrorBox.mock.calls.length === 0)
      throw new Error('not started yet');
  });
  return electron.state.windows as unknown as Window[];
}

function invoke(channel: string, window: FakeWindow, url: string, ...args: unknown[]) {
  const handler = electron.state.handlers.get(channel);
  if (!handler) throw new Error(`no handler for ${channel}`);
  const event = { sender: { id: window.webContents.id }, senderFrame: { url, parent: null } };
  return Promise.resolve().then(() => handler(event, ...args));
}

describe('the first run', () => {
  it('opens the packaged first-run screen when no server is set anywhere', async () => {
    const [window] = await startApp();
    expect(window!.loadFile).toHaveBeenCalledWith(fileURLToPath(RENDERER_PAGE));
    expect(window!.loadURL).not.toHaveBeenCalled();
    await expect(invoke('server:get-setting', window!, RENDERER_PAGE)).resolves.toEqual({
      serverUrl: null,
      source: null,
    });
  });

  it("saves the agent's server once /healthz names Help Desk OTP, and opens the console on it", async () => {
    const fetch = vi.fn(async () => Response.json(HEALTHY));
    vi.stubGlobal('fetch', fetch);
    const [firstRun] = await startApp();

    await expect(invoke('server:choose', firstRun!, RENDERER_PAGE, `${SERVER}/`)).resolves.toEqual({
      ok: true,
      serverUrl: SERVER,
    });
    expect(fetch).toHaveBeenCalledWith(`${SERVER}/healthz`, expect.anything());
    expect(JSON.parse(await readFile(join(dir, 'user-data', 'settings.json'), 'utf8'))).toEqual({
      serverUrl: SERVER,
    });

    await vi.waitFor(() => expect(electron.state.windows).toHaveLength(2));
    const consoleWindow = electron.state.windows[1] as unknown as Window;
    expect(consoleWindow.loadURL).toHaveBeenCalledWith(`${SERVER}/agent/`);
    expect(firstRun!.destroy).toHaveBeenCalled();
    // The IPC now answers for the chosen server, to its console only.
    await expect(invoke('server:get-setting', consoleWindow, `${SERVER}/agent/`)).resolves.toEqual({
      serverUrl: SERVER,
      source: 'saved',
    });
    await expect(invoke('server:get-url', firstRun!, RENDERER_PAGE)).rejects.toThrow('forbidden');
  });

  it('keeps the first-run screen when the address is not a Help Desk OTP server', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(
        async () => new Response('<!doctype html>', { headers: { 'content-type': 'text/html' } }),
      ),
    );
    const [firstRun] = await startApp();
    await expect(invoke('server:choose', firstRun!, RENDERER_PAGE, SERVER)).resolves.toMatchObject({
      ok: false,
      reason: 'not-help-desk',
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(electron.state.windows).toHaveLength(1);
    await expect(readFile(join(dir, 'user-data', 'settings.json'))).rejects.toThrow(/ENOENT/);
  });
});

describe('a server the organisation set', () => {
  it('opens the console at once, above HELPDESK_SERVER_URL, and cannot be changed', async () => {
    await writeFile(managedFile, JSON.stringify({ serverUrl: SERVER }));
    process.env['HELPDESK_SERVER_URL'] = 'http://127.0.0.1:4000';
    const [window] = await startApp();
    expect(window!.loadURL).toHaveBeenCalledWith(`${SERVER}/agent/`);
    await expect(invoke('server:get-setting', window!, `${SERVER}/agent/`)).resolves.toEqual({
      serverUrl: SERVER,
      source: 'managed',
    });
    expect(trayMenu().map((item) => item.label)).not.toContain('Change server…');
    await expect(
      invoke('server:choose', window!, RENDERER_PAGE, 'https://elsewhere.example'),
    ).resolves.toEqual({ ok: false, reason: 'fixed', detail: 'managed' });
  });

  it('stops the app with a message naming a broken managed file', async () => {
    await writeFile(managedFile, '{ "serverUrl": ');
    await startApp();
    expect(electron.dialog.showErrorBox).toHaveBeenCalledWith(
      'Help Desk OTP cannot start',
      expect.stringContaining(`${managedFile} is not valid JSON`),
    );
    expect(electron.app.quit).toHaveBeenCalled();
    expect(electron.state.windows).toHaveLength(0);
  });
});

/** The tray menu's items, as last set. */
function trayMenu(): Array<{ label?: string; click?: () => void }> {
  return (electron.Menu.buildFromTemplate.mock.lastCall?.[0] ?? []) as never;
}

async function saveAddress(serverUrl: string) {
  await mkdir(electron.state.userDataDir, { recursive: true });
  await writeFile(join(electron.state.userDataDir, 'settings.json'), JSON.stringify({ serverUrl }));
}

describe('a server the agent chose', () => {
  it('opens the console on it, and "Change server…" in the tray shows the packaged screen', async () => {
    await saveAddress(SERVER);
    const [window] = await startApp();
    expect(window!.loadURL).toHaveBeenCalledWith(`${SERVER}/agent/`);
    const change = trayMenu().find((item) => item.label === 'Change server…');
    expect(change).toBeDefined();
    change!.click!();
    await vi.waitFor(() =>
      expect(window!.loadFile).toHaveBeenCalledWith(fileURLToPath(RENDERER_PAGE), {
        hash: 'change-server',
      }),
    );
  });

  it('gives way to HELPDESK_SERVER_URL (development), which the tray does not offer to change', async () => {
    await saveAddress(SERVER);
    process.env['HELPDESK_SERVER_URL'] = 'http://127.0.0.1:4000';
    const [window] = await startApp();
    expect(window!.loadURL).toHaveBeenCalledWith('http://127.0.0.1:4000/agent/');
    expect(trayMenu().map((item) => item.label)).not.toContain('Change server…');
  });
});
