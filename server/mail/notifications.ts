// The mails a request's life sends as it happens: a new request to its desk's address, each passcode
// issued and a completed sign-in to the user's directory address (read live), each with "This wasn't
// me". Only while mail is on and the realm's notification settings say so; a mail that cannot be
// queued is logged and never holds up the request.
import type { RealmConfig } from '../contract/realm-config';
import type { Directory } from '../directory/directory';
import type { HelpRequest } from '../domain/help-request';
import type { Logger } from '../logger';
import type { RealmService } from '../realm/realm-service';
import type { NotMeReports } from '../requests/not-me-reports';
import type { RequestChange, RequestService } from '../requests/request-service';
import type { MailQueue, Message, UserNoticeInput } from './messages';
import { deskNewRequestMail, passcodeIssuedMail, signInCompletedMail } from './messages';

export interface NotificationDeps {
  requests: RequestService;
  realm: RealmService;
  directory: Directory;
  mail: MailQueue;
  notMe: NotMeReports;
  /** The server's public base URL, for the links in mails (no trailing slash). */
  publicUrl: () => string;
  logger: Logger;
}

export interface MailNotifications {
  /** Stops listening; resolves once every mail already being queued is recorded (or has failed). */
  stop(): Promise<void>;
}

/** The mail one change of a request sends, and to whom; undefined when it sends none. */
type Planned = { to: () => Promise<string | undefined>; message: () => Message };

export function mailNotifications(deps: NotificationDeps): MailNotifications {
  const { requests, realm, directory, mail, notMe, logger } = deps;
  const pending = new Set<Promise<void>>();

  const userAddress = (request: HelpRequest) => async () =>
    // Read live: the address on file now, not one the request or a caller carried.
    (await directory.findUser(request.username))?.email.trim() || undefined;

  const userNotice = (request: HelpRequest, at: number): UserNoticeInput => ({
    realm: realm.config,
    request,
    at,
    notMeUrl: `${deps.publicUrl()}/sign-in/not-me?t=${encodeURIComponent(
      notMe.token(request.username, request.id),
    )}`,
  });

  const plan = (change: RequestChange, config: RealmConfig): Planned | undefined => {
    const { request } = change;
    if (change.kind === 'created') {
      const desk = config.helpDesks[request.desk];
      if (!config.notifications.deskNewRequest[request.desk] || desk.email === '') return undefined;
      return {
        to: () => Promise.resolve(desk.email),
        message: () =>
          deskNewRequestMail({ realm: config, request, consoleUrl: `${deps.publicUrl()}/agent` }),
      };
    }
    if (change.action === 'request.otp-revealed' && request.state === 'otp-issued') {
      if (!config.notifications.passcodeIssued) return undefined;
      const at = request.otp.issuedAt;
      return {
        to: userAddress(request),
        message: () => passcodeIssuedMail(userNotice(request, at)),
      };
    }
    if (change.action === 'request.completed' && request.state === 'completed') {
      if (!config.notifications.signInCompleted) return undefined;
      const at = request.closedAt;
      return {
        to: userAddress(request),
        message: () => signInCompletedMail(userNotice(request, at)),
      };
    }
    return undefined;
  };

  const send = async (change: RequestChange, planned: Planned) => {
    try {
      const to = await planned.to();
      if (!to) return;
      await mail.queue({ ...planned.message(), to, requestId: change.request.id });
    } catch (error) {
      // Never the mail's content: which notice and which request.
      logger.warn(
        `could not queue the ${change.action ?? change.kind} mail of request ${change.request.id}: ${
          error instanceof Error ? error.message : String(error)
        }`,
      );
    }
  };

  const unsubscribe = requests.onChange((change) => {
    const config = realm.config;
    if (!config.mail.enabled) return;
    const planned = plan(change, config);
    if (!planned) return;
    const work = send(change, planned);
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
