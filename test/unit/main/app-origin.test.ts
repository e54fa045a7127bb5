import { describe, expect, it } from 'vitest';
import {
  contentSecurityPolicy,
  createAppOrigin,
  decideNavigation,
  isPermissionAllowed,
} from '../../../main/app-origin';

const origin = createAppOrigin({
  rendererDirUrl: 'file:///opt/Help%20Desk/out/renderer/',
  serverUrl: 'https://desk.example.com',
});

describe('createAppOrigin', () => {
  it('knows the packaged renderer files and the server origin', () => {
    expect(origin.isAppUrl('file:///opt/Help%20Desk/out/renderer/index.html')).toBe(true);
    expect(origin.isAppUrl('file:///opt/Help%20Desk/out/renderer/assets/a.js?x#y')).toBe(true);
    expect(origin.isAppUrl('https://desk.example.com/agent/')).toBe(true);
    expect(origin.isAppUrl('https://desk.example.com:443/healthz')).toBe(true);
  });

  it('rejects files outside the renderer folder, however the path is spelled', () => {
    expect(origin.isAppUrl('file:///opt/Help%20Desk/out/renderer/../main/index.js')).toBe(false);
    expect(origin.isAppUrl('file:///opt/Help%20Desk/out/renderer/%2e%2e/main/index.js')).toBe(
      false,
    );
    expect(origin.isAppUrl('file:///opt/Help%20Desk/out/renderer-evil/index.html')).toBe(false);
    expect(origin.isAppUrl('file://host/opt/Help%20Desk/out/renderer/index.html')).toBe(false);
  });

  it('rejects other origins on the same host and look-alikes', () => {
    expect(origin.isAppUrl('http://desk.example.com/agent/')).toBe(false);
    expect(origin.isAppUrl('https://desk.example.com:8443/')).toBe(false);
    expect(origin.isAppUrl('https://desk.example.com.evil.example/')).toBe(false);
    expect(origin.isAppUrl('not a url')).toBe(false);
  });

  it('also knows the dev server when there is one', () => {
    const dev = createAppOrigin({
      rendererDirUrl: 'file:///app/out/renderer/',
      serverUrl: 'http://127.0.0.1:3000',
      devServerUrl: 'http://localhost:5173',
    });
    expect(dev.isAppUrl('http://localhost:5173/')).toBe(true);
    expect(origin.isAppUrl('http://localhost:5173/')).toBe(false);
  });
});

describe('isConsoleUrl', () => {
  it("is the packaged renderer and the server's /agent/ pages only", () => {
    expect(origin.isConsoleUrl('file:///opt/Help%20Desk/out/renderer/index.html')).toBe(true);
    expect(origin.isConsoleUrl('https://desk.example.com/agent/')).toBe(true);
    expect(origin.isConsoleUrl('https://desk.example.com/agent/index.html#/queue')).toBe(true);
    expect(origin.isConsoleUrl('https://desk.example.com/sign-in')).toBe(false);
    expect(origin.isConsoleUrl('https://desk.example.com/agent')).toBe(false);
    expect(origin.isConsoleUrl('https://desk.example.com/agentx/')).toBe(false);
    expect(origin.isConsoleUrl('https://desk.example.com/healthz')).toBe(false);
    expect(origin.isConsoleUrl('https://evil.example/agent/')).toBe(false);
    expect(origin.isConsoleUrl('file:///etc/passwd')).toBe(false);
    expect(origin.isConsoleUrl('not a url')).toBe(false);
  });

  it('follows a server that lives under a path', () => {
    const proxied = createAppOrigin({
      rendererDirUrl: 'file:///app/out/renderer/',
      serverUrl: 'https://intranet.example.com/helpdesk',
    });
    expect(proxied.isConsoleUrl('https://intranet.example.com/helpdesk/agent/')).toBe(true);
    expect(proxied.isConsoleUrl('https://intranet.example.com/agent/')).toBe(false);
  });

  it('includes the dev server while developing', () => {
    const dev = createAppOrigin({
      rendererDirUrl: 'file:///app/out/renderer/',
      serverUrl: 'http://127.0.0.1:3000',
      devServerUrl: 'http://localhost:5173',
    });
    expect(dev.isConsoleUrl('http://localhost:5173/')).toBe(true);
  });
});

