// The outbox against a real SMTP server started for this file: a queued mail is recorded, then sent
// once with the Message-ID it was recorded with; when the server is down, refuses the login or shows
// a certificate nobody trusts, the mail waits (or is given up on) and admins see why, live.
// The worker runs (startTimers); the clock is the test server's, moved to each retry's due time, and
// `outbox.kick()` runs the pass at once instead of waiting for the worker's timer.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MailStatus } from '../../server/contract/mail';
import { renderMail } from '../../server/mail/mail-layout';
import type { OutboxMail } from '../../server/mail/outbox';
import type { OutboxMessage } from '../../server/store/repositories';
import type { SmtpTestServer } from '../support/smtp-server';
import { FROM_ADDRESS, FROM_NAME, startSmtpServer } from '../support/smtp-server';
import type { AgentSocket, TestServer } from '../support/test-server';
import {
  ask,
  connectAgent,
  login,
  must,
  nextEvent,
  readAudit,
  seedRealm,
  startTestServer,
} from '../support/test-server';

let smtp: SmtpTestServer;
let server: TestServer;
let admin: AgentSocket;
let realmName: string;

beforeAll(async () => {
  smtp = await startSmtpServer({ rejectRecipients: ['nobody@example.com'] });
  server = await startTestServer();
  await seedRealm(server, [
    { username: 'root', displayName: 'Root', role: 'admin', desks: ['1', '2'] },
  ]);
  realmName = server.app.realm.config.name;
  admin = await connectAgent(server.url, await login(server.url, 'root'));
  // Sweeps once an hour at most: the test moves the clock, and only the outbox should act on it.
  server.app.startTimers(60 * 60_000);
});

afterAll(async () => {
  admin?.disconnect();
  await server?.cleanup();
  await smtp?.dispose();
});

const configure = (
  overrides: Parameters<SmtpTestServer['settings']>[0] = {},
  password = smtp.password,
) => must(admin, 'mail:configure', { settings: smtp.settings(overrides), password });

let sequence = 0;
/** A mail as the services write it, with a body that marks it (and may stand for a code). */
function mail(to = 'jsmith@example.com'): OutboxMail & { marker: string } {
  sequence += 1;
  const marker = `body-marker-${sequence}-${Math.random().toString(36).slice(2)}`;
  const content = renderMail({
    realmName,
    subject: `Outbox test ${sequence}`,
    heading: 'Your verification code',
    paragraphs: [`Read this back to the agent: ${marker}`],
  });
  return { kind: 'verification-code', to, ...content, marker };
}

async function readOutbox(): Promise<OutboxMessage[]> {
  const text = await readFile(path.join(server.dataDir, 'outbox.json'), 'utf8');
  return (JSON.parse(text) as { messages: OutboxMessage[] }).messages;
}

async function stored(id: string): Promise<OutboxMessage> {
  const found = (await readOutbox()).find((m) => m.id === id);
  if (!found) throw new Error(`message ${id} is not in outbox.json`);
  return found;
}

