// Streams every audit entry, as it is written, to the realm's SIEM destinations (syslog, a webhook):
// one worker per destination follows the log from a durable cursor — the seq of the last entry that
// destination confirmed — and sends what follows in seq order, a batch at a time.
//
// At least once, never skipped: the cursor moves only after a batch was delivered (and is on disk
// before the next batch leaves), so a restart, a crash or an outage resumes at the first entry not
// confirmed; an entry may arrive twice (a crash between the delivery and the cursor's write, or a
// syslog connection lost after a flush), so receivers deduplicate by seq (or hash). The chain lets
// them check nothing was altered: each entry carries its hash and the previous one's.
//
// How it learns of new entries: it reads `AuditLog.lastSeq` once a second (a number in memory)
// instead of hooking `record`: entries reach the log by several paths (`record`, and request
// changes committed with their entries in one write), and a shared store gets entries from other
// processes too; a one-second poll sees them all, costs nothing while idle, and bounds the delay.
import { createHash, randomBytes } from 'node:crypto';
import type { AdminNotices } from '../../agents/admin-notices';
import type { AuditExportSettings } from '../../contract/realm-config';
import { AuditExportSchema } from '../../contract/realm-config';
import { badRequest, ServiceError } from '../../errors';
import type { Logger } from '../../logger';
import type { RealmService } from '../../realm/realm-service';
import type {
  AuditLog,
  ExportCursorRepository,
  KeyRepository,
  SecretName,
} from '../../store/repositories';
import { entriesAfter } from './audit-tail';
import type { AuditSink } from './sink';
import { DeliveryError, describeFailure } from './sink';
import { SyslogSink } from './syslog-sink';
import { WebhookSink } from './webhook-sink';

export const EXPORT_DESTINATIONS = ['syslog', 'webhook'] as const;
export type ExportDestination = (typeof EXPORT_DESTINATIONS)[number];

/** The key of the webhook's signing secret among the server's secrets. */
export const WEBHOOK_SECRET = 'audit-webhook-secret' satisfies SecretName;

export interface ExportRetry {
  /** The wait after the first failed attempt; doubled after each further one, up to `maxMs`. */
  baseMs: number;
  maxMs: number;
  /** 0..1; each wait is scaled by 0.5–1.5 with it, so exporters that failed together do not retry together. */
  random: () => number;
}

export const DEFAULT_EXPORT_RETRY: ExportRetry = {
  baseMs: 1_000,
  maxMs: 60_000,
  random: Math.random,
};

/** The shortest webhook signing key accepted. */
export const MIN_WEBHOOK_SECRET_LENGTH = 16;
/** Longest wait a Retry-After is honoured for; a longer one is cut to this. */
const MAX_RETRY_AFTER_MS = 60 * 60_000;
const POLL_MS = 1_000;
/** Entries per batch: a syslog write, or a webhook POST. */
const BATCH = { syslog: 200, webhook: 100 } as const;

export interface DestinationStatus {
  /** off: not enabled; idle: caught up; sending; retrying after a failure; stopped: refused, waits for new settings. */
  state: 'off' | 'idle' | 'sending' | 'retrying' | 'stopped';
  /** The seq of the last entry the destination confirmed (0: none yet). */
  cursor: number;
  lastError: string | null;
}

export type AuditExportStatus = Record<ExportDestination, DestinationStatus>;

/** The wait before attempt `failures + 1`. */
export function exportRetryDelay(
  failures: number,
  retry: ExportRetry,
  retryAfterMs?: number,
): number {
  const backoff = Math.min(retry.baseMs * 2 ** Math.max(0, failures - 1), retry.maxMs);
  const jittered = Math.round(backoff * (0.5 + retry.random()));
  return retryAfterMs === undefined
    ? jittered
    : Math.max(jittered, Math.min(retryAfterMs, MAX_RETRY_AFTER_MS));
}

export interface AuditExporterDeps {
  audit: AuditLog;
  cursors: ExportCursorRepository;
  realm: RealmService;
  keys: KeyRepository;
  notices: AdminNotices;
  logger: Logger;
  now: () => number;
  retry?: Partial<ExportRetry>;
}

/** One destination's worker: a loop that sends what follows its cursor, and waits. */
class ExportLane {
  private sink: AuditSink | undefined;
  private loop: Promise<void> | undefined;
  private stopping = false;
  private interrupt: (() => void) | undefined;
  private state: DestinationStatus['state'] = 'off';
  private lastError: string | null = null;

