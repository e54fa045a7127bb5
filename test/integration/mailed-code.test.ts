// The mailed-code check over the real server: the realm requires it, the agent sends a code to the
// address on file (read live), the caller reads it back, and only the server's check records it.
// Mail is on with a host nobody sends to: the worker does not run, so what was queued stays in the
// outbox to be read.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAILED_CODE } from '../../server/domain/mailed-code';
import { MAILED_CODE_NOTE } from '../../server/domain/request-lifecycle';
import type { OutboxMessage } from '../../server/store/repositories';
import { askForHelp, enterCode } from '../support/sign-in-pages';
import { pageText } from '../support/form-browser';
import type { AgentSocket, TestServer } from '../support/test-server';
import {
  ask,
  connectAgent,
  login,
  must,
  readAudit,
  seedRealm,
  startTestServer,
} from '../support/test-server';

let server: TestServer;
let alice: AgentSocket;
let bob: AgentSocket;
let root: AgentSocket;

const USERS = ['jsmith', 'rpatel', 'mlee', 'agarcia', 'tnguyen', 'kwong', 'nomail'];

beforeAll(async () => {
  server = await startTestServer();
  await seedRealm(
    server,
    [
      { username: 'alice', displayName: 'Alice', role: 'agent', desks: ['1'] },
      { username: 'bob', displayName: 'Bob', role: 'agent', desks: ['1'] },
      { username: 'root', displayName: 'Root', role: 'admin', desks: ['1', '2'] },
    ],
    USERS,
  );
  alice = await connectAgent(server.url, await login(server.url, 'alice'));
  bob = await connectAgent(server.url, await login(server.url, 'bob'));
  root = await connectAgent(server.url, await login(server.url, 'root'));
  await must(root, 'config:update', {
    workflow: 'username|second-factor',
    verificationPolicy: {
      checks: [
        {
          kind: 'mailed-code',
          id: 'mailed',
          label: 'Read back the code mailed to the address on file',
          help: '',
        },
        { kind: 'attestation', id: 'callback', label: 'Called back', help: '' },
      ],
      required: ['mailed'],
      minimumChecks: 1,
      maskedFields: [],
      notesRequired: 'none',
    },
  });
  await must(root, 'users:update', { username: 'nomail', changes: { email: '' } });
  await enableMail();
});

afterAll(async () => {
  for (const socket of [alice, bob, root]) socket?.disconnect();
  await server?.cleanup();
});

async function enableMail(enabled = true) {
  await must(root, 'mail:configure', {
    settings: {
      enabled,
      host: 'smtp.example.com',
      port: 587,
      tls: 'starttls',
      caCertificate: '',
      username: '',
      fromAddress: 'helpdesk@example.com',
      fromName: 'Help Desk',
    },
  });
}

/** The outbox as recorded on disk (every queued mail is durable before `queue` resolves). */
async function outbox(): Promise<OutboxMessage[]> {
  const text = await readFile(path.join(server.dataDir, 'outbox.json'), 'utf8');
  return (JSON.parse(text) as { messages: OutboxMessage[] }).messages;
}

async function codeMails(requestId: string): Promise<OutboxMessage[]> {
  return (await outbox()).filter(
    (m) => m.kind === 'verification-code' && m.requestId === requestId,
  );
}

/** The code in a verification-code mail, as the user reads it. */
function codeIn(message: OutboxMessage): string {
  const codes = new Set(message.text.match(/\b\d{6}\b/g) ?? []);
  expect(codes.size).toBe(1);
  return [...codes][0]!;
}

/** A six-digit code that is not `code`. */
const otherThan = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

/** A request for `username`, claimed by alice. */
async function claimedRequest(username: string) {
  const asked = await askForHelp(server.url, username, '1');
  await must(alice, 'request:claim', { requestId: asked.requestId });
  return asked;
}

async function sendCode(requestId: string): Promise<string> {
  const before = (await codeMails(requestId)).length;
  await must(alice, 'request:send-code', { requestId, checkId: 'mailed' });
  const mails = await codeMails(requestId);
  expect(mails).toHaveLength(before + 1);
  return codeIn(mails.at(-1)!);
}

