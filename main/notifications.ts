// Desktop notifications the console asks for; a click brings the console forward on that request.
import { Notification } from 'electron';
import type { DesktopNotice } from './ipc';

export interface Notifier {
  notify(notice: DesktopNotice): void;
}

/** At most this many notifications are kept alive (see below); older ones are let go. */
const MAX_LIVE = 20;

export function createNotifier(onClick: (requestId: string | undefined) => void): Notifier {
  // A notification that is garbage-collected stops delivering its click: keep each one until it
  // is clicked or closed.
  const live = new Set<Notification>();
  return {
    notify(notice) {
      if (!Notification.isSupported()) return;
      const notification = new Notification({ title: notice.title, body: notice.body });
      const release = () => live.delete(notification);
      notification.on('click', () => {
        release();
        onClick(notice.requestId);
      });
      notification.on('close', release);
      live.add(notification);
      if (live.size > MAX_LIVE) {
        const oldest = live.values().next().value;
        if (oldest) live.delete(oldest);
      }
      notification.show();
    },
  };
}
