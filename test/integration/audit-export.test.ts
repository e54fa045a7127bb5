// The audit export (SIEM): every entry, as it is written, to a real rsyslog over TLS (RFC 5424,
// octet-counted) and to a real HTTPS receiver (HMAC-signed batches) — in seq order, through outages
// of the receiver and restarts (and a kill) of the server, resuming from the durable cursor with
// nothing skipped; a webhook that refuses stops the export and tells admins.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import type { AdminNotice } from '../../server/agents/admin-notices';
import type { Store } from '../../server/store/repositories';
import type { AuditEntry } from '../../server/audit/audit-chain';
import { computeEntryHash } from '../../server/audit/audit-chain';
import { SYSLOG_SD_ID } from '../../server/audit/export/syslog-sink';
import type { AuditExportSettings } from '../../server/contract/realm-config';
import { defaultAuditExportSettings } from '../../server/contract/realm-config';
import { AdminNotices } from '../../server/agents/admin-notices';
import { AuditExporter } from '../../server/audit/export/audit-exporter';
import { silentLogger } from '../../server/logger';
import { RealmService } from '../../server/realm/realm-service';
import { openEmbeddedStore } from '../../server/store/embedded/embedded-store';
import { openPostgresStore } from '../../server/store/postgres/postgres-store';
import { startPostgres } from '../support/postgres';
import type { Rsyslog, SyslogMessage } from '../support/rsyslog';
import { startRsyslog } from '../support/rsyslog';
import { runServer } from '../support/server-process';
import type { TestServer } from '../support/test-server';
import { startTestServer } from '../support/test-server';
import { makeTestCertificates } from '../support/throwaway-tls';

/** Longer than any wait here should take, shorter than the test's own timeout (so a failure says what it waited for). */
const WAIT = { timeout: 20_000, interval: 50 };
const WEBHOOK_KEY = 'whsec-test-0123456789abcdef0123456789abcdef';

let syslog: Rsyslog;
let receiver: WebhookReceiver;

beforeAll(async () => {
  [syslog, receiver] = await Promise.all([startRsyslog(), startWebhookReceiver()]);
});

afterAll(async () => {
  await Promise.all([syslog?.dispose(), receiver?.dispose()]);
});

/** A server on a fresh data dir with its workers running (the exporter among them). */
async function startExportingServer(): Promise<TestServer> {
  const server = await startTestServer();
  onTestFinished(() => server.cleanup());
  server.app.startTimers(60 * 60_000);
  return server;
}

let realmNames = 0;
/** Writes `count` audit entries (realm renames, each a `realm.updated` entry). */
async function writeEntries(server: TestServer, count: number): Promise<void> {
  for (let i = 0; i < count; i += 1)
    await server.app.realm.update({ name: `Realm ${++realmNames}` }, 'agent:root');
}

/** The audit log as the server wrote it (every entry is on disk once the call that wrote it resolved). */
async function auditLog(dataDir: string): Promise<AuditEntry[]> {
  const text = await readFile(path.join(dataDir, 'audit.jsonl'), 'utf8');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as AuditEntry);
}

function seqsUpTo(last: number): number[] {
  return Array.from({ length: last }, (_, i) => i + 1);
}

function distinctSorted(seqs: readonly number[]): number[] {
  return [...new Set(seqs)].sort((a, b) => a - b);
}

// ── syslog ──────────────────────────────────────────────────────────────────────────────────────

let appNames = 0;
/** Syslog settings reaching the test rsyslog over TLS, with an APP-NAME of its own per test. */
function syslogSettings(overrides: Partial<AuditExportSettings['syslog']> = {}) {
  return {
    ...defaultAuditExportSettings(),
    syslog: {
      enabled: true,
      host: syslog.host,
      port: syslog.port,
      tls: true,
      caPem: syslog.caPem,
      appName: `hdotp-test-${++appNames}`,
      hostname: 'helpdesk.test',
      ...overrides,
    },
  };
}