/** Polls `read` until `done` holds (the worker marks a message after the SMTP server answered). */
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`still not there: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Moves the test clock to the message's next attempt and runs the worker's pass. */
async function retryNow(id: string): Promise<OutboxMessage> {
  const message = await stored(id);
  server.clock.advance(Math.max(0, message.nextAttemptAt - server.clock.now()));
  await server.app.outbox.kick();
  return stored(id);
}

describe('queueing', () => {
  it('is refused while mail is off, with a clear message', async () => {
    await expect(server.app.outbox.queue(mail())).rejects.toMatchObject({
      code: 'invalid-state',
      message: expect.stringMatching(/Mail is turned off/),
    });
    expect(await readOutbox()).toEqual([]);
  });

  it('records the mail before it resolves, then delivers both parts from the realm with the recorded Message-ID, and empties the body', async () => {
    await configure();
    const queued = mail();
    const { id, messageId } = await server.app.outbox.queue(queued);
    expect(messageId).toBe(`<${id}@example.com>`);

    const received = await smtp.waitFor((m) => m.messageId === messageId);
    expect(received).toMatchObject({
      fromAddress: FROM_ADDRESS,
      fromName: FROM_NAME,
      to: ['jsmith@example.com'],
      subject: `Outbox test ${sequence} · ${realmName}`,
    });
    expect(received.text).toContain(queued.marker);
    expect(received.text).toContain(realmName);
    expect(received.html).toContain(queued.marker);
    expect(received.html).toContain(realmName);
    expect(received.headers['content-type']).toMatch(/multipart\/alternative/);

    const sent = await until(
      () => stored(id),
      (m) => m.state === 'sent',
    );
    expect(sent).toMatchObject({ text: '', html: '', attempts: 1, lastError: null, messageId });
    const fileText = await readFile(path.join(server.dataDir, 'outbox.json'), 'utf8');
    expect(fileText).not.toContain(queued.marker);
    // The message is marked sent first; its audit entry is written just after.
    const entry = await until(
      async () => (await readAudit(server)).findLast((e) => e.action === 'mail.sent'),
      (e) => e?.details.messageId === messageId,
    );
    expect(entry).toMatchObject({
      actor: 'system',
      details: { kind: 'verification-code', to: ['jsmith@example.com'], messageId },
    });
    const auditText = await readFile(path.join(server.dataDir, 'audit.jsonl'), 'utf8');
    expect(auditText).not.toContain(queued.marker);
    expect((await must(admin, 'mail:status', {})).outbox).toMatchObject({
      pending: 0,
      lastError: null,
      lastSentAt: sent.sentAt,
    });
  });

  it('keeps ten simultaneous mails apart and delivers each exactly once', async () => {
    const before = smtp.messages.length;
    const queued = await Promise.all(
      Array.from({ length: 10 }, () => server.app.outbox.queue(mail())),
    );
    expect(new Set(queued.map((q) => q.id)).size).toBe(10);
    expect(new Set(queued.map((q) => q.messageId)).size).toBe(10);
    const ids = new Set(queued.map((q) => q.messageId));
    await smtp.waitUntil((all) => all.filter((m) => ids.has(m.messageId)).length >= 10);
    await until(readOutbox, (all) => all.filter((m) => m.state === 'sent').length >= 11);
    await server.app.outbox.kick();
    const arrived = smtp.messages.slice(before).map((m) => m.messageId);
    expect(arrived.sort()).toEqual([...ids].sort());
  });
});

describe('when sending fails', () => {
  it('keeps the mail while the SMTP server is down, tells admins, and delivers once it is back', async () => {
    await smtp.stop();
    const failing = nextEvent(
      admin,
      'mail:status',
      (s: MailStatus) => s.outbox.pending === 1 && /^connect:/.test(s.outbox.lastError ?? ''),
    );
    const queued = mail();
    const { id, messageId } = await server.app.outbox.queue(queued);
    await server.app.outbox.kick();
    const status = await failing;
    expect(status.problems[0]).toMatchObject({ id, state: 'pending', attempts: 1 });
    expect(JSON.stringify(status)).not.toContain(queued.marker);
    const waiting = await stored(id);
    expect(waiting).toMatchObject({ state: 'pending', attempts: 1 });
    expect(waiting.lastError).toMatch(/Could not connect to 127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
    expect(waiting.text).toContain(queued.marker);

    // Still down at the next attempt: the wait doubles.
    const firstWait = waiting.nextAttemptAt - server.clock.now();
    const second = await retryNow(id);
    expect(second).toMatchObject({ state: 'pending', attempts: 2 });
    expect(second.nextAttemptAt - server.clock.now()).toBeGreaterThan(firstWait);

    await smtp.start();
    const cleared = nextEvent(
      admin,
      'mail:status',
      (s: MailStatus) => s.outbox.pending === 0 && s.outbox.lastError === null,
    );
    const started = performance.now();
    await retryNow(id);
    const received = await smtp.waitFor((m) => m.messageId === messageId);
    console.info(
      `outbox: delivered ${Math.round(performance.now() - started)} ms after the retry came due`,
    );
    expect(received.text).toContain(queued.marker);
    await cleared;
    expect(await stored(id)).toMatchObject({ state: 'sent', attempts: 3, text: '', html: '' });
    expect(smtp.messages.filter((m) => m.messageId === messageId)).toHaveLength(1);
  });

  it('sends what waited as soon as an admin saves the settings again, without waiting for the retry', async () => {
    await smtp.stop();
    const { id, messageId } = await server.app.outbox.queue(mail());
    await server.app.outbox.kick();
    expect(await stored(id)).toMatchObject({ state: 'pending', attempts: 1 });
    await smtp.start();
    await configure();
    await smtp.waitFor((m) => m.messageId === messageId);
    expect(
      await until(
        () => stored(id),
        (m) => m.state === 'sent',
      ),
    ).toMatchObject({ attempts: 2 });
  });

  it('does not deliver past a certificate signed by another CA, and names TLS', async () => {
    await configure({ caCertificate: smtp.otherCaPem });
    const { id, messageId } = await server.app.outbox.queue(mail());
    await server.app.outbox.kick();
    const waiting = await stored(id);
    expect(waiting).toMatchObject({ state: 'pending', attempts: 1 });
    expect(waiting.lastError).toMatch(
      /^tls: TLS with 127\.0\.0\.1:\d+ failed: its certificate is not signed/,
    );
    expect((await must(admin, 'mail:status', {})).outbox.lastError).toBe(waiting.lastError);
    expect(smtp.messages.some((m) => m.messageId === messageId)).toBe(false);
    // The right CA: what waited goes out.
    await configure();
    await smtp.waitFor((m) => m.messageId === messageId);
  });

  it('gives a mail up after the last attempt when the login is refused, empties its body and says so', async () => {
    await configure({}, 'not-the-password');
    const failed = nextEvent(admin, 'mail:status', (s: MailStatus) => s.outbox.failed === 1);
    const queued = mail();
    const { id, messageId } = await server.app.outbox.queue(queued);
    await server.app.outbox.kick();
    let current = await stored(id);
    const waits: number[] = [];
    while (current.state === 'pending') {
      expect(current.lastError).toMatch(/^auth: .*refused the login for mailer/);
      waits.push(current.nextAttemptAt - server.clock.now());
      current = await retryNow(id);
    }
    expect(current).toMatchObject({ state: 'failed', attempts: 10, text: '', html: '' });
    expect(current.lastError).toMatch(/^auth: .*535/);
    // Backoff: each wait longer than the one before, until the cap (30 min, ±20 %).
    expect(waits).toHaveLength(9);
    for (let i = 1; i < 6; i += 1) expect(waits[i]).toBeGreaterThan(waits[i - 1]!);
    expect(Math.max(...waits)).toBeLessThanOrEqual(36 * 60_000);

    const status = await failed;
    expect(status.problems[0]).toMatchObject({ id, state: 'failed', attempts: 10 });
    expect(status.outbox.lastError).toMatch(/^auth:/);
    const entry = (await readAudit(server)).findLast((e) => e.action === 'mail.failed');
    expect(entry).toMatchObject({
      details: { kind: 'verification-code', messageId, attempts: 10, stage: 'auth' },
    });
    const auditText = await readFile(path.join(server.dataDir, 'audit.jsonl'), 'utf8');
    expect(auditText).not.toContain(queued.marker);
    expect(auditText).not.toContain('not-the-password');
    expect(smtp.messages.some((m) => m.messageId === messageId)).toBe(false);
    // Fixing the login does not bring a failed mail back.
    await configure();
    await server.app.outbox.kick();
    expect(await stored(id)).toMatchObject({ state: 'failed' });
  });

  it('gives up at once on a recipient the server refuses for good', async () => {
    const { id } = await server.app.outbox.queue(mail('nobody@example.com'));
    await server.app.outbox.kick();
    const message = await stored(id);
    expect(message).toMatchObject({ state: 'failed', attempts: 1, text: '', html: '' });
    expect(message.lastError).toMatch(/^recipient: .*550/);
    const status = await ask(admin, 'mail:status', {});
    expect('data' in status && status.data.outbox.failed).toBe(2);
  });
});