describe('isPackagedUrl', () => {
  it("is the app's own renderer (or the dev server), never a page the server sent", () => {
    expect(origin.isPackagedUrl('file:///opt/Help%20Desk/out/renderer/index.html')).toBe(true);
    expect(origin.isPackagedUrl('https://desk.example.com/agent/')).toBe(false);
    expect(origin.isPackagedUrl('file:///opt/Help%20Desk/out/main/index.js')).toBe(false);
    expect(origin.isPackagedUrl('file:///home/user/Downloads/page.html')).toBe(false);
    const dev = createAppOrigin({
      rendererDirUrl: 'file:///app/out/renderer/',
      serverUrl: 'http://127.0.0.1:3000',
      devServerUrl: 'http://localhost:5173',
    });
    expect(dev.isPackagedUrl('http://localhost:5173/')).toBe(true);
    expect(dev.isPackagedUrl('http://127.0.0.1:3000/agent/')).toBe(false);
  });
});

describe('before a server is chosen', () => {
  const firstRun = createAppOrigin({
    rendererDirUrl: 'file:///app/out/renderer/',
    serverUrl: null,
  });

  it('knows the packaged renderer only', () => {
    expect(firstRun.serverOrigin).toBeNull();
    expect(firstRun.isConsoleUrl('file:///app/out/renderer/index.html')).toBe(true);
    expect(firstRun.isPackagedUrl('file:///app/out/renderer/index.html')).toBe(true);
    expect(firstRun.isAppUrl('http://127.0.0.1:3000/agent/')).toBe(false);
    expect(firstRun.isConsoleUrl('http://127.0.0.1:3000/agent/')).toBe(false);
    expect(decideNavigation('http://127.0.0.1:3000/agent/', firstRun)).toBe('deny');
  });

  it('lets the page connect nowhere but itself', () => {
    expect(contentSecurityPolicy(null)).toContain("connect-src 'self';");
  });
});

describe('decideNavigation', () => {
  it('allows the app, sends other https pages to the browser, drops everything else', () => {
    expect(decideNavigation('https://desk.example.com/agent/', origin)).toBe('allow');
    expect(decideNavigation('https://example.com/help', origin)).toBe('open-externally');
    expect(decideNavigation('http://example.com/help', origin)).toBe('deny');
    expect(decideNavigation('mailto:desk@example.com', origin)).toBe('deny');
    expect(decideNavigation('file:///etc/passwd', origin)).toBe('deny');
  });
});

describe('isPermissionAllowed', () => {
  it('grants notifications to the app only, and nothing else to anyone', () => {
    expect(isPermissionAllowed('notifications', 'https://desk.example.com/agent/', origin)).toBe(
      true,
    );
    expect(isPermissionAllowed('notifications', 'https://example.com/', origin)).toBe(false);
    expect(isPermissionAllowed('media', 'https://desk.example.com/agent/', origin)).toBe(false);
  });
});

describe('contentSecurityPolicy', () => {
  it('lets pages connect to the server over HTTP and its socket only', () => {
    expect(contentSecurityPolicy('http://127.0.0.1:3000')).toContain(
      "connect-src 'self' http://127.0.0.1:3000 ws://127.0.0.1:3000;",
    );
    const policy = contentSecurityPolicy('https://desk.example.com');
    expect(policy).toContain("connect-src 'self' https://desk.example.com wss://desk.example.com;");
    expect(policy).toContain("script-src 'self';");
    expect(policy).not.toContain('unsafe');
  });
});
