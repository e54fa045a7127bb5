import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BrowserWindowConstructorOptions } from 'electron';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeWebContents, fakeWindow, type FakeWebContents } from './fake-electron';

const electron = vi.hoisted(() => ({
  app: { isPackaged: true },
  shell: { openExternal: vi.fn(async () => undefined) },
  BrowserWindow: vi.fn(),
}));
vi.mock('electron', () => electron);

const {
  appOriginFor,
  createMainWindow,
  guardNavigation,
  hardenSession,
  loadConsole,
  showServerChoice,
} = await import('../../../main/window');
type Contents = Parameters<typeof guardNavigation>[0];
type Session = Parameters<typeof hardenSession>[0];

const SERVER = 'http://127.0.0.1:3000';
// Run from source, main/window.ts finds the renderer at renderer/ (built: out/renderer).
const rendererDirUrl = pathToFileURL(
  fileURLToPath(new URL('../../../renderer', import.meta.url)),
).href;
const rendererPage = (file: string) => `${rendererDirUrl}/${file}`;

describe('guardNavigation', () => {
  let contents: FakeWebContents;
  beforeEach(() => {
    electron.shell.openExternal.mockClear();
    contents = fakeWebContents();
    guardNavigation(contents as unknown as Contents, appOriginFor(SERVER));
  });

  it('lets the window navigate within the packaged renderer and the server', () => {
    expect(contents.emitPreventable('will-navigate', rendererPage('index.html#/queue'))).toBe(
      false,
    );
    expect(contents.emitPreventable('will-navigate', `${SERVER}/agent/`)).toBe(false);
    expect(contents.emitPreventable('will-redirect', `${SERVER}/agent/login`)).toBe(false);
  });

  it('keeps the window off other sites and other files', () => {
    for (const url of [
      'http://evil.example/',
      'http://127.0.0.1:3001/',
      'file:///etc/passwd',
      rendererPage('../package.json'),
      'javascript:alert(1)',
    ]) {
      expect(contents.emitPreventable('will-navigate', url), url).toBe(true);
    }
    expect(electron.shell.openExternal).not.toHaveBeenCalled();
  });

  it('opens an https link to another site in the user browser instead', () => {
    expect(contents.emitPreventable('will-navigate', 'https://example.com/help')).toBe(true);
    expect(electron.shell.openExternal).toHaveBeenCalledWith('https://example.com/help');
  });

  it('never opens a new window, not even for the app itself', () => {
    expect(contents.windowOpenHandler?.({ url: `${SERVER}/agent/` })).toEqual({ action: 'deny' });
    expect(contents.windowOpenHandler?.({ url: 'http://evil.example/' })).toEqual({
      action: 'deny',
    });
    expect(electron.shell.openExternal).not.toHaveBeenCalled();
    expect(contents.windowOpenHandler?.({ url: 'https://example.com/' })).toEqual({
      action: 'deny',
    });
    expect(electron.shell.openExternal).toHaveBeenCalledWith('https://example.com/');
  });

  it('refuses to attach a webview', () => {
    expect(contents.emitPreventable('will-attach-webview', {}, {})).toBe(true);
  });
});

describe('hardenSession', () => {
  const askPermission = (session: FakeWebContents['session'], permission: string, url: string) => {
    const callback = vi.fn();
    session.permissionHandler?.({}, permission, callback, { requestingUrl: url });
    return callback.mock.calls[0]?.[0];
  };

  it('grants notifications to the app and refuses the camera and everything else', () => {
    const { session } = fakeWebContents();
    hardenSession(session as unknown as Session, appOriginFor(SERVER), null);
    expect(askPermission(session, 'notifications', rendererPage('index.html'))).toBe(true);
    expect(askPermission(session, 'notifications', `${SERVER}/agent/`)).toBe(true);
    expect(askPermission(session, 'notifications', 'https://evil.example/')).toBe(false);
    expect(askPermission(session, 'media', rendererPage('index.html'))).toBe(false);
    expect(askPermission(session, 'geolocation', `${SERVER}/agent/`)).toBe(false);
  });

  it("adds the CSP header to the app's responses only", () => {
    const { session } = fakeWebContents();
    hardenSession(session as unknown as Session, appOriginFor(SERVER), "default-src 'self'");
    const respond = (url: string) => {
      const callback = vi.fn();
      session.headersHandler?.({ url, responseHeaders: { 'X-Kept': ['yes'] } }, callback);
      return callback.mock.calls[0]?.[0];
    };
    expect(respond(`${SERVER}/agent/`)).toEqual({
      responseHeaders: { 'X-Kept': ['yes'], 'Content-Security-Policy': ["default-src 'self'"] },
    });
    expect(respond('https://example.com/')).toEqual({});
  });
});