/** What rsyslog received for this APP-NAME, in the order received. */
async function received(appName: string): Promise<SyslogMessage[]> {
  return (await syslog.messages()).filter((m) => m.appName === appName);
}

function seqOf(message: SyslogMessage): number {
  return Number(message.sd[SYSLOG_SD_ID]?.seq);
}

describe('audit export to syslog (Debian rsyslog, RFC 5424 over TLS)', () => {
  it('streams every entry as it is written, in seq order, with structured data and the entry as the message', async () => {
    const server = await startExportingServer();
    const settings = syslogSettings();
    const appName = settings.syslog.appName;
    // Operators (and tests) set it in the realm's configuration.
    await server.app.realm.update({ auditExport: settings }, 'agent:root');
    await writeEntries(server, 12);

    const log = await auditLog(server.dataDir);
    await vi.waitFor(async () => {
      expect((await received(appName)).map(seqOf)).toEqual(seqsUpTo(log.length));
    }, WAIT);
    const messages = await received(appName);
    messages.forEach((message, i) => {
      const entry = log[i]!;
      expect(message).toMatchObject({
        pri: 110, // facility log audit (13), severity informational (6)
        version: 1,
        timestamp: entry.at,
        hostname: 'helpdesk.test',
        appName,
        msgId: entry.action,
        bom: true,
      });
      expect(message.sd[SYSLOG_SD_ID]).toEqual({
        seq: String(entry.seq),
        action: entry.action,
        actor: entry.actor,
        ...(entry.requestId !== undefined ? { requestId: entry.requestId } : {}),
        hash: entry.hash,
      });
      // The message is the entry exactly as the log holds it: its hash checks and chains.
      const sent = JSON.parse(message.msg) as AuditEntry;
      expect(sent).toEqual(entry);
      expect(computeEntryHash(sent)).toBe(sent.hash);
      if (i > 0) expect(sent.prevHash).toBe(log[i - 1]!.hash);
    });
    await vi.waitFor(
      () =>
        expect(server.app.auditExport.status().syslog).toEqual({
          state: 'idle',
          cursor: log.length,
          lastError: null,
        }),
      WAIT,
    );
  });

  it('sends what was written while rsyslog was down once it is back, none skipped', async () => {
    const server = await startExportingServer();
    const settings = syslogSettings();
    const appName = settings.syslog.appName;
    await server.app.realm.update({ auditExport: settings }, 'agent:root');
    await writeEntries(server, 3);
    const before = (await auditLog(server.dataDir)).length;
    await vi.waitFor(async () => expect(await received(appName)).toHaveLength(before), WAIT);

    await syslog.stop();
    try {
      await writeEntries(server, 8);
      await vi.waitFor(
        () => expect(server.app.auditExport.status().syslog.state).toBe('retrying'),
        WAIT,
      );
      expect(server.app.auditExport.status().syslog.cursor).toBe(before);
    } finally {
      await syslog.start();
    }
    await writeEntries(server, 2);

    const last = (await auditLog(server.dataDir)).length;
    await vi.waitFor(async () => {
      expect(distinctSorted((await received(appName)).map(seqOf))).toEqual(seqsUpTo(last));
    }, WAIT);
    // In seq order: each entry first arrived after every entry before it.
    const firstSeen = [...new Set((await received(appName)).map(seqOf))];
    expect(firstSeen).toEqual(seqsUpTo(last));
  });

  it('resumes from its cursor after the server is closed mid-stream and started again on the same data dir', async () => {
    const server = await startExportingServer();
    const settings = syslogSettings();
    const appName = settings.syslog.appName;
    await server.app.realm.update({ auditExport: settings }, 'agent:root');
    await writeEntries(server, 5);
    const confirmed = (await auditLog(server.dataDir)).length;
    await vi.waitFor(async () => expect(await received(appName)).toHaveLength(confirmed), WAIT);

    // Entries keep coming and the server is closed at once: whatever was not delivered waits.
    await writeEntries(server, 150);
    await server.stop();
    const cursorAtClose = server.app.auditExport.status().syslog.cursor;
    expect(cursorAtClose).toBeGreaterThanOrEqual(confirmed);
    // What was flushed before the close reaches rsyslog's file before the new server starts.
    await vi.waitFor(async () => {
      const seqs = (await received(appName)).map(seqOf);
      expect(distinctSorted(seqs)).toEqual(seqsUpTo(cursorAtClose));
    }, WAIT);
    const receivedBeforeRestart = (await received(appName)).length;

    await server.restart();
    server.app.startTimers(60 * 60_000);
    await writeEntries(server, 3);
    const last = (await auditLog(server.dataDir)).length;
    await vi.waitFor(async () => {
      expect(distinctSorted((await received(appName)).map(seqOf))).toEqual(seqsUpTo(last));
    }, WAIT);
    // The new server started after the cursor: what was confirmed before the close is not sent again.
    const afterRestart = (await received(appName)).slice(receivedBeforeRestart).map(seqOf);
    expect(Math.min(...afterRestart)).toBeGreaterThan(cursorAtClose);
    expect(server.app.auditExport.status().syslog.cursor).toBe(last);
  });

  it('verifies the certificate: a server whose certificate another CA signed gets nothing', async () => {
    const server = await startExportingServer();
    const settings = syslogSettings({ caPem: syslog.otherCaPem });
    await server.app.realm.update({ auditExport: settings }, 'agent:root');
    await writeEntries(server, 2);
    await vi.waitFor(() => {
      const status = server.app.auditExport.status().syslog;
      expect(status.state).toBe('retrying');
      expect(status.lastError).toMatch(/certificate|verify/i);
    }, WAIT);
    expect(server.app.auditExport.status().syslog.cursor).toBe(0);
    expect(await received(settings.syslog.appName)).toEqual([]);
  });
});

