// The durable outbox: a mail is recorded on disk before `queue` resolves, and one worker sends what
// is due, one message at a time, retrying with backoff until the SMTP server takes it or it is given
// up on. Bodies are emptied once a message is settled (a body may hold a verification code).
//
// Exactly once, as far as SMTP allows: a message is marked `sent` only after the server accepted
// it, and every attempt carries the Message-ID fixed when it was recorded. The one window that
// cannot be closed is a crash after the server accepted the DATA and before `sent` reached the
// disk: after the restart the message is still pending and goes out again — with the same
// Message-ID, so mail systems and clients that deduplicate on it show it once. Everything recorded
// before a crash is sent after the restart (`start` sends what is pending).
import { randomBytes } from 'node:crypto';
import type { MailKind, MailSettings, MailStatus, OutboxEntryView } from '../contract/mail';
import type { AdminNotices } from '../agents/admin-notices';
import { ServiceError } from '../errors';
import type { Logger } from '../logger';
import type { RealmService } from '../realm/realm-service';
import type {
  AuditLog,
  KeyRepository,
  OutboxMessage,
  OutboxRepository,
} from '../store/repositories';
import { newMessageId } from './mail-test';
import { classifySmtpError } from './smtp-errors';
import { createSmtpTransport, fromOf, type SmtpTransport } from './smtp-transport';

export interface OutboxMail {
  kind: MailKind;
  to: string | readonly string[];
  subject: string;
  text: string;
  html: string;
  requestId?: string;
}

export interface RetrySchedule {
  /** The wait after the first failed attempt; doubled after each further one. */
  baseMs: number;
  maxMs: number;
  /** Attempts before a message is given up on. */
  maxAttempts: number;
  /** 0..1; the wait is scaled by 0.8–1.2 with it, so a backlog does not retry in lockstep. */
  random: () => number;
}

export const DEFAULT_RETRY: RetrySchedule = {
  baseMs: 15_000,
  maxMs: 30 * 60_000,
  maxAttempts: 10,
  random: Math.random,
};

/** Sent and failed messages are forgotten after this long. */
export const OUTBOX_KEEP_MS = 30 * 24 * 60 * 60_000;
const PRUNE_EVERY_MS = 60 * 60_000;
/** The timer never sleeps longer than this, so a clock that jumps is noticed. */
const MAX_SLEEP_MS = 60_000;
/** After the store itself failed, the worker tries again this much later. */
const AFTER_STORE_FAILURE_MS = 30_000;
const PROBLEMS_SHOWN = 20;
const SMTP_PASSWORD = 'smtp-password';

export interface OutboxDeps {
  outbox: OutboxRepository;
  realm: RealmService;
  keys: KeyRepository;
  audit: AuditLog;
  notices: AdminNotices;
  logger: Logger;
  now: () => number;
  retry?: Partial<RetrySchedule>;
}

/** The wait before attempt `attempts + 1`, after `attempts` failed ones. */
export function retryDelay(attempts: number, schedule: RetrySchedule): number {
  const plain = Math.min(schedule.baseMs * 2 ** Math.max(0, attempts - 1), schedule.maxMs);
  return Math.round(plain * (0.8 + 0.4 * schedule.random()));
}

export class Outbox {
  private readonly schedule: RetrySchedule;
  private started = false;
  /** Set by `stop`: a pass in progress ends after the message it is sending. */
  private stopping = false;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private lastAttempt: { error: string | null } | undefined;
  private lastPublished = '';
  private lastPruneAt = 0;
  /** One connection for the messages of a pass, for these settings and password; closed after it. */
  private connection: { key: string; transport: SmtpTransport } | undefined;

  constructor(private readonly deps: OutboxDeps) {
    this.schedule = { ...DEFAULT_RETRY, ...deps.retry };
  }

  /**
   * Records the mail durably and resolves then (the worker sends it later). Refused while mail is
   * off: nothing is kept that nobody would send.
   */
  async queue(mail: OutboxMail): Promise<{ id: string; messageId: string }> {
    const settings = this.deps.realm.config.mail;
    if (!settings.enabled)
      throw new ServiceError(
        'invalid-state',
        'Mail is turned off for this realm: an admin can turn it on in Settings → Mail.',
      );
    const to = typeof mail.to === 'string' ? [mail.to] : [...mail.to];
    if (to.length === 0) throw new ServiceError('bad-request', 'A mail needs a recipient.');
    const id = randomBytes(16).toString('hex');
    const at = this.deps.now();
    const message: OutboxMessage = {
      id,
      messageId: newMessageId(settings.fromAddress, id),
      kind: mail.kind,
      to,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      ...(mail.requestId !== undefined ? { requestId: mail.requestId } : {}),
      createdAt: at,
      state: 'pending',
      attempts: 0,
      nextAttemptAt: at,
      sentAt: null,
      lastError: null,
    };
    await this.deps.outbox.enqueue(message);
    this.publish();
    if (this.started) void this.run();
    return { id, messageId: message.messageId };
  }

