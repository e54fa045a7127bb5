// The outbox across crashes: a process queues mails, acknowledging each once `queue` resolved, and
// is SIGKILLed — before it sends anything, or while the SMTP server is taking its first message.
// Then a normal server starts on the same data dir: every acknowledged mail is delivered (none
// lost), none twice when the kill came before sending, and when it came mid-send the only repeat is
// the mail in flight, with the same Message-ID. Each case runs several rounds, each on a fresh data
// dir and its own server (the kill is the point), against one SMTP server for the file.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboxMessage } from '../../server/store/repositories';
import { openEmbeddedStore } from '../../server/store/embedded/embedded-store';
import { ROOT } from '../support/server-process';
import type { QueuerLine } from '../support/smtp-crash-queuer';
import type { ReceivedMail, SmtpTestServer } from '../support/smtp-server';
import { startSmtpServer } from '../support/smtp-server';
import { startTestServer } from '../support/test-server';

const ROUNDS = Number(process.env.MAIL_CRASH_ROUNDS ?? 5);

let smtp: SmtpTestServer;
/** Called by the SMTP server once a message's DATA is in, before it answers 250. */
let onData: ((mail: ReceivedMail) => Promise<void>) | undefined;

beforeAll(async () => {
  smtp = await startSmtpServer({ beforeAccept: (mail) => onData?.(mail) });
});

afterAll(async () => {
  await smtp?.dispose();
});

/** A data dir whose realm sends through the test SMTP server (login over STARTTLS). */
async function dataDirWithMail(): Promise<string> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'hdotp-mail-crash-'));
  const store = await openEmbeddedStore(dataDir);
  await store.realm.save({ ...store.realm.config, mail: smtp.settings() });
  await store.keys.setSecret('smtp-password', smtp.password);
  await store.close();
  return dataDir;
}

function startQueuer(dataDir: string, mode: 'hold' | 'send', count: number) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'test/support/smtp-crash-queuer.ts', dataDir, mode, String(count)],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let errors = '';
  child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const lines = createInterface({ input: child.stdout });
  return { child, exited, lines, errors: () => errors };
}

function kill(child: ChildProcess, exited: Promise<void>): Promise<void> {
  child.kill('SIGKILL');
  return exited;
}

async function readOutbox(dataDir: string): Promise<OutboxMessage[]> {
  const text = await readFile(path.join(dataDir, 'outbox.json'), 'utf8');
  return (JSON.parse(text) as { messages: OutboxMessage[] }).messages;
}

interface RoundResult {
  acknowledged: string[];
  recorded: OutboxMessage[];
  received: ReceivedMail[];
  /** From the restarted server's worker start to the last acknowledged mail's arrival. */
  deliveredInMs: number;
}

/** Starts a normal server on the data dir with its worker, and waits until nothing is pending. */
async function restartAndDeliver(
  dataDir: string,
  acknowledged: string[],
  receivedBefore: number,
): Promise<RoundResult> {
  const server = await startTestServer({ dataDir });
  try {
    const started = performance.now();
    server.app.startTimers(60 * 60_000);
    const wanted = new Set(acknowledged);
    await smtp.waitUntil((all) => {
      const arrived = new Set(all.slice(receivedBefore).map((m) => m.messageId));
      return [...wanted].every((id) => arrived.has(id));
    }, 30_000);
    const deliveredInMs = performance.now() - started;
    // Whatever was recorded without being acknowledged goes out too; wait for the worker to settle.
    for (;;) {
      await server.app.outbox.kick();
      if (server.app.outbox.status().outbox.pending === 0) break;
    }
    await server.stop();
    return {
      acknowledged,
      recorded: await readOutbox(dataDir),
      received: smtp.messages.slice(receivedBefore),
      deliveredInMs,
    };
  } finally {
    await server.cleanup();
  }
}

function countBy(received: readonly ReceivedMail[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of received) counts.set(m.messageId, (counts.get(m.messageId) ?? 0) + 1);
  return counts;
}