describe('audit export settings', () => {
  it('refuses settings that would send entries in the clear, unsigned or with a credential in the URL, and changes nothing', async () => {
    const server = await startExportingServer();
    const before = server.app.realm.config;
    const webhook = (url: string) => ({
      ...defaultAuditExportSettings(),
      webhook: { enabled: true, url },
    });
    const refusals = [
      server.app.auditExport.configure(
        { settings: webhook('http://siem.example.com/hook'), webhookSecret: WEBHOOK_KEY },
        'agent:root',
      ),
      server.app.auditExport.configure(
        {
          settings: webhook('https://user:pass@siem.example.com/hook'),
          webhookSecret: WEBHOOK_KEY,
        },
        'agent:root',
      ),
      server.app.auditExport.configure(
        { settings: webhook('https://siem.example.com/hook') },
        'agent:root',
      ),
      server.app.auditExport.configure(
        { settings: webhook('https://siem.example.com/hook'), webhookSecret: 'short' },
        'agent:root',
      ),
      server.app.realm.update(
        { auditExport: syslogSettings({ host: 'siem.example.com', tls: false }) },
        'agent:root',
      ),
    ];
    for (const refusal of refusals)
      await expect(refusal).rejects.toMatchObject({ code: 'bad-request' });
    expect(server.app.realm.config).toEqual(before);
    expect(server.app.auditExport.status()).toEqual({
      syslog: { state: 'off', cursor: 0, lastError: null },
      webhook: { state: 'off', cursor: 0, lastError: null },
    });
    // Plain TCP and plain http are for a relay on this machine.
    await server.app.realm.update(
      {
        auditExport: {
          ...syslogSettings({ tls: false, port: 9 }),
          webhook: webhook('http://127.0.0.1:9/hook').webhook,
        },
      },
      'agent:root',
    );
    expect(server.app.realm.config.auditExport.syslog.tls).toBe(false);
    // A webhook turned on in the settings alone, with no key saved, sends nothing unsigned.
    await vi.waitFor(
      () =>
        expect(server.app.auditExport.status().webhook).toMatchObject({
          state: 'stopped',
          lastError: expect.stringMatching(/signing key/),
        }),
      WAIT,
    );
  });
});

