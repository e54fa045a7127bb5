// @vitest-environment jsdom
// The host: the desktop bridge when there is one, else the browser's stand-ins.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TOKEN_KEY, createConsoleHost, pendingTitle } from '../../renderer/src/lib/desk-bridge';

afterEach(() => {
  delete window.desk;
  sessionStorage.clear();
  vi.restoreAllMocks();
});

describe('in a browser', () => {
  it('talks to the page origin and keeps the token for this tab only', async () => {
    const host = createConsoleHost();
    expect(host.kind).toBe('browser');
    expect(await host.serverUrl()).toBe(window.location.origin);
    await host.saveSessionToken('abc');
    expect(sessionStorage.getItem(TOKEN_KEY)).toBe('abc');
    expect(localStorage.length).toBe(0);
    expect(await host.loadSessionToken()).toBe('abc');
    await host.saveSessionToken(null);
    expect(await host.loadSessionToken()).toBeNull();
  });

  it('shows the pending count in the tab title', () => {
    const host = createConsoleHost();
    host.setPendingCount(3);
    expect(document.title).toBe('(3) Help Desk OTP');
    host.setPendingCount(0);
    expect(document.title).toBe('Help Desk OTP');
    expect(pendingTitle(12)).toBe('(12) Help Desk OTP');
  });

  it('notifies through the Notification API when allowed and the console is not in front', () => {
    const shown: Array<{ title: string; options: NotificationOptions; onclick?: () => void }> = [];
    class FakeNotification {
      static permission = 'granted';
      onclick: (() => void) | null = null;
      constructor(title: string, options: NotificationOptions) {
        shown.push({ title, options, onclick: () => this.onclick?.() });
      }
      close() {}
    }
    vi.stubGlobal('Notification', FakeNotification);
    const hasFocus = vi.spyOn(document, 'hasFocus').mockReturnValue(true);
    const host = createConsoleHost();
    const opened: string[] = [];
    host.onOpenRequest((id) => opened.push(id));
    host.notify({ title: 'New request', body: 'x', requestId: 'r1' });
    expect(shown).toHaveLength(0);
    hasFocus.mockReturnValue(false);
    host.notify({ title: 'New request', body: 'x', requestId: 'r1' });
    expect(shown).toEqual([
      expect.objectContaining({ title: 'New request', options: { body: 'x', tag: 'r1' } }),
    ]);
    shown[0]!.onclick!();
    expect(opened).toEqual(['r1']);
    vi.unstubAllGlobals();
  });
});

describe('in the desktop app', () => {
  it('uses the bridge for the server, the token, notifications, the badge and opening requests', async () => {
    const listeners: Array<(id: string) => void> = [];
    const desk = {
      getServerUrl: vi.fn(async () => 'https://helpdesk.example'),
      getServerStatus: vi.fn(),
      getVersion: vi.fn(),
      saveSessionToken: vi.fn(async () => ({ stored: true })),
      loadSessionToken: vi.fn(async () => 'saved'),
      notify: vi.fn(async () => undefined),
      setPendingCount: vi.fn(async () => {
        throw new Error('no tray here');
      }),
      onOpenRequest: vi.fn((cb: (id: string) => void) => {
        listeners.push(cb);
        return () => undefined;
      }),
    };
    window.desk = desk as unknown as NonNullable<Window['desk']>;
    vi.spyOn(document, 'hasFocus').mockReturnValue(false);
    const host = createConsoleHost();
    expect(host.kind).toBe('desktop');
    expect(await host.serverUrl()).toBe('https://helpdesk.example');
    await host.saveSessionToken('t');
    expect(desk.saveSessionToken).toHaveBeenCalledWith('t');
    expect(sessionStorage.length).toBe(0);
    expect(await host.loadSessionToken()).toBe('saved');
    host.notify({ title: 'New', body: 'b', requestId: 'r9' });
    await Promise.resolve();
    expect(desk.notify).toHaveBeenCalledWith({ title: 'New', body: 'b', requestId: 'r9' });
    host.setPendingCount(4);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(desk.setPendingCount).toHaveBeenCalledWith(4);
    const opened: string[] = [];
    host.onOpenRequest((id) => opened.push(id));
    listeners[0]!('r9');
    expect(opened).toEqual(['r9']);
  });
});