  /** Starts the worker: sends what is pending now (recorded before a restart too), then as it comes due. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.stopping = false;
    void this.run();
  }

  /** Stops the worker; resolves once a send in progress has finished and been recorded. */
  async stop(): Promise<void> {
    this.started = false;
    this.stopping = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /**
   * Another server process recorded a mail: a started worker looks at once (a stopped one — not
   * the cluster's leader — leaves it to the worker that runs).
   */
  wake(): void {
    if (this.started) void this.run();
  }

  /** Sends whatever is due now, and resolves when that pass is over (tests move the clock, then kick). */
  kick(): Promise<void> {
    return this.run();
  }

  /** The mail connection's settings (or password) changed: what waits for a retry is tried at once. */
  async settingsChanged(): Promise<void> {
    const at = this.deps.now();
    const waiting = this.deps.outbox.due(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
    for (const message of waiting)
      if (message.nextAttemptAt > at)
        await this.deps.outbox.update(message.id, (current) =>
          current.state === 'pending' ? { ...current, nextAttemptAt: at } : undefined,
        );
    this.publish();
    if (this.started) void this.run();
  }

  status(): MailStatus {
    const { outbox, realm, keys } = this.deps;
    const counts = outbox.counts();
    const problems = outbox
      .recent(['pending', 'failed'], PROBLEMS_SHOWN * 5)
      .filter((m) => m.state === 'failed' || m.lastError !== null)
      .slice(0, PROBLEMS_SHOWN)
      .map(toEntryView);
    const lastError =
      this.lastAttempt !== undefined
        ? this.lastAttempt.error
        : (outbox.recent(['pending'], 50).find((m) => m.lastError !== null)?.lastError ?? null);
    return {
      enabled: realm.config.mail.enabled,
      passwordSaved: keys.secret(SMTP_PASSWORD) !== undefined,
      outbox: {
        pending: counts.pending,
        failed: counts.failed,
        lastError,
        lastSentAt: outbox.recent(['sent'], 1)[0]?.sentAt ?? null,
      },
      problems,
    };
  }

  /** One worker pass at a time; a call during a pass makes it look again before it ends. */
  private run(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    clearTimeout(this.timer);
    this.timer = undefined;
    const pass = async () => {
      do {
        this.again = false;
        await this.sendDue();
      } while (this.again && !this.stopping);
    };
    this.running = pass()
      .then(
        () => this.sleepUntilNextDue(),
        (error: unknown) => {
          this.deps.logger.error('outbox: the worker stopped on a store error', error);
          this.sleep(AFTER_STORE_FAILURE_MS);
        },
      )
      .finally(() => {
        this.connection?.transport.close();
        this.connection = undefined;
        this.running = undefined;
      });
    return this.running;
  }

  private async sendDue(): Promise<void> {
    await this.pruneNowAndThen();
    for (;;) {
      const settings = this.deps.realm.config.mail;
      if (!settings.enabled || this.stopping) return;
      const [message] = this.deps.outbox.due(this.deps.now(), 1);
      if (!message) return;
      await this.attempt(message, settings);
    }
  }

  private sleepUntilNextDue(): void {
    const next = this.deps.outbox.nextDueAt();
    if (next === undefined) return;
    this.sleep(Math.max(0, next - this.deps.now()));
  }

  private sleep(ms: number): void {
    if (!this.started) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.run(), Math.min(ms, MAX_SLEEP_MS));
  }

  private async attempt(message: OutboxMessage, settings: MailSettings): Promise<void> {
    const { outbox, keys } = this.deps;
    const password = keys.secret(SMTP_PASSWORD);
    // The attempt is counted on disk before the send, so a message that brings the process down
    // every time is still given up on after the limit. Its due time stays: a restart retries it now.
    const counted = await outbox.update(message.id, (current) =>
      current.state === 'pending' ? { ...current, attempts: current.attempts + 1 } : undefined,
    );
    if (!counted) return;
    const transport = this.transportFor(settings, password);
    let outcome: { accepted: true; rejected: string[] } | { accepted: false; error: unknown };
    try {
      const info = await transport.sendMail({
        from: fromOf(settings),
        to: counted.to,
        subject: counted.subject,
        text: counted.text,
        html: counted.html,
        // The same Message-ID on every attempt: a resend after a crash is the same message.
        messageId: counted.messageId,
      });
      outcome = { accepted: true, rejected: info.rejected.map(String) };
    } catch (error) {
      outcome = { accepted: false, error };
      // The next message starts on a fresh connection (this one may be in any state).
      transport.close();
      this.connection = undefined;
    }
    // ← A crash here, after the server took the message, sends it again after the restart.
    if (outcome.accepted) await this.markSent(counted, outcome.rejected);
    else await this.markFailedAttempt(counted, settings, password, outcome.error);
    this.publish();
  }

  private transportFor(settings: MailSettings, password: string | undefined): SmtpTransport {
    const key = JSON.stringify([settings, password]);
    if (this.connection?.key !== key) {
      this.connection?.transport.close();
      this.connection = {
        key,
        transport: createSmtpTransport(settings, password, { pooled: true }),
      };
    }
    return this.connection.transport;
  }

  private async markSent(message: OutboxMessage, rejected: string[]): Promise<void> {
    const at = this.deps.now();
    const sent = await this.deps.outbox.update(message.id, (current) =>
      current.state === 'pending'
        ? { ...current, state: 'sent', sentAt: at, text: '', html: '', lastError: null }
        : undefined,
    );
    this.lastAttempt = { error: null };
    if (!sent) return;
    await this.deps.audit.record({
      actor: 'system',
      action: 'mail.sent',
      ...(sent.requestId !== undefined ? { requestId: sent.requestId } : {}),
      details: {
        kind: sent.kind,
        to: sent.to,
        messageId: sent.messageId,
        attempts: sent.attempts,
        ...(rejected.length > 0 ? { rejected } : {}),
      },
    });
  }

  private async markFailedAttempt(
    message: OutboxMessage,
    settings: MailSettings,
    password: string | undefined,
    error: unknown,
  ): Promise<void> {
    const problem = classifySmtpError(error, settings, password);
    const refused =
      problem.permanent && (problem.stage === 'recipient' || problem.stage === 'sender');
    const giveUp = refused || message.attempts >= this.schedule.maxAttempts;
    const at = this.deps.now();
    const lastError = `${problem.stage}: ${problem.message}`;
    this.lastAttempt = { error: lastError };
    const next = await this.deps.outbox.update(message.id, (current) => {
      if (current.state !== 'pending') return undefined;
      return giveUp
        ? { ...current, state: 'failed', text: '', html: '', lastError }
        : {
            ...current,
            lastError,
            nextAttemptAt: at + retryDelay(current.attempts, this.schedule),
          };
    });
    if (!next) return;
    if (giveUp) {
      this.deps.logger.warn(`outbox: gave up on mail ${next.id} (${next.kind}): ${problem.stage}`);
      await this.deps.audit.record({
        actor: 'system',
        action: 'mail.failed',
        ...(next.requestId !== undefined ? { requestId: next.requestId } : {}),
        details: {
          kind: next.kind,
          to: next.to,
          messageId: next.messageId,
          attempts: next.attempts,
          stage: problem.stage,
          error: problem.message,
        },
      });
    } else {
      this.deps.logger.warn(
        `outbox: mail ${next.id} (${next.kind}) not sent (attempt ${next.attempts}): ${problem.stage}`,
      );
    }
  }

  private async pruneNowAndThen(): Promise<void> {
    const at = this.deps.now();
    if (at - this.lastPruneAt < PRUNE_EVERY_MS) return;
    this.lastPruneAt = at;
    const pruned = await this.deps.outbox.prune(at - OUTBOX_KEEP_MS);
    if (pruned > 0) this.publish();
  }

  /** Tells admins when what they see (counts, last error, problems) changed. */
  private publish(): void {
    const status = this.status();
    const key = JSON.stringify(status);
    if (key === this.lastPublished) return;
    this.lastPublished = key;
    this.deps.notices.mailStatus(status);
  }
}

function toEntryView(message: OutboxMessage): OutboxEntryView {
  return {
    id: message.id,
    kind: message.kind,
    to: message.to,
    subject: message.subject,
    state: message.state,
    attempts: message.attempts,
    createdAt: message.createdAt,
    nextAttemptAt: message.state === 'pending' ? message.nextAttemptAt : null,
    sentAt: message.sentAt,
    lastError: message.lastError,
  };
}