// ── webhook ─────────────────────────────────────────────────────────────────────────────────────

interface Delivery {
  timestamp: string;
  signature: string;
  /** The X-HelpDesk-Seq header: `first-last`. */
  seqRange: string;
  body: string;
  entries: AuditEntry[];
  /** What the receiver answered (0: never answered). */
  status: number;
  /** When it arrived (ms, the receiver's clock). */
  at: number;
}

/** How the receiver answers the next request; then `answers` is consulted again. */
type Answer = { status: number; retryAfter?: string } | { hold: true };

interface WebhookReceiver {
  url: string;
  caPem: string;
  readonly deliveries: Delivery[];
  /** Answers to give, in order; when empty, 200. */
  answers: Answer[];
  /** Answers every held request with this status. */
  release(status: number): void;
  readonly held: number;
  dispose(): Promise<void>;
}

/** The receiver's check, as the README tells one to do it: HMAC over `timestamp.body`, constant time. */
function signatureVerifies(delivery: Delivery, key: string): boolean {
  const expected = Buffer.from(
    `sha256=${createHmac('sha256', key).update(`${delivery.timestamp}.${delivery.body}`).digest('hex')}`,
  );
  const given = Buffer.from(delivery.signature);
  const fresh = Math.abs(Date.now() / 1000 - Number(delivery.timestamp)) <= 300;
  return fresh && given.length === expected.length && timingSafeEqual(given, expected);
}