  constructor(
    readonly name: ExportDestination,
    private readonly deps: AuditExporterDeps,
    private readonly retry: ExportRetry,
  ) {}

  status(): DestinationStatus {
    return {
      state: this.state,
      cursor: this.deps.cursors.get(this.name) ?? 0,
      lastError: this.lastError,
    };
  }

  /** Starts sending to `sink` (or leaves the lane off, with why when `problem` says so). */
  start(sink: AuditSink | undefined, problem?: string): void {
    this.sink = sink;
    this.stopping = false;
    this.lastError = problem ?? null;
    this.state = sink ? 'idle' : problem ? 'stopped' : 'off';
    if (sink) this.loop = this.run(sink);
  }

  /** Stops after the delivery in progress (and its cursor) is done; closes the connection. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.interrupt?.();
    await this.loop;
    this.loop = undefined;
    this.sink?.close();
    this.sink = undefined;
  }

  private async run(sink: AuditSink): Promise<void> {
    const { audit, cursors, logger } = this.deps;
    const start = cursors.get(this.name) ?? 0;
    if (start > audit.lastSeq)
      // A data dir restored from a backup older than the cursor: the entries written from here on
      // take seqs the destination already has, and one that deduplicates by seq would drop them.
      logger.warn(
        `audit export (${this.name}): the cursor (seq ${start}) is ahead of the audit log (seq ${audit.lastSeq}); ` +
          'entries up to it are not sent. Was the data restored from a backup? Set the cursor back to resend.',
      );
    let failures = 0;
    while (!this.stopping) {
      let delivered: number;
      try {
        const after = cursors.get(this.name) ?? 0;
        const batch =
          audit.lastSeq > after ? await entriesAfter(audit, after, BATCH[this.name]) : [];
        if (batch.length === 0) {
          await this.sleep(POLL_MS);
          continue;
        }
        if (this.stopping) return;
        this.state = 'sending';
        await sink.deliver(batch);
        delivered = batch.at(-1)!.seq;
      } catch (error) {
        if (error instanceof DeliveryError && !error.retry) {
          await this.refused(error);
          return;
        }
        failures += 1;
        this.state = 'retrying';
        this.lastError = describeFailure(error);
        const wait = exportRetryDelay(
          failures,
          this.retry,
          error instanceof DeliveryError ? error.retryAfterMs : undefined,
        );
        logger.warn(
          `audit export (${this.name}): not delivered (attempt ${failures}), next try in ${Math.ceil(wait / 1000)} s: ${this.lastError}`,
        );
        await this.sleep(wait);
        continue;
      }
      // The cursor moves only now, and is on disk before the next batch leaves.
      try {
        await cursors.set(this.name, delivered);
      } catch (error) {
        logger.error(`audit export (${this.name}): could not save the cursor`, error);
        await this.sleep(exportRetryDelay(++failures, this.retry));
        continue;
      }
      if (failures > 0) logger.info(`audit export (${this.name}): delivering again`);
      failures = 0;
      this.lastError = null;
      this.state = 'idle';
    }
  }

  /** The destination refused for good: stop here, the cursor where it is, and tell admins. */
  private async refused(error: DeliveryError): Promise<void> {
    const { cursors, notices, audit, logger, now } = this.deps;
    const cursor = cursors.get(this.name) ?? 0;
    this.state = 'stopped';
    this.lastError = error.message;
    logger.error(`audit export (${this.name}): stopped at seq ${cursor + 1}: ${error.message}`);
    notices.alert({
      id: randomBytes(8).toString('hex'),
      kind: 'audit-export-stopped',
      username: 'system',
      message:
        `The audit export to the ${this.name} stopped: ${error.message}. Entries from seq ` +
        `${cursor + 1} on wait, none skipped; fix the settings under Audit export and save them to resume.`,
      at: now(),
    });
    try {
      await audit.record({
        actor: 'system',
        action: 'audit-export.stopped',
        details: { destination: this.name, waitingFrom: cursor + 1, error: error.message },
      });
    } catch (recordError) {
      logger.error(`audit export (${this.name}): could not record the stop`, recordError);
    }
  }

  /** Waits `ms`, or less when woken or stopped. */
  private sleep(ms: number): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.interrupt = () => {
        this.interrupt = undefined;
        done();
      };
    });
  }
}

