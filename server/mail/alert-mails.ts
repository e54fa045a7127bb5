// Admins' alerts by mail: each alert raised (suspicious caller, "This wasn't me", a cap reached, a
// refused approval) is mailed to the realm's security address as well as shown live in the console,
// while mail is on and an address is set. A mail that cannot be queued is logged, never thrown.
import type { AdminNotices } from '../agents/admin-notices';
import type { Logger } from '../logger';
import type { RealmService } from '../realm/realm-service';
import type { MailQueue } from './messages';
import { securityAlertMail } from './messages';

export interface AlertMailDeps {
  notices: AdminNotices;
  realm: RealmService;
  mail: MailQueue;
  /** The server's public base URL (no trailing slash). */
  publicUrl: () => string;
  logger: Logger;
}

export function alertMails(deps: AlertMailDeps): { stop(): Promise<void> } {
  const pending = new Set<Promise<void>>();
  const unsubscribe = deps.notices.onNotice((notice) => {
    if (notice.kind !== 'alert') return;
    const config = deps.realm.config;
    const to = config.notifications.securityAlertsTo;
    if (!config.mail.enabled || to === '') return;
    const work = deps.mail
      .queue({
        ...securityAlertMail({
          realm: config,
          alert: notice.alert,
          consoleUrl: `${deps.publicUrl()}/agent`,
        }),
        to,
      })
      .then(
        () => undefined,
        (error: unknown) =>
          deps.logger.warn(
            `could not queue the ${notice.alert.kind} alert mail: ${error instanceof Error ? error.message : String(error)}`,
          ),
      );
    pending.add(work);
    void work.finally(() => pending.delete(work));
  });
  return {
    async stop() {
      unsubscribe();
      await Promise.all(pending);
    },
  };
}