async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const dir = await mkdtemp(path.join(tmpdir(), 'helpdesk-webhook-'));
  await makeTestCertificates(dir, '/CN=Help Desk OTP webhook test CA');
  const read = (file: string) => readFile(path.join(dir, file), 'utf8');
  const [key, cert, caPem] = await Promise.all([
    read('server.key'),
    read('server.pem'),
    read('ca.pem'),
  ]);
  const deliveries: Delivery[] = [];
  const holding: { delivery: Delivery; answer: (status: number) => void }[] = [];
  const state = { answers: [] as Answer[] };
  const release = (status: number) => {
    for (const { answer } of holding.splice(0)) answer(status);
  };
  const server = https.createServer({ key, cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const header = (name: string) => String(req.headers[name] ?? '');
      const delivery: Delivery = {
        timestamp: header('x-helpdesk-timestamp'),
        signature: header('x-helpdesk-signature'),
        seqRange: header('x-helpdesk-seq'),
        body,
        entries: (JSON.parse(body) as { entries: AuditEntry[] }).entries,
        status: 0,
        at: Date.now(),
      };
      deliveries.push(delivery);
      const answer = (status: number, retryAfter?: string) => {
        delivery.status = status;
        res.writeHead(status, retryAfter ? { 'retry-after': retryAfter } : {}).end();
      };
      const next = state.answers.shift() ?? { status: 200 };
      if ('hold' in next) holding.push({ delivery, answer });
      else answer(next.status, next.retryAfter);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}/audit`,
    caPem,
    deliveries,
    get answers() {
      return state.answers;
    },
    set answers(list) {
      state.answers = list;
    },
    release,
    get held() {
      return holding.length;
    },
    async dispose() {
      release(503);
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Webhook settings reaching the test receiver (its CA trusted), under its own path per test. */
let hookPaths = 0;
function webhookSettings(): AuditExportSettings {
  return {
    ...defaultAuditExportSettings(),
    webhook: { enabled: true, url: `${receiver.url}/${++hookPaths}`, caPem: receiver.caPem },
  };
}

/** The deliveries since `from` that the receiver answered with `status`. */
function answered(from: number, status = 200): Delivery[] {
  return receiver.deliveries.slice(from).filter((d) => d.status === status);
}

function deliveredSeqs(deliveries: readonly Delivery[]): number[] {
  return distinctSorted(deliveries.flatMap((d) => d.entries.map((e) => e.seq)));
}

describe('audit export to an HTTPS webhook', () => {
  it('POSTs batches in seq order signed with HMAC-SHA256 that the receiver verifies; a 500 is retried until a 200, a 429 after its Retry-After', async () => {
    const server = await startExportingServer();
    const from = receiver.deliveries.length;
    receiver.answers = [{ status: 500 }, { status: 429, retryAfter: '2' }];
    await server.app.auditExport.configure(
      { settings: webhookSettings(), webhookSecret: WEBHOOK_KEY },
      'agent:root',
    );
    await writeEntries(server, 4);

    const last = (await auditLog(server.dataDir)).length;
    await vi.waitFor(() => expect(deliveredSeqs(answered(from))).toEqual(seqsUpTo(last)), WAIT);
    const mine = receiver.deliveries.slice(from);
    expect(mine[0]!.status).toBe(500);
    expect(mine[1]!.status).toBe(429);
    expect(mine[2]!.status).toBe(200);
    // The refused batch came again from the same first entry; the 429's wait was honoured.
    expect(mine[1]!.entries[0]!.seq).toBe(mine[0]!.entries[0]!.seq);
    expect(mine[2]!.entries[0]!.seq).toBe(mine[0]!.entries[0]!.seq);
    expect(mine[2]!.at - mine[1]!.at).toBeGreaterThanOrEqual(1_900);
    for (const delivery of mine) {
      expect(signatureVerifies(delivery, WEBHOOK_KEY)).toBe(true);
      expect(signatureVerifies(delivery, 'some other key')).toBe(false);
      const seqs = delivery.entries.map((e) => e.seq);
      expect(delivery.seqRange).toBe(`${seqs[0]}-${seqs.at(-1)}`);
      expect(seqs).toEqual(seqsUpTo(seqs.at(-1)!).slice(seqs[0]! - 1));
    }
    // A tampered body no longer verifies.
    const tampered = { ...mine[2]!, body: mine[2]!.body.replace('Realm', 'Realm!') };
    expect(signatureVerifies(tampered, WEBHOOK_KEY)).toBe(false);
    // The entries are the log's own.
    const log = await auditLog(server.dataDir);
    expect(answered(from).flatMap((d) => d.entries)).toEqual(log);
    expect(server.app.auditExport.status().webhook.cursor).toBe(last);
  });

  it('waits for a delivery in flight when the server closes, and a new server on the same data dir resumes from the cursor', async () => {
    const server = await startExportingServer();
    const from = receiver.deliveries.length;
    await server.app.auditExport.configure(
      { settings: webhookSettings(), webhookSecret: WEBHOOK_KEY },
      'agent:root',
    );
    await writeEntries(server, 3);
    const first = (await auditLog(server.dataDir)).length;
    await vi.waitFor(() => expect(deliveredSeqs(answered(from))).toEqual(seqsUpTo(first)), WAIT);

    receiver.answers = [{ hold: true }];
    await writeEntries(server, 4);
    await vi.waitFor(() => expect(receiver.held).toBe(1), WAIT);
    const inFlight = receiver.deliveries.at(-1)!;
    let closed = false;
    const closing = server.stop().then(() => (closed = true));
    for (let turn = 0; turn < 50; turn += 1) await new Promise((r) => setImmediate(r));
    expect(closed).toBe(false);
    receiver.release(200);
    await closing;
    // The close waited for the answer and saved the cursor after it.
    expect(server.app.auditExport.status().webhook.cursor).toBe(inFlight.entries.at(-1)!.seq);
    const beforeRestart = receiver.deliveries.length;

    await server.restart();
    server.app.startTimers(60 * 60_000);
    await writeEntries(server, 2);
    const last = (await auditLog(server.dataDir)).length;
    await vi.waitFor(() => expect(deliveredSeqs(answered(from))).toEqual(seqsUpTo(last)), WAIT);
    const resent = receiver.deliveries.slice(beforeRestart).flatMap((d) => d.entries);
    expect(Math.min(...resent.map((e) => e.seq))).toBe(inFlight.entries.at(-1)!.seq + 1);
  });

  // A server process of its own to kill: its start (tsx compiling the server) takes seconds.
  it(
    'sends the batch in flight again after the server is killed, so nothing is skipped',
    { timeout: 90_000 },
    async () => {
      // A data dir that exports to the receiver, with entries waiting.
      const dataDir = await mkdtemp(path.join(tmpdir(), 'hdotp-export-kill-'));
      const servers: TestServer[] = [];
      onTestFinished(async () => {
        for (const server of servers) await server.stop();
        await rm(dataDir, { recursive: true, force: true });
      });
      const store = await openEmbeddedStore(dataDir);
      await store.realm.save({ ...store.realm.config, auditExport: webhookSettings() });
      await store.keys.setSecret('audit-webhook-secret', WEBHOOK_KEY);
      for (let i = 0; i < 6; i += 1)
        await store.audit.record({ actor: 'system', action: 'test.entry', details: { i } });
      await store.close();

      const from = receiver.deliveries.length;
      receiver.answers = [{ hold: true }];
      const killed = runServer(['--port', '0', '--data', dataDir]);
      try {
        await killed.ready;
        await vi.waitFor(() => expect(receiver.held).toBe(1), WAIT);
      } finally {
        killed.child.kill('SIGKILL');
        await killed.exited;
      }
      const inFlight = receiver.deliveries.at(-1)!;
      // The receiver took it, but the server died before it heard so: its cursor never moved.
      receiver.release(200);

      const server = await startTestServer({ dataDir });
      servers.push(server);
      server.app.startTimers(60 * 60_000);
      const last = (await auditLog(dataDir)).length;
      await vi.waitFor(() => {
        expect(deliveredSeqs(answered(from))).toEqual(seqsUpTo(last));
        expect(server.app.auditExport.status().webhook.cursor).toBe(last);
      }, WAIT);
      // At least once: the batch in flight at the kill came again, from its first entry.
      const after = receiver.deliveries.slice(from + 1);
      expect(after[0]!.entries[0]!.seq).toBe(inFlight.entries[0]!.seq);
      expect(after.every((d) => signatureVerifies(d, WEBHOOK_KEY))).toBe(true);
    },
  );

  it('stops on a 400, keeps the cursor where it is and raises an admin alert; saving the settings again resumes', async () => {
    const server = await startExportingServer();
    const notices: AdminNotice[] = [];
    server.app.notices.onNotice((notice) => notices.push(notice));
    const from = receiver.deliveries.length;
    await server.app.auditExport.configure(
      { settings: webhookSettings(), webhookSecret: WEBHOOK_KEY },
      'agent:root',
    );
    await writeEntries(server, 2);
    const confirmed = (await auditLog(server.dataDir)).length;
    await vi.waitFor(
      () => expect(deliveredSeqs(answered(from))).toEqual(seqsUpTo(confirmed)),
      WAIT,
    );

    receiver.answers = [{ status: 400 }, { status: 400 }];
    await writeEntries(server, 3);
    await vi.waitFor(
      () => expect(server.app.auditExport.status().webhook.state).toBe('stopped'),
      WAIT,
    );
    const status = server.app.auditExport.status().webhook;
    expect(status.cursor).toBe(confirmed);
    expect(status.lastError).toMatch(/400/);
    const alerts = notices.flatMap((n) => (n.kind === 'alert' ? [n.alert] : []));
    expect(alerts).toEqual([
      expect.objectContaining({
        kind: 'audit-export-stopped',
        message: expect.stringContaining(`from seq ${confirmed + 1}`),
      }),
    ]);
    // One attempt, no retries; and the stop is in the audit log itself.
    expect(receiver.deliveries.slice(from).filter((d) => d.status === 400)).toHaveLength(1);
    await vi.waitFor(async () => {
      const stops = (await auditLog(server.dataDir)).filter(
        (e) => e.action === 'audit-export.stopped',
      );
      expect(stops).toEqual([
        expect.objectContaining({
          actor: 'system',
          details: expect.objectContaining({ destination: 'webhook', waitingFrom: confirmed + 1 }),
        }),
      ]);
    }, WAIT);
    const log = await auditLog(server.dataDir);
    // Nothing in the log or the alert holds the key.
    expect(JSON.stringify(log)).not.toContain(WEBHOOK_KEY);
    expect(JSON.stringify(alerts)).not.toContain(WEBHOOK_KEY);

    // The receiver is fixed and an admin saves the settings again: it resumes at the cursor.
    receiver.answers = [];
    await server.app.auditExport.configure(
      { settings: server.app.realm.config.auditExport },
      'agent:root',
    );
    const last = (await auditLog(server.dataDir)).length;
    await vi.waitFor(() => expect(deliveredSeqs(answered(from))).toEqual(seqsUpTo(last)), WAIT);
    expect(answered(from).find((d) => d.entries[0]!.seq > confirmed)?.entries[0]!.seq).toBe(
      confirmed + 1,
    );
  });
});

describe('audit export from a PostgreSQL store', () => {
  it(
    'follows the shared log a batch at a time from the cursor kept in the database, and another process resumes from it',
    { timeout: 90_000 },
    async () => {
      const postgres = await startPostgres();
      // Undone in reverse: exporters, then stores, then the database.
      const undo: (() => Promise<void>)[] = [() => postgres.dispose()];
      onTestFinished(async () => {
        for (const step of undo.reverse()) await step();
      });
      const url = await postgres.newDatabase();
      const exporting = async (store: Store) => {
        const exporter = new AuditExporter({
          audit: store.audit,
          cursors: store.exportCursors,
          realm: new RealmService(store.realm, store.audit),
          keys: store.keys,
          notices: new AdminNotices(),
          logger: silentLogger(),
          now: Date.now,
        });
        exporter.start();
        undo.push(() => exporter.stop());
        return exporter;
      };
      const record = async (store: Store, count: number) => {
        for (let i = 0; i < count; i += 1)
          await store.audit.record({ actor: 'system', action: 'test.entry', details: { i } });
      };
      const from = receiver.deliveries.length;

      const first = await openPostgresStore(url);
      let firstOpen = true;
      undo.push(async () => {
        if (firstOpen) await first.close();
      });
      await first.realm.save({ ...first.realm.config, auditExport: webhookSettings() });
      await first.keys.setSecret('audit-webhook-secret', WEBHOOK_KEY);
      await record(first, 250);
      const exporter = await exporting(first);
      await vi.waitFor(() => expect(deliveredSeqs(answered(from))).toEqual(seqsUpTo(250)), WAIT);
      await exporter.stop();
      expect(first.exportCursors.get('webhook')).toBe(250);
      // Three POSTs, each the next 100 (or fewer) in order, read a page at a time from the database.
      expect(answered(from).map((d) => d.seqRange)).toEqual(['1-100', '101-200', '201-250']);
      await record(first, 5);
      await first.close();
      firstOpen = false;

      // Another process on the same database: its cursor is the database's.
      const second = await openPostgresStore(url);
      undo.push(() => second.close());
      await exporting(second);
      await vi.waitFor(() => expect(deliveredSeqs(answered(from))).toEqual(seqsUpTo(255)), WAIT);
      expect(answered(from).at(-1)!.seqRange).toBe('251-255');
    },
  );
});