export class AuditExporter {
  private readonly lanes: Record<ExportDestination, ExportLane>;
  /** What each lane was started with, so a settings change restarts only the lanes it touches. */
  private readonly started: Partial<Record<ExportDestination, string>> = {};
  private running = false;
  /** Settings changes are applied one after the other. */
  private applying: Promise<void> = Promise.resolve();
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly deps: AuditExporterDeps) {
    const retry = { ...DEFAULT_EXPORT_RETRY, ...deps.retry };
    this.lanes = {
      syslog: new ExportLane('syslog', deps, retry),
      webhook: new ExportLane('webhook', deps, retry),
    };
  }

  /** Starts the destinations the realm enables, from their cursors, and follows settings changes. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.unsubscribe = this.deps.realm.onChange(() => void this.apply(false));
    void this.apply(false);
  }

  /** Stops every destination; resolves once deliveries in progress have finished and been recorded. */
  async stop(): Promise<void> {
    this.running = false;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    // In line with settings changes, so a start right after (a leader regained) comes after it.
    await this.apply(false);
  }

  /**
   * Saves the export settings and, when given, the webhook's secret ('' forgets it); then every
   * destination starts again from its cursor (a destination that had stopped tries again).
   */
  async configure(
    input: { settings: AuditExportSettings; webhookSecret?: string },
    actor: string,
  ): Promise<AuditExportStatus> {
    const { keys, realm, audit } = this.deps;
    // Everything is checked before anything is saved.
    const parsed = AuditExportSchema.safeParse(input.settings);
    if (!parsed.success) throw badRequest(parsed.error, 'The audit export settings');
    const secret = input.webhookSecret;
    if (secret !== undefined && secret !== '' && secret.length < MIN_WEBHOOK_SECRET_LENGTH)
      throw new ServiceError(
        'bad-request',
        `The webhook signing key must be at least ${MIN_WEBHOOK_SECRET_LENGTH} characters long.`,
      );
    if (parsed.data.webhook.enabled && (secret ?? keys.secret(WEBHOOK_SECRET) ?? '') === '')
      throw new ServiceError(
        'bad-request',
        'The webhook needs a signing key: the receiver checks each delivery with it.',
      );
    if (secret !== undefined) {
      await keys.setSecret(WEBHOOK_SECRET, secret === '' ? undefined : secret);
      await audit.record({
        actor,
        action: 'audit-export.webhook-key-changed',
        details: { saved: secret !== '' },
      });
    }
    await realm.update({ auditExport: parsed.data }, actor);
    await this.apply(true);
    return this.status();
  }

  status(): AuditExportStatus {
    return { syslog: this.lanes.syslog.status(), webhook: this.lanes.webhook.status() };
  }

  private apply(force: boolean): Promise<void> {
    this.applying = this.applying.then(async () => {
      for (const name of EXPORT_DESTINATIONS) {
        const wanted = this.running ? this.destination(name) : undefined;
        if (!force && wanted?.key === this.started[name]) continue;
        await this.lanes[name].stop();
        delete this.started[name];
        if (!this.running || wanted === undefined) continue;
        this.started[name] = wanted.key;
        if ('problem' in wanted) this.lanes[name].start(undefined, wanted.problem);
        else this.lanes[name].start(wanted.open());
      }
    });
    // One failed change must not stop the next from being applied.
    this.applying = this.applying.catch((error: unknown) =>
      this.deps.logger.error('audit export: could not apply the settings', error),
    );
    return this.applying;
  }

  /**
   * What a destination's settings call for (undefined: off): a key that changes when they do, and
   * how to open its sink, or why it cannot be.
   */
  private destination(
    name: ExportDestination,
  ): { key: string; open: () => AuditSink } | { key: string; problem: string } | undefined {
    const settings = this.deps.realm.config.auditExport;
    if (name === 'syslog') {
      const syslog = settings.syslog;
      if (!syslog.enabled) return undefined;
      return { key: JSON.stringify(syslog), open: () => new SyslogSink(syslog) };
    }
    const webhook = settings.webhook;
    if (!webhook.enabled) return undefined;
    const secret = this.deps.keys.secret(WEBHOOK_SECRET);
    // A new secret restarts the lane; the key holds only its digest.
    const digest = secret === undefined ? null : createHash('sha256').update(secret).digest('hex');
    const key = JSON.stringify([webhook, digest]);
    if (secret === undefined)
      return { key, problem: 'No webhook signing key is saved: save one with the settings.' };
    return { key, open: () => new WebhookSink(webhook, secret, this.deps.now) };
  }
}