describe('the outbox after a crash', () => {
  it(`delivers every mail acknowledged before a kill that came before sending, each once (${ROUNDS} rounds)`, async () => {
    let acknowledgedTotal = 0;
    let lost = 0;
    let duplicated = 0;
    const latencies: number[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      const dataDir = await dataDirWithMail();
      const receivedBefore = smtp.messages.length;
      const queuer = startQueuer(dataDir, 'hold', 0);
      const acknowledged: string[] = [];
      const stopAt = 15 + round * 7;
      for await (const text of queuer.lines) {
        const line = JSON.parse(text) as QueuerLine;
        if (line.kind !== 'queued') continue;
        acknowledged.push(line.messageId);
        if (acknowledged.length === stopAt) break;
      }
      await kill(queuer.child, queuer.exited);
      expect(acknowledged, queuer.errors()).toHaveLength(stopAt);
      expect(smtp.messages.length, 'nothing is sent before the kill').toBe(receivedBefore);

      const result = await restartAndDeliver(dataDir, acknowledged, receivedBefore);
      const counts = countBy(result.received);
      acknowledgedTotal += acknowledged.length;
      lost += acknowledged.filter((id) => !counts.has(id)).length;
      duplicated += [...counts.values()].filter((n) => n > 1).length;
      latencies.push(result.deliveredInMs);
      // Every mail on record (acknowledged or caught in flight by the kill) was sent exactly once.
      expect(result.recorded.map((m) => m.state)).toEqual(result.recorded.map(() => 'sent'));
      expect([...counts.keys()].sort()).toEqual(result.recorded.map((m) => m.messageId).sort());
    }
    console.info(
      `outbox crash before sending: ${acknowledgedTotal} acknowledged over ${ROUNDS} rounds, ` +
        `${lost} lost, ${duplicated} sent twice; restart → all delivered in ` +
        `${latencies.map((ms) => Math.round(ms)).join(', ')} ms`,
    );
    expect(lost).toBe(0);
    expect(duplicated).toBe(0);
  }, 180_000);

  it(`delivers every acknowledged mail after a kill while the SMTP server takes the first one; a repeat keeps its Message-ID (${ROUNDS} rounds)`, async () => {
    let acknowledgedTotal = 0;
    let lost = 0;
    let repeats = 0;
    for (let round = 0; round < ROUNDS; round += 1) {
      const dataDir = await dataDirWithMail();
      const receivedBefore = smtp.messages.length;
      const queuer = startQueuer(dataDir, 'send', 10);
      let killedOn: ReceivedMail | undefined;
      onData = async (mail) => {
        if (killedOn) return;
        killedOn = mail;
        // The message is in; the 250 never reaches the sender.
        await kill(queuer.child, queuer.exited);
      };
      const acknowledged: string[] = [];
      for await (const text of queuer.lines) {
        const line = JSON.parse(text) as QueuerLine;
        if (line.kind === 'queued') acknowledged.push(line.messageId);
      }
      await queuer.exited;
      onData = undefined;
      expect(acknowledged, queuer.errors()).toHaveLength(10);
      expect(killedOn, 'the kill came from the SMTP server').toBeDefined();

      const result = await restartAndDeliver(dataDir, acknowledged, receivedBefore);
      const counts = countBy(result.received);
      acknowledgedTotal += acknowledged.length;
      lost += acknowledged.filter((id) => !counts.has(id)).length;
      for (const [messageId, n] of counts) {
        expect(acknowledged, 'only mails on record arrive').toContain(messageId);
        if (n > 1) {
          repeats += n - 1;
          // The only mail that may arrive twice is the one the kill caught in flight.
          expect(messageId).toBe(killedOn!.messageId);
          expect(n).toBe(2);
        }
      }
      expect(result.recorded.every((m) => m.state === 'sent')).toBe(true);
    }
    console.info(
      `outbox crash while sending: ${acknowledgedTotal} acknowledged over ${ROUNDS} rounds, ` +
        `${lost} lost, ${repeats} repeated (each the mail in flight, same Message-ID)`,
    );
    expect(lost).toBe(0);
  }, 180_000);
});