describe('createMainWindow', () => {
  const checkServer = vi.fn(async () => ({ status: 'ok' }));

  function create(
    placement: Parameters<typeof createMainWindow>[0]['placement'],
    serverUrl: string | null = SERVER,
  ) {
    const window = fakeWindow(7);
    electron.BrowserWindow.mockImplementationOnce(function () {
      return window;
    });
    expect(createMainWindow({ serverUrl, placement, checkServer })).toBe(window);
    const options = electron.BrowserWindow.mock.lastCall?.[0] as BrowserWindowConstructorOptions;
    return { window, options };
  }

  it('isolates and sandboxes the renderer, without Node integration or middle-click windows', () => {
    const { options } = create({ width: 1100, height: 760, maximized: false });
    expect(options.webPreferences).toEqual({
      preload: expect.stringMatching(/preload[/\\]index\.cjs$/),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      disableBlinkFeatures: 'Auxclick',
    });
  });

  it('creates the window hidden, shows it when ready and loads the console from the server', () => {
    const { window, options } = create({ width: 1100, height: 760, maximized: false });
    expect(options).toMatchObject({ show: false, width: 1100, height: 760 });
    expect(options).not.toHaveProperty('x');
    expect(window.loadURL).toHaveBeenCalledWith(`${SERVER}/agent/`);
    expect(window.loadFile).not.toHaveBeenCalled();
    expect(window.show).not.toHaveBeenCalled();
    window.emit('ready-to-show');
    expect(window.show).toHaveBeenCalled();
    expect(window.maximize).not.toHaveBeenCalled();
    expect(window.webContents.windowOpenHandler).not.toBeNull();
    expect(window.webContents.session.permissionHandler).not.toBeNull();
    expect(window.webContents.session.headersHandler).not.toBeNull();
  });

  it('shows the packaged first-run screen while no server is set, locked to it', () => {
    const { window } = create({ width: 1100, height: 760, maximized: false }, null);
    expect(window.loadFile).toHaveBeenCalledWith(
      expect.stringMatching(/renderer[/\\]index\.html$/),
    );
    expect(window.loadURL).not.toHaveBeenCalled();
    expect(checkServer).not.toHaveBeenCalled();
    expect(window.webContents.emitPreventable('will-navigate', `${SERVER}/agent/`)).toBe(true);
    const callback = vi.fn();
    window.webContents.session.headersHandler?.(
      { url: rendererPage('index.html'), responseHeaders: {} },
      callback,
    );
    expect(callback.mock.calls[0]?.[0].responseHeaders['Content-Security-Policy'][0]).toContain(
      "connect-src 'self';",
    );
  });

  it('opens where the window was left, maximized if it was', () => {
    const { window, options } = create({
      x: 40,
      y: 30,
      width: 1280,
      height: 900,
      maximized: true,
    });
    expect(options).toMatchObject({ x: 40, y: 30, width: 1280, height: 900 });
    expect(window.maximize).not.toHaveBeenCalled();
    window.emit('ready-to-show');
    expect(window.maximize).toHaveBeenCalled();
  });
});

describe('showServerChoice', () => {
  it('opens the packaged screen for another server in the window', () => {
    const window = fakeWindow();
    showServerChoice(window);
    expect(window.loadFile).toHaveBeenCalledWith(
      expect.stringMatching(/renderer[/\\]index\.html$/),
      { hash: 'change-server' },
    );
  });
});

describe('loadConsole', () => {
  const STATUS_PAGE = '/app/out/renderer/index.html';
  const checkServer = vi.fn<() => Promise<unknown>>();
  const log = vi.fn();
  let window: ReturnType<typeof fakeWindow>;

  beforeEach(() => {
    vi.useFakeTimers();
    checkServer.mockReset();
    window = fakeWindow();
    loadConsole(window as unknown as Parameters<typeof loadConsole>[0], {
      serverUrl: SERVER,
      statusPage: STATUS_PAGE,
      checkServer,
      retryMs: 1000,
      log,
    });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const failLoad = (url: string, { code = -102, mainFrame = true } = {}) =>
    window.webContents.emit('did-fail-load', code, 'ERR_CONNECTION_REFUSED', url, mainFrame);

  it('loads the console from the server', () => {
    expect(window.loadURL).toHaveBeenCalledExactlyOnceWith(`${SERVER}/agent/`);
  });

  it('shows the packaged status page while the server cannot be reached, and the console once it answers', async () => {
    failLoad(`${SERVER}/agent/`);
    expect(window.loadFile).toHaveBeenCalledExactlyOnceWith(STATUS_PAGE);
    expect(log).toHaveBeenCalledWith(expect.stringContaining('cannot be reached'));

    checkServer.mockRejectedValueOnce(new Error('ECONNREFUSED'));
    await vi.advanceTimersByTimeAsync(1000);
    expect(checkServer).toHaveBeenCalledTimes(1);
    expect(window.loadURL).toHaveBeenCalledTimes(1);

    checkServer.mockResolvedValueOnce({ status: 'ok' });
    await vi.advanceTimersByTimeAsync(1000);
    expect(checkServer).toHaveBeenCalledTimes(2);
    expect(window.loadURL).toHaveBeenCalledTimes(2);
    expect(window.loadURL).toHaveBeenLastCalledWith(`${SERVER}/agent/`);

    await vi.advanceTimersByTimeAsync(5000);
    expect(checkServer).toHaveBeenCalledTimes(2);
  });

  it('ignores a failing subframe, a replaced load and a page that is not the server', async () => {
    failLoad(`${SERVER}/agent/`, { mainFrame: false });
    failLoad(`${SERVER}/agent/`, { code: -3 });
    failLoad('file:///app/out/renderer/index.html');
    failLoad('https://example.com/');
    expect(window.loadFile).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(5000);
    expect(checkServer).not.toHaveBeenCalled();
  });

  it('stops asking once the window is back on the server, or closed', async () => {
    failLoad(`${SERVER}/agent/`);
    window.webContents.emit('did-navigate', `${SERVER}/agent/`);
    await vi.advanceTimersByTimeAsync(5000);
    expect(checkServer).not.toHaveBeenCalled();

    failLoad(`${SERVER}/agent/`);
    window.emit('closed');
    await vi.advanceTimersByTimeAsync(5000);
    expect(checkServer).not.toHaveBeenCalled();
  });

  it('does not load into a window destroyed while it asked', async () => {
    failLoad(`${SERVER}/agent/`);
    checkServer.mockImplementationOnce(async () => {
      window.destroyed = true;
      return { status: 'ok' };
    });
    await vi.advanceTimersByTimeAsync(1000);
    expect(window.loadURL).toHaveBeenCalledTimes(1);
  });
});
