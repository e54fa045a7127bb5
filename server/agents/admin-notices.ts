// What admins must hear live, whatever raised it (a "This wasn't me" link, the outbox): services
// raise notices here, and the agent namespace sends them to every admin console.
import type { AdminAlert, MailStatus } from '../contract/mail';

export type AdminNotice =
  { kind: 'alert'; alert: AdminAlert } | { kind: 'mail-status'; status: MailStatus };

export type AdminNoticeListener = (notice: AdminNotice) => void;

export class AdminNotices {
  private readonly listeners = new Set<AdminNoticeListener>();

  onNotice(listener: AdminNoticeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  alert(alert: AdminAlert): void {
    this.publish({ kind: 'alert', alert });
  }

  mailStatus(status: MailStatus): void {
    this.publish({ kind: 'mail-status', status });
  }

  private publish(notice: AdminNotice): void {
    for (const listener of this.listeners) listener(notice);
  }
}
