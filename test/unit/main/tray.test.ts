import { beforeEach, describe, expect, it, vi } from 'vitest';

type MenuItem = { label?: string; role?: string; type?: string; click?: () => void };
const electron = vi.hoisted(() => {
  const trays: Array<
    Record<string, ReturnType<typeof vi.fn>> & { listeners: Map<string, () => void> }
  > = [];
  const image = () => ({ addRepresentation: vi.fn(), setTemplateImage: vi.fn() });
  return {
    trays,
    app: { setBadgeCount: vi.fn(() => true) },
    nativeImage: { createFromDataURL: vi.fn(image) },
    Menu: { buildFromTemplate: vi.fn((items: MenuItem[]) => ({ items })) },
    Tray: vi.fn(function (this: unknown, icon: unknown) {
      const listeners = new Map<string, () => void>();
      const tray = {
        icon,
        listeners,
        setContextMenu: vi.fn(),
        setToolTip: vi.fn(),
        setTitle: vi.fn(),
        destroy: vi.fn(),
        on: vi.fn((event: string, listener: () => void) => listeners.set(event, listener)),
      };
      trays.push(tray as never);
      return tray;
    }),
  };
});
vi.mock('electron', () => electron);

const { createPendingIndicator, pendingSummary } = await import('../../../main/tray');

function fakeWindow() {
  return { isDestroyed: vi.fn(() => false), setOverlayIcon: vi.fn() };
}

beforeEach(() => {
  vi.clearAllMocks();
  electron.trays.length = 0;
});

describe('pendingSummary', () => {
  it('says how many requests wait, in words', () => {
    expect(pendingSummary(0)).toBe('No pending requests');
    expect(pendingSummary(1)).toBe('1 pending request');
    expect(pendingSummary(12)).toBe('12 pending requests');
  });
});

describe('createPendingIndicator', () => {
  it('puts a template icon in the macOS menu bar, with the count as its title and on the dock', () => {
    const showWindow = vi.fn();
    const indicator = createPendingIndicator({
      showWindow,
      getWindow: () => null,
      changeServer: vi.fn(),
      platform: 'darwin',
    });
    const tray = electron.trays[0]!;
    const trayIcon = tray['icon'] as unknown as { setTemplateImage: ReturnType<typeof vi.fn> };
    expect(trayIcon.setTemplateImage).toHaveBeenCalledWith(true);
    expect(tray['setToolTip']).toHaveBeenLastCalledWith('Help Desk OTP — No pending requests');

    indicator.setPendingCount(3);
    expect(tray['setToolTip']).toHaveBeenLastCalledWith('Help Desk OTP — 3 pending requests');
    expect(tray['setTitle']).toHaveBeenLastCalledWith('3');
    expect(electron.app.setBadgeCount).toHaveBeenLastCalledWith(3);

    indicator.setPendingCount(0);
    expect(tray['setTitle']).toHaveBeenLastCalledWith('');
    expect(electron.app.setBadgeCount).toHaveBeenLastCalledWith(0);
  });

  it('opens the console from a click on the icon or its menu, and offers to quit', () => {
    const showWindow = vi.fn();
    createPendingIndicator({
      showWindow,
      getWindow: () => null,
      changeServer: vi.fn(),
      platform: 'linux',
    });
    electron.trays[0]!.listeners.get('click')?.();
    expect(showWindow).toHaveBeenCalledTimes(1);
    const [items] = electron.Menu.buildFromTemplate.mock.lastCall as [MenuItem[]];
    items.find((item) => item.label === 'Open Help Desk OTP')?.click?.();
    expect(showWindow).toHaveBeenCalledTimes(2);
    expect(items).toContainEqual(expect.objectContaining({ label: 'Quit', role: 'quit' }));
  });

  it('offers to change the server only while the agent chose it', () => {
    const changeServer = vi.fn();
    const indicator = createPendingIndicator({
      showWindow: vi.fn(),
      getWindow: () => null,
      changeServer,
      platform: 'linux',
    });
    const labels = () =>
      (electron.Menu.buildFromTemplate.mock.lastCall as [MenuItem[]])[0].map(
        (item) => item.label ?? item.type,
      );
    expect(labels()).toEqual(['Open Help Desk OTP', 'separator', 'Quit']);
    indicator.offerServerChange(true);
    expect(labels()).toEqual(['Open Help Desk OTP', 'Change server…', 'separator', 'Quit']);
    const [items] = electron.Menu.buildFromTemplate.mock.lastCall as [MenuItem[]];
    items.find((item) => item.label === 'Change server…')?.click?.();
    expect(changeServer).toHaveBeenCalledTimes(1);
    indicator.offerServerChange(false);
    expect(labels()).toEqual(['Open Help Desk OTP', 'separator', 'Quit']);
  });

  it('uses a colour icon and no title outside macOS', () => {
    const indicator = createPendingIndicator({
      showWindow: vi.fn(),
      getWindow: () => null,
      changeServer: vi.fn(),
      platform: 'linux',
    });
    const trayIcon = electron.trays[0]!['icon'] as unknown as {
      setTemplateImage: ReturnType<typeof vi.fn>;
    };
    expect(trayIcon.setTemplateImage).not.toHaveBeenCalled();
    indicator.setPendingCount(2);
    expect(electron.trays[0]!['setTitle']).not.toHaveBeenCalled();
    expect(electron.app.setBadgeCount).toHaveBeenLastCalledWith(2);
  });

  it('puts a red dot over the Windows taskbar button while requests wait', () => {
    const window = fakeWindow();
    const indicator = createPendingIndicator({
      showWindow: vi.fn(),
      getWindow: () => window as never,
      changeServer: vi.fn(),
      platform: 'win32',
    });
    indicator.setPendingCount(4);
    expect(window.setOverlayIcon).toHaveBeenLastCalledWith(expect.anything(), '4 pending requests');
    indicator.setPendingCount(0);
    expect(window.setOverlayIcon).toHaveBeenLastCalledWith(null, '');
  });

  it('removes the icon when destroyed', () => {
    createPendingIndicator({
      showWindow: vi.fn(),
      getWindow: () => null,
      changeServer: vi.fn(),
      platform: 'linux',
    }).destroy();
    expect(electron.trays[0]!['destroy']).toHaveBeenCalled();
  });
});