describe('sending a code', () => {
  it('mails six digits to the address in the directory, read when sent; the agent never sees them', async () => {
    const { requestId } = await claimedRequest('jsmith');
    // Changed after the request was made: the code goes where the directory says now.
    await must(root, 'users:update', {
      username: 'jsmith',
      changes: { email: 'jane.smith@example.com' },
    });

    const view = await must(alice, 'request:send-code', { requestId, checkId: 'mailed' });
    const [mail] = await codeMails(requestId);
    expect(mail).toMatchObject({
      kind: 'verification-code',
      to: ['jane.smith@example.com'],
      state: 'pending',
    });
    const code = codeIn(mail!);
    expect(mail!.text).toContain('Give it only to the help desk agent on the call you started');
    expect(mail!.html).toContain(code);
    expect(mail!.subject).not.toContain(code);

    expect(view.mailedCode).toMatchObject({
      checkId: 'mailed',
      sentTo: 'j•••@example.com',
      attemptsLeft: MAILED_CODE.maxWrong,
      sendsLeft: MAILED_CODE.maxSends - 1,
    });
    expect(view.state).toBe('claimed');
    expect(JSON.stringify(view)).not.toContain(code);
    const detail = await must(alice, 'request:get', { requestId });
    expect(JSON.stringify(detail)).not.toContain(code);

    const sent = (await readAudit(server)).filter(
      (e) => e.action === 'request.code-sent' && e.requestId === requestId,
    );
    expect(sent).toHaveLength(1);
    expect(sent[0]!.details).toMatchObject({
      checkId: 'mailed',
      sentTo: 'j•••@example.com',
      sends: 1,
    });
    const auditText = await readFile(path.join(server.dataDir, 'audit.jsonl'), 'utf8');
    expect(auditText).not.toContain(code);
    expect(auditText).not.toContain('jane.smith@example.com');
  });

  it('is refused for a user with no email address on file, and nothing is queued', async () => {
    const { requestId } = await claimedRequest('nomail');
    const answer = await ask(alice, 'request:send-code', { requestId, checkId: 'mailed' });
    expect(answer).toMatchObject({ error: { code: 'invalid-state' } });
    expect('error' in answer && answer.error.message).toMatch(/no email address/);
    expect(await codeMails(requestId)).toEqual([]);
  });

  it('is refused for a check the agent records by their word', async () => {
    const { requestId } = await claimedRequest('mlee');
    const answer = await ask(alice, 'request:send-code', { requestId, checkId: 'callback' });
    expect(answer).toMatchObject({ error: { code: 'unknown-check' } });
    expect(await codeMails(requestId)).toEqual([]);
  });
});

