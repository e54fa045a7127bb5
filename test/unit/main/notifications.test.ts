import { beforeEach, describe, expect, it, vi } from 'vitest';

const electron = vi.hoisted(() => {
  const shown: Array<{
    options: { title: string; body: string };
    listeners: Map<string, () => void>;
    show: ReturnType<typeof vi.fn>;
  }> = [];
  const Notification = Object.assign(
    vi.fn(function (options: { title: string; body: string }) {
      const listeners = new Map<string, () => void>();
      const notification = {
        options,
        listeners,
        show: vi.fn(),
        on: (event: string, listener: () => void) => listeners.set(event, listener),
      };
      shown.push(notification);
      return notification;
    }),
    { isSupported: vi.fn(() => true) },
  );
  return { shown, Notification };
});
vi.mock('electron', () => electron);

const { createNotifier } = await import('../../../main/notifications');

beforeEach(() => {
  vi.clearAllMocks();
  electron.shown.length = 0;
});

describe('createNotifier', () => {
  it('shows the notification, and a click opens its request', () => {
    const onClick = vi.fn();
    createNotifier(onClick).notify({
      title: 'New request K7M-4QX',
      body: 'jsmith on Help Desk 1',
      requestId: 'AbCdEfGhIjKlMnOpQrStUv',
    });
    const [notification] = electron.shown;
    expect(notification?.options).toEqual({
      title: 'New request K7M-4QX',
      body: 'jsmith on Help Desk 1',
    });
    expect(notification?.show).toHaveBeenCalled();
    notification?.listeners.get('click')?.();
    expect(onClick).toHaveBeenCalledWith('AbCdEfGhIjKlMnOpQrStUv');
  });

  it('brings the console forward on a click even without a request', () => {
    const onClick = vi.fn();
    createNotifier(onClick).notify({ title: 'Connection lost', body: 'Reconnecting…' });
    electron.shown[0]?.listeners.get('click')?.();
    expect(onClick).toHaveBeenCalledWith(undefined);
  });

  it('does nothing where the system has no notifications', () => {
    electron.Notification.isSupported.mockReturnValueOnce(false);
    createNotifier(vi.fn()).notify({ title: 'New request', body: '' });
    expect(electron.shown).toHaveLength(0);
  });
});
