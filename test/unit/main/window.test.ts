import { fileURLToPath, pathToFileURL } from 'node:url';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeWebContents, type FakeWebContents } from './fake-electron';

const electron = vi.hoisted(() => ({
  app: { isPackaged: true },
  shell: { openExternal: vi.fn(async () => undefined) },
  BrowserWindow: vi.fn(),
}));
vi.mock('electron', () => electron);

const { appOriginFor, createMainWindow, guardNavigation, hardenSession, mainWindowOptions } =
  await import('../../../main/window');
type Contents = Parameters<typeof guardNavigation>[0];
type Session = Parameters<typeof hardenSession>[0];

const SERVER = 'http://127.0.0.1:3000';
// Run from source, main/window.ts finds the renderer at renderer/ (built: out/renderer).
const rendererDirUrl = pathToFileURL(
  fileURLToPath(new URL('../../../renderer', import.meta.url)),
).href;
const rendererPage = (file: string) => `${rendererDirUrl}/${file}`;

describe('mainWindowOptions', () => {
  it('isolates and sandboxes the renderer, without Node integration', () => {
    const { webPreferences, show } = mainWindowOptions('/app/out/preload/index.cjs');
    expect(show).toBe(false);
    expect(webPreferences).toMatchObject({
      preload: '/app/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });
});

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
  it('creates the window hidden, shows it when ready and loads the packaged renderer', async () => {
    const contents = fakeWebContents(7);
    const once = new Map<string, () => void>();
    const window = {
      webContents: contents,
      show: vi.fn(),
      once: vi.fn((event: string, listener: () => void) => once.set(event, listener)),
      loadFile: vi.fn(async () => undefined),
      loadURL: vi.fn(async () => undefined),
    };
    electron.BrowserWindow.mockImplementationOnce(function () {
      return window;
    });

    expect(createMainWindow(SERVER)).toBe(window);

    const [options] = electron.BrowserWindow.mock.calls[0] as [
      ReturnType<typeof mainWindowOptions>,
    ];
    expect(options.show).toBe(false);
    expect(options.webPreferences?.preload).toMatch(/preload[/\\]index\.cjs$/);
    expect(window.loadFile).toHaveBeenCalledWith(
      expect.stringMatching(/renderer[/\\]index\.html$/),
    );
    expect(window.loadURL).not.toHaveBeenCalled();
    expect(window.show).not.toHaveBeenCalled();
    once.get('ready-to-show')?.();
    expect(window.show).toHaveBeenCalled();
    expect(contents.windowOpenHandler).not.toBeNull();
    expect(contents.session.permissionHandler).not.toBeNull();
    expect(contents.session.headersHandler).not.toBeNull();
  });
});