describe('checking the code read back', () => {
  it('three wrong codes void it (audited); then it takes no more, right or wrong', async () => {
    const { requestId } = await claimedRequest('rpatel');
    const code = await sendCode(requestId);
    const wrong = otherThan(code);

    const results = [];
    for (let i = 0; i < MAILED_CODE.maxWrong; i++)
      results.push((await must(alice, 'request:check-code', { requestId, code: wrong })).result);
    expect(results).toEqual(['wrong', 'wrong', 'void']);

    const after = await ask(alice, 'request:check-code', { requestId, code });
    expect(after).toMatchObject({ error: { code: 'invalid-state' } });
    const view = await must(alice, 'request:get', { requestId });
    expect(view.state).toBe('claimed');
    expect(view.verification).toEqual([]);
    expect(view.mailedCode?.attemptsLeft).toBe(0);

    const checked = (await readAudit(server)).filter(
      (e) => e.action === 'request.code-checked' && e.requestId === requestId,
    );
    expect(checked.map((e) => e.details.result)).toEqual(['wrong', 'wrong', 'void']);
    const auditText = await readFile(path.join(server.dataDir, 'audit.jsonl'), 'utf8');
    expect(auditText).not.toContain(code);
  });

  it('the right code is verified by the server, which unlocks reveal; the passcode is mailed to nobody', async () => {
    const { browser, requestId } = await claimedRequest('agarcia');
    const refused = await ask(alice, 'request:reveal', { requestId });
    expect(refused).toMatchObject({ error: { code: 'verification-incomplete' } });

    const code = await sendCode(requestId);
    const checked = await must(alice, 'request:check-code', { requestId, code });
    expect(checked.result).toBe('verified');
    expect(checked.request.state).toBe('verified');
    expect(checked.request.mailedCode).toBeNull();
    expect(checked.request.verification).toEqual([
      expect.objectContaining({
        checkId: 'mailed',
        method: 'server-verified',
        note: MAILED_CODE_NOTE,
        by: expect.objectContaining({ username: 'alice' }),
      }),
    ]);
    expect(JSON.stringify(checked)).not.toContain(code);

    const { otp } = await must(alice, 'request:reveal', { requestId });
    for (const message of await outbox()) {
      expect(message.text).not.toContain(otp);
      expect(message.html).not.toContain(otp);
      expect(message.subject).not.toContain(otp);
    }
    const signedIn = await enterCode(browser, otp);
    expect(pageText(signedIn.html)).toContain("You're signed in");
  });

  it("request:verify is refused for the mailed-code check: the agent's word does not stand for it", async () => {
    const { requestId } = await claimedRequest('tnguyen');
    const answer = await ask(alice, 'request:verify', {
      requestId,
      checkId: 'mailed',
      note: 'I know her voice',
    });
    expect(answer).toMatchObject({ error: { code: 'forbidden' } });
    expect('error' in answer && answer.error.message).toContain('Send code');
    const view = await must(alice, 'request:get', { requestId });
    expect(view.verification).toEqual([]);
    await must(alice, 'request:deny', { requestId, reason: 'test over' });
  });

  it('only the holder sends or checks: another agent on the desk is refused, and nothing is mailed', async () => {
    const { requestId } = await claimedRequest('kwong');
    const code = await sendCode(requestId);

    const send = await ask(bob, 'request:send-code', { requestId, checkId: 'mailed' });
    expect(send).toMatchObject({ error: { code: 'not-claimed-by-you' } });
    const check = await ask(bob, 'request:check-code', { requestId, code });
    expect(check).toMatchObject({ error: { code: 'not-claimed-by-you' } });
    expect(await codeMails(requestId)).toHaveLength(1);
    const view = await must(alice, 'request:get', { requestId });
    expect(view.verification).toEqual([]);
    expect(view.mailedCode?.attemptsLeft).toBe(MAILED_CODE.maxWrong);
    await must(alice, 'request:deny', { requestId, reason: 'test over' });
  });

  it(`sends at most ${MAILED_CODE.maxSends} codes per request, and each new one voids the one before`, async () => {
    const { requestId } = await claimedRequest('mlee');
    const first = await sendCode(requestId);
    const second = await sendCode(requestId);
    const third = await sendCode(requestId);

    const fourth = await ask(alice, 'request:send-code', { requestId, checkId: 'mailed' });
    expect(fourth).toMatchObject({ error: { code: 'rate-limited' } });
    expect(await codeMails(requestId)).toHaveLength(MAILED_CODE.maxSends);

    if (first !== third) {
      const stale = await must(alice, 'request:check-code', { requestId, code: first });
      expect(stale.result).toBe('wrong');
    }
    if (second !== third) {
      const stale = await must(alice, 'request:check-code', { requestId, code: second });
      expect(stale.result).toBe('wrong');
    }
    const right = await must(alice, 'request:check-code', { requestId, code: third });
    expect(right.result).toBe('verified');
    await must(alice, 'request:deny', { requestId, reason: 'test over' });
  });

  it('ten simultaneous checks of the right code verify once', async () => {
    const { requestId } = await claimedRequest('rpatel');
    const code = await sendCode(requestId);

    const answers = await Promise.all(
      Array.from({ length: 10 }, () => ask(alice, 'request:check-code', { requestId, code })),
    );
    const verified = answers.filter((a) => 'data' in a && a.data.result === 'verified');
    expect(verified).toHaveLength(1);
    for (const answer of answers)
      if (!('data' in answer && answer.data.result === 'verified'))
        expect(answer).toMatchObject({ error: { code: 'invalid-state' } });
    const recorded = (await readAudit(server)).filter(
      (e) =>
        e.action === 'request.code-checked' &&
        e.requestId === requestId &&
        e.details.result === 'verified',
    );
    expect(recorded).toHaveLength(1);
    await must(alice, 'request:deny', { requestId, reason: 'test over' });
  });
});

describe('with mail turned off', () => {
  it('no code can be sent, and the agent is told why', async () => {
    await enableMail(false);
    try {
      const { requestId } = await claimedRequest('kwong');
      const answer = await ask(alice, 'request:send-code', { requestId, checkId: 'mailed' });
      expect(answer).toMatchObject({ error: { code: 'invalid-state' } });
      expect('error' in answer && answer.error.message).toMatch(/Mail is turned off/);
      expect(await codeMails(requestId)).toEqual([]);
    } finally {
      await enableMail();
    }
  });
});
