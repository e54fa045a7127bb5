// Ten impostor scenarios against the real server (the sign-in pages over HTTP, agents on real sockets),
// under the realm's default risk policy: each plays the impostor's moves and ends with the impostor not
// signed in and the refusal on the record where the product records it. Then two races, and the honest
// path's count of agent actions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { AgentEventName } from '../../server/contract/agent-events';
import { AgentPayloads } from '../../server/contract/agent-events';
import { DIRECTORY_CSV_COLUMNS } from '../../server/contract/directory';
import { defaultRealmConfig } from '../../server/contract/realm-config';
import type { RequestView } from '../../server/contract/request-view';
import type { RiskPolicy } from '../../server/contract/risk';
import { defaultRiskPolicy } from '../../server/contract/risk';
import { approvalNeeded, assessRisk } from '../../server/domain/risk';
import { maskValue } from '../../server/requests/mask';
import type { OutboxMessage } from '../../server/store/repositories';
import { checksToRecord, workHonestRequest } from '../../bench/figures/honest-path';
import { flowOf } from '../support/flow-cookie';
import { FormBrowser, pageText, phaseOn } from '../support/form-browser';
import type { AskedForHelp } from '../support/sign-in-pages';
import { askForHelp, enterCode, identify, liveStatus, sendRequest } from '../support/sign-in-pages';
import type { AgentSocket, AuditLine, TestServer } from '../support/test-server';
import {
  PASSWORD,
  ask,
  connectAgent,
  login,
  must,
  nextEvent,
  readAudit,
  seedRealm,
  startTestServer,
} from '../support/test-server';

let server: TestServer;
let alice: AgentSocket;
let bob: AgentSocket;
let carol: AgentSocket;
let dave: AgentSocket;
/** An agent whose username is also a (privileged) directory user's. */
let vipAgent: AgentSocket;
let root: AgentSocket;

const DESK1 = ['alice', 'bob', 'dave', 'vip'];
const USERS = [
  'victim1',
  'victim2',
  'mallory',
  'mailed',
  'flooded',
  'reuse',
  'reuse2',
  'gone1',
  'gone2',
  'gone3',
  'audited',
  'regular',
];
const PRIVILEGED = ['vip', 'vip2', 'vip3'];
const DAY = 24 * 60 * 60 * 1000;
const SIGNED_IN = "You're signed in";
/** A request id of the right shape that names no request. */
const NO_SUCH_REQUEST = 'n'.repeat(22);

beforeAll(async () => {
  server = await startTestServer();
  await seedRealm(
    server,
    [{ username: 'root', displayName: 'Root', role: 'admin', desks: ['1', '2'] }],
    [],
  );
  // A password hash costs about a second here: agents are made side by side, and directory users
  // come in one CSV import without passwords (the workflow asks for none).
  await Promise.all([
    ...DESK1.map((username) =>
      server.app.agents.createWithPassword(
        { username, displayName: username, role: 'agent', desks: ['1'] },
        PASSWORD,
      ),
    ),
    server.app.agents.createWithPassword(
      { username: 'carol', displayName: 'Carol', role: 'agent', desks: ['2'] },
      PASSWORD,
    ),
  ]);
  const rootToken = await login(server.url, 'root');
  const csv = [
    DIRECTORY_CSV_COLUMNS.join(','),
    ...[...USERS, ...PRIVILEGED].map((username) => {
      const cells: Record<(typeof DIRECTORY_CSV_COLUMNS)[number], string> = {
        username,
        displayName: `User ${username}`,
        email: `${username}@example.com`,
        phone: '+14155550111',
        employeeId: 'E1',
        department: 'Finance',
        manager: 'boss',
        enabled: 'true',
        privileged: PRIVILEGED.includes(username) ? 'true' : 'false',
        password: '',
      };
      return DIRECTORY_CSV_COLUMNS.map((column) => cells[column]).join(',');
    }),
  ].join('\n');
  const imported = await fetch(`${server.url}/api/directory/import?commit=true`, {
    method: 'POST',
    headers: { 'content-type': 'text/csv', authorization: `Bearer ${rootToken}` },
    body: csv,
  });
  expect(((await imported.json()) as { data?: { added: number } }).data?.added).toBe(
    USERS.length + PRIVILEGED.length,
  );
  await server.app.realm.update(
    { workflow: 'username|second-factor', riskPolicy: defaultRiskPolicy() },
    'test',
  );
  // The accounts were made well before anyone calls: a week and a day on, none reads as
  // "changed in the directory recently" (the default policy weighs that). Agents sign in after.
  server.clock.advance(defaultRiskPolicy().directoryChangedDays * DAY + DAY);
  const signIn = async (name: string) => connectAgent(server.url, await login(server.url, name));
  [alice, bob, carol, dave, vipAgent, root] = await Promise.all([
    signIn('alice'),
    signIn('bob'),
    signIn('carol'),
    signIn('dave'),
    signIn('vip'),
    signIn('root'),
  ]);
});

afterAll(async () => {
  for (const socket of [alice, bob, carol, dave, vipAgent, root]) socket?.disconnect();
  await server?.cleanup();
});

// ── helpers ──────────────────────────────────────────────────────────────────────────────────

const setRiskPolicy = (riskPolicy: RiskPolicy) => server.app.realm.update({ riskPolicy }, 'test');

/** The last audit sequence number: a scenario reads only what it caused. */
async function auditMark(): Promise<number> {
  return (await readAudit(server)).at(-1)?.seq ?? 0;
}

async function auditSince(mark: number): Promise<AuditLine[]> {
  return (await readAudit(server)).filter((e) => e.seq > mark);
}

/** The error code of a refused event (fails the test if it was not refused). */
async function refusal(
  socket: AgentSocket,
  event: AgentEventName,
  payload: unknown,
): Promise<string> {
  const answer = await ask(socket, event, payload);
  if (!('error' in answer)) throw new Error(`${event} was not refused`);
  return answer.error.code;
}

async function verifyBoth(socket: AgentSocket, requestId: string): Promise<RequestView> {
  await must(socket, 'request:verify', {
    requestId,
    checkId: 'callback',
    note: 'Called the number on file back',
  });
  return must(socket, 'request:verify', {
    requestId,
    checkId: 'employee-id',
    note: 'Stated the employee ID on file',
  });
}

/** Claims, records both default checks and reveals: the passcode the agent reads out. */
async function revealFor(socket: AgentSocket, requestId: string): Promise<string> {
  await must(socket, 'request:claim', { requestId });
  await verifyBoth(socket, requestId);
  return (await must(socket, 'request:reveal', { requestId })).otp;
}

/**
 * The impostor walked away with nothing: none of their browsers holds a sign-in (no persistent token,
 * no completed flow, no done page), and since `mark` the audit has no completed request nor sign-in
 * for the user, except the one honest completion when an honest browser is named (and that one is
 * the honest browser's own request).
 */
async function expectImpostorNotSignedIn(options: {
  impostors: FormBrowser[];
  username: string;
  mark: number;
  honest?: { browser: FormBrowser; requestId: string };
}) {
  const { impostors, username, mark, honest } = options;
  for (const browser of impostors) {
    expect(browser.cookies.has('hd_pt')).toBe(false);
    expect(flowOf(browser)?.done).toBeUndefined();
    const done = await browser.get('/sign-in/done');
    expect(done.status).toBe(303);
    expect(pageText(done.html)).not.toContain(SIGNED_IN);
  }
  const entries = await auditSince(mark);
  const completed = entries.filter(
    (e) => e.action === 'request.completed' && e.actor === `user:${username}`,
  );
  const signIns = entries.filter(
    (e) => e.action === 'signin.completed' && e.actor === `user:${username}`,
  );
  if (!honest) {
    expect(completed).toEqual([]);
    expect(signIns).toEqual([]);
    return;
  }
  expect(completed.map((e) => e.requestId)).toEqual([honest.requestId]);
  expect(signIns.map((e) => e.requestId)).toEqual([honest.requestId]);
  expect(honest.browser.cookies.has('hd_pt')).toBe(true);
  expect(flowOf(honest.browser)?.done).toBeDefined();
}

const actionsOf = (entries: AuditLine[], action: string, requestId?: string) =>
  entries.filter(
    (e) => e.action === action && (requestId === undefined || e.requestId === requestId),
  );

/** The user's open requests as an agent of desk 1 lists them. */
async function openFor(username: string): Promise<RequestView[]> {
  const { requests } = await must(root, 'queue:list', { desk: '1' });
  return requests.filter((r) => r.username === username);
}

async function outbox(): Promise<OutboxMessage[]> {
  const text = await readFile(path.join(server.dataDir, 'outbox.json'), 'utf8').catch(
    () => '{"messages":[]}',
  );
  return (JSON.parse(text) as { messages: OutboxMessage[] }).messages;
}

async function configureMail(enabled: boolean) {
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

/** A different passcode of the same shape. */
const otherThan = (otp: string) =>
  [...otp].map((d, i) => (i === 0 ? String((Number(d) + 1) % 10) : d)).join('');

// ── the ten impostor scenarios ───────────────────────────────────────────────────────────────

describe('red team: an impostor on the phone', () => {
  it('1. caller without the browser session: the passcode is useless in the impostor’s browser', async () => {
    const mark = await auditMark();
    const victim = await askForHelp(server.url, 'victim1');
    // The impostor phones with the victim's reference and talks their way through the checks.
    const { requests } = await must(alice, 'queue:list', {});
    const found = requests.find((r) => r.reference === victim.reference);
    expect(found?.id).toBe(victim.requestId);
    const otp = await revealFor(alice, victim.requestId);

    // A fresh browser: no session, no flow, no CSRF token: nothing to type into.
    const fresh = new FormBrowser(server.url);
    expect((await fresh.get('/sign-in/code')).location).toBe('/sign-in');
    expect((await fresh.post('/sign-in/code', { otp })).status).toBe(403);
    // Identified as the victim, in the impostor's own browser: there is no request to enter it for.
    const identified = await identify(server.url, 'victim1');
    const typed = await identified.post('/sign-in/code', { otp });
    expect(typed).toMatchObject({ status: 303, location: '/sign-in/method' });
    // With the victim's flow cookie copied over (not their session): the flow is bound to the session.
    const copied = await identify(server.url, 'victim1');
    copied.cookies.set('hd_flow', victim.browser.cookies.get('hd_flow')!);
    const withCopy = await copied.post('/sign-in/code', { otp });
    expect(withCopy.location).toBe('/sign-in');
    // The request's live status is the asking browser's only.
    await expect(liveStatus(fresh, victim.requestId)).rejects.toThrow();

    const after = await must(alice, 'request:get', { requestId: victim.requestId });
    expect(after).toMatchObject({ state: 'otp-issued', failedAttempts: 0 });
    await expectImpostorNotSignedIn({
      impostors: [fresh, identified, copied],
      username: 'victim1',
      mark,
    });
    await must(alice, 'request:deny', {
      requestId: victim.requestId,
      reason: 'Caller not the user',
    });
  });

  it('2. OTP replayed from another browser: a passcode works only for the request and browser it was revealed for', async () => {
    const mark = await auditMark();
    const victim = await askForHelp(server.url, 'victim2');
    const victimOtp = await revealFor(alice, victim.requestId);

    // The impostor's browser asks for the same user: its own request (contested), no passcode yet.
    const sameUser = await askForHelp(server.url, 'victim2');
    const replay = await enterCode(sameUser.browser, victimOtp);
    expect(replay.status).toBe(409);
    expect(pageText(replay.html)).toContain("hasn't issued your code yet");

    // The impostor's own account, with a passcode of its own: the victim's passcode is simply wrong.
    const own = await askForHelp(server.url, 'mallory');
    const mine = await revealFor(alice, own.requestId);
    expect(mine).not.toBe(victimOtp);
    const wrong = await enterCode(own.browser, victimOtp);
    expect(wrong.status).toBe(422);
    expect(pageText(wrong.html)).toContain("That code isn't right");

    expect(await must(alice, 'request:get', { requestId: own.requestId })).toMatchObject({
      state: 'otp-issued',
      failedAttempts: 1,
    });
    expect(await must(alice, 'request:get', { requestId: victim.requestId })).toMatchObject({
      state: 'otp-issued',
      failedAttempts: 0,
    });
    const entries = await auditSince(mark);
    expect(actionsOf(entries, 'otp.wrong', own.requestId)).toHaveLength(1);
    await expectImpostorNotSignedIn({
      impostors: [sameUser.browser, own.browser],
      username: 'victim2',
      mark,
    });
    await expectImpostorNotSignedIn({ impostors: [], username: 'mallory', mark });
    for (const { requestId } of [victim, own]) {
      await must(alice, 'request:deny', { requestId, reason: 'Replay attempt' });
    }
    // The impostor's request for the victim is still open (denying the other ended the contest).
    await must(alice, 'request:claim', { requestId: sameUser.requestId });
    await must(alice, 'request:deny', { requestId: sameUser.requestId, reason: 'Replay attempt' });
  });

  it('3. reveal before policy: no passcode until the required checks are recorded, each with a note', async () => {
    const mark = await auditMark();
    const asked = await askForHelp(server.url, 'reuse2');
    const { requestId } = asked;
    await must(alice, 'request:claim', { requestId });
    expect(await refusal(alice, 'request:reveal', { requestId })).toBe('verification-incomplete');
    // Not the holder: not even the lifecycle's reasons.
    expect(await refusal(bob, 'request:reveal', { requestId })).toBe('not-claimed-by-you');
    // A crafted payload cannot carry an override.
    expect(await refusal(alice, 'request:reveal', { requestId, force: true })).toBe('bad-request');
    // The required check recorded with an empty (or blank) note: refused, nothing recorded.
    for (const note of ['', '   '])
      expect(await refusal(alice, 'request:verify', { requestId, checkId: 'callback', note })).toBe(
        'bad-request',
      );
    expect((await must(alice, 'request:get', { requestId })).verification).toEqual([]);
    // The required check alone is not the policy's minimum of two.
    await must(alice, 'request:verify', { requestId, checkId: 'callback', note: 'Called back' });
    expect(await refusal(alice, 'request:reveal', { requestId })).toBe('verification-incomplete');
    // A check the policy does not have counts for nothing.
    expect(
      await refusal(alice, 'request:verify', {
        requestId,
        checkId: 'vibes',
        note: 'Sounded right',
      }),
    ).toBe('unknown-check');
    expect(await refusal(alice, 'request:reveal', { requestId })).toBe('verification-incomplete');

    const view = await must(alice, 'request:get', { requestId });
    expect(view).toMatchObject({ state: 'claimed', otp: null });
    const entries = await auditSince(mark);
    expect(actionsOf(entries, 'request.otp-revealed')).toEqual([]);
    // What was recorded is on the record, with its note.
    expect(actionsOf(entries, 'request.check-recorded', requestId)).toEqual([
      expect.objectContaining({
        actor: 'agent:alice',
        details: expect.objectContaining({ checkId: 'callback', note: 'Called back' }),
      }),
    ]);
    await expectImpostorNotSignedIn({ impostors: [asked.browser], username: 'reuse2', mark });
    await must(alice, 'request:deny', { requestId, reason: 'Could not verify the caller' });
  });

  it('4. caller supplying their own callback number: codes go only to the directory’s contact', async () => {
    // The address or number to send to is not part of any event that sends or records a check.
    expect(Object.keys(AgentPayloads['request:send-code'].shape).sort()).toEqual([
      'checkId',
      'requestId',
    ]);
    expect(Object.keys(AgentPayloads['request:verify'].shape).sort()).toEqual([
      'checkId',
      'note',
      'requestId',
    ]);
    await must(root, 'config:update', {
      verificationPolicy: {
        checks: [
          {
            kind: 'mailed-code',
            id: 'mailed',
            label: 'Read back the code mailed on file',
            help: '',
          },
          { kind: 'attestation', id: 'callback', label: 'Called back', help: '' },
        ],
        required: ['mailed'],
        minimumChecks: 1,
        maskedFields: ['phone'],
        notesRequired: 'required',
      },
    });
    await configureMail(true);
    try {
      const mark = await auditMark();
      const asked = await askForHelp(server.url, 'mailed');
      const { requestId } = asked;
      await must(alice, 'request:claim', { requestId });
      // "Send it to my personal address / call me on this number instead."
      for (const crafted of [
        { requestId, checkId: 'mailed', to: 'attacker@evil.example' },
        { requestId, checkId: 'mailed', email: 'attacker@evil.example' },
        { requestId, checkId: 'mailed', phone: '+14155559999' },
      ])
        expect(await refusal(alice, 'request:send-code', crafted)).toBe('bad-request');
      expect(
        await refusal(alice, 'request:verify', {
          requestId,
          checkId: 'callback',
          note: 'Called the caller back',
          phone: '+14155559999',
        }),
      ).toBe('bad-request');
      const codeMails = async () =>
        (await outbox()).filter((m) => m.requestId === requestId && m.kind === 'verification-code');
      expect(await codeMails()).toEqual([]);
      expect(actionsOf(await auditSince(mark), 'request.code-sent')).toEqual([]);

      // Sent as the product sends it: to the directory's address, shown to the agent masked.
      const sent = await must(alice, 'request:send-code', { requestId, checkId: 'mailed' });
      const mails = await codeMails();
      expect(mails.map((m) => m.to)).toEqual([['mailed@example.com']]);
      expect(sent.mailedCode?.sentTo).toBe(maskValue('email', 'mailed@example.com'));
      expect(sent.mailedCode?.sentTo).not.toContain('mailed@');
      // The number the agent calls back is the directory's, masked per the policy.
      const detail = await must(alice, 'request:get', { requestId });
      expect(detail.directory?.phone).toBe(maskValue('phone', '+14155550111'));

      // The impostor does not have the mailbox: three guesses void the code; no reveal.
      for (const result of ['wrong', 'wrong', 'void'])
        expect(
          (await must(alice, 'request:check-code', { requestId, code: '000000' })).result,
        ).toBe(result);
      expect(await refusal(alice, 'request:reveal', { requestId })).toBe('verification-incomplete');
      // The agent ends it as a suspicious caller: audited with the evidence, the method blocked.
      const ended = await must(alice, 'request:suspicious', {
        requestId,
        description: 'Insisted the code go to a personal address',
      });
      expect(ended.state).toBe('denied');
      const entries = await auditSince(mark);
      expect(actionsOf(entries, 'request.code-sent', requestId)).toEqual([
        expect.objectContaining({
          details: expect.objectContaining({ sentTo: maskValue('email', 'mailed@example.com') }),
        }),
      ]);
      expect(actionsOf(entries, 'request.suspicious-caller', requestId)).toHaveLength(1);
      expect(actionsOf(entries, 'block.added', requestId)).toHaveLength(1);
      await expectImpostorNotSignedIn({ impostors: [asked.browser], username: 'mailed', mark });
    } finally {
      await configureMail(false);
      await must(root, 'config:update', {
        verificationPolicy: defaultRealmConfig().verificationPolicy,
      });
    }
  });

  it('5. request flood for one user: at most two open, then rate-limited; recent requests need a second approver; the daily passcode cap holds', async () => {
    const mark = await auditMark();
    const browsers = await Promise.all(
      Array.from({ length: 5 }, () => identify(server.url, 'flooded')),
    );
    const submitted: AskedForHelp[] = [];
    for (let i = 0; i < 10; i++) {
      submitted.push(await sendRequest(browsers[i % browsers.length]!));
      expect((await openFor('flooded')).length).toBeLessThanOrEqual(2);
    }
    // The per-user limit of the desk form: the eleventh in a quarter of an hour is turned away.
    const last = browsers[0]!;
    await last.get('/sign-in/method');
    expect((await last.post('/sign-in/method', { desk: '1' })).status).toBe(429);
    const open = await openFor('flooded');
    expect(open).toHaveLength(2);
    const submissions = actionsOf(await auditSince(mark), 'request.submitted').filter(
      (e) => e.actor === 'user:flooded',
    );
    expect(submissions).toHaveLength(10);

    // The newest request carries what the server noticed: other requests in the last 24 hours.
    const newest = open.find((r) => r.id === submitted.at(-1)!.requestId)!;
    const other = open.find((r) => r.id !== newest.id)!;
    const ids = newest.risk.signals.map((s) => s.id);
    expect(ids).toEqual(expect.arrayContaining(['recent-requests', 'new-browser', 'contested']));
    expect(newest.risk.level).toBe('high');
    expect(newest.approvalNeeded).toBe(true);
    // It is recent-requests that tips it over the default policy's level for a second approver.
    const policy = defaultRiskPolicy();
    const without = newest.risk.signals.filter((s) => s.id !== 'recent-requests');
    expect(assessRisk(without, policy).level).toBe('medium');
    expect(approvalNeeded(without, policy)).toBe(false);

    await must(dave, 'request:claim', { requestId: newest.id });
    await verifyBoth(dave, newest.id);
    expect(await refusal(dave, 'request:reveal', { requestId: newest.id })).toBe('contested');
    await must(dave, 'request:claim', { requestId: other.id });
    await must(dave, 'request:deny', { requestId: other.id, reason: 'Flood of requests' });
    expect(await refusal(dave, 'request:reveal', { requestId: newest.id })).toBe(
      'approval-required',
    );
    await must(dave, 'request:ask-approval', {
      requestId: newest.id,
      note: 'Ten requests in a few minutes',
    });
    await must(bob, 'request:approve', { requestId: newest.id, note: 'Checked the checks' });

    // The realm's daily cap of passcodes for one user (3): the fourth is refused.
    const { passcodesPerUserPerDay } = policy.caps;
    for (let i = 0; i < passcodesPerUserPerDay; i++)
      await must(dave, 'request:reveal', { requestId: newest.id });
    expect(await refusal(dave, 'request:reveal', { requestId: newest.id })).toBe('rate-limited');

    const entries = await auditSince(mark);
    expect(actionsOf(entries, 'request.otp-revealed', newest.id)).toHaveLength(
      passcodesPerUserPerDay,
    );
    expect(actionsOf(entries, 'request.reveal-refused', newest.id)).toEqual([
      expect.objectContaining({
        actor: 'agent:dave',
        details: expect.objectContaining({ reason: 'contested' }),
      }),
      expect.objectContaining({
        actor: 'agent:dave',
        details: expect.objectContaining({ reason: 'approval-required' }),
      }),
      expect.objectContaining({
        actor: 'agent:dave',
        details: expect.objectContaining({ reason: 'user-cap' }),
      }),
    ]);
    await must(dave, 'request:deny', { requestId: newest.id, reason: 'Flood of requests' });
    await expectImpostorNotSignedIn({ impostors: browsers, username: 'flooded', mark });
  });

  it('6. privileged user without a second approver: neither the holder nor the user’s namesake may approve', async () => {
    const mark = await auditMark();
    const honest = await askForHelp(server.url, 'vip');
    const { requestId } = honest;
    // The impostor, on the phone, passes the checks.
    await must(alice, 'request:claim', { requestId });
    const verified = await verifyBoth(alice, requestId);
    expect(verified.risk.signals.map((s) => s.id)).toContain('privileged');
    expect(await refusal(alice, 'request:reveal', { requestId })).toBe('approval-required');
    // Nobody is asked yet: nobody can approve.
    expect(await refusal(bob, 'request:approve', { requestId, note: 'Looks fine' })).toBe(
      'invalid-state',
    );
    const heard = nextEvent(bob, 'approval:requested', (r) => r.id === requestId);
    await must(alice, 'request:ask-approval', { requestId, note: 'Privileged account' });
    await heard;
    expect(await refusal(alice, 'request:reveal', { requestId })).toBe('approval-required');
    expect(await refusal(alice, 'request:approve', { requestId, note: 'I checked' })).toBe(
      'forbidden',
    );
    expect(await refusal(vipAgent, 'request:approve', { requestId, note: 'That is me' })).toBe(
      'forbidden',
    );
    // Neither may they see it as theirs to decide.
    const listed = async (socket: AgentSocket) =>
      (await must(socket, 'approvals:list', {})).requests.map((r) => r.id);
    expect(await listed(alice)).not.toContain(requestId);
    expect(await listed(bob)).toContain(requestId);

    await must(bob, 'request:approve', { requestId, note: 'Verified the recorded checks' });
    const otp = (await must(alice, 'request:reveal', { requestId })).otp;
    // The impostor has the passcode but not the browser; the honest user signs in from theirs.
    const impostor = await identify(server.url, 'vip');
    expect((await impostor.post('/sign-in/code', { otp })).location).toBe('/sign-in/method');
    const done = await enterCode(honest.browser, otp);
    expect(pageText(done.html)).toContain(SIGNED_IN);

    const entries = await auditSince(mark);
    const denied = actionsOf(entries, 'authz.denied').filter(
      (e) => e.details.event === 'request:approve',
    );
    expect(denied.map((e) => e.actor).sort()).toEqual(['agent:alice', 'agent:vip']);
    expect(actionsOf(entries, 'request.approved', requestId)).toEqual([
      expect.objectContaining({ actor: 'agent:bob' }),
    ]);
    expect(actionsOf(entries, 'request.otp-revealed', requestId)).toEqual([
      expect.objectContaining({
        actor: 'agent:alice',
        details: expect.objectContaining({ approvedBy: 'bob' }),
      }),
    ]);
    await expectImpostorNotSignedIn({
      impostors: [impostor],
      username: 'vip',
      mark,
      honest: { browser: honest.browser, requestId },
    });
  });

  it('7. reused reference code: a closed request cannot be completed, revealed or reopened again', async () => {
    const mark = await auditMark();
    // Completed: the honest user signed in with it.
    const completed = await askForHelp(server.url, 'reuse');
    const otp = await revealFor(alice, completed.requestId);
    expect(pageText((await enterCode(completed.browser, otp)).html)).toContain(SIGNED_IN);
    // The same passcode again, from the same browser: no second sign-in.
    const again = await completed.browser.post('/sign-in/code', { otp });
    expect(again.status).toBe(303);
    expect(again.location).not.toBe('/sign-in/done');
    // The agent side: the closed request cannot be claimed or revealed again.
    for (const event of ['request:claim', 'request:reveal'] as const)
      expect(await refusal(alice, event, { requestId: completed.requestId })).toBe('invalid-state');
    // The reference is no longer in any agent's queue, so reading it out finds nothing to work on.
    expect((await must(alice, 'queue:list', {})).requests.map((r) => r.reference)).not.toContain(
      completed.reference,
    );
    // The status page does not bring it back.
    expect((await completed.browser.get('/sign-in/request')).status).toBe(303);

    // Denied: the impostor on the phone was found out.
    const denied = await askForHelp(server.url, 'reuse');
    await must(alice, 'request:claim', { requestId: denied.requestId });
    await must(alice, 'request:deny', { requestId: denied.requestId, reason: 'Wrong answers' });
    for (const event of ['request:claim', 'request:reveal', 'request:verify'] as const)
      expect(
        await refusal(alice, event, {
          requestId: denied.requestId,
          ...(event === 'request:verify' ? { checkId: 'callback', note: 'Called back' } : {}),
        }),
      ).toBe('invalid-state');
    // Any code typed for it ends on the page that says how it ended.
    const typed = await enterCode(denied.browser, otherThan(otp));
    expect(typed.status).toBe(200);
    expect(phaseOn((await denied.browser.get('/sign-in/request')).html)).toBe('denied');
    expect((await liveStatus(denied.browser, denied.requestId)).phase).toBe('denied');
    // Asking again is a new request with a new reference and id, never the old one reopened.
    const renewed = await sendRequest(denied.browser);
    expect(renewed.reference).not.toBe(denied.reference);
    expect(renewed.requestId).not.toBe(denied.requestId);
    expect((await must(alice, 'request:get', { requestId: denied.requestId })).state).toBe(
      'denied',
    );

    const entries = await auditSince(mark);
    expect(actionsOf(entries, 'request.completed').map((e) => e.requestId)).toEqual([
      completed.requestId,
    ]);
    expect(actionsOf(entries, 'signin.completed')).toHaveLength(1);
    await must(alice, 'request:claim', { requestId: renewed.requestId });
    await must(alice, 'request:deny', { requestId: renewed.requestId, reason: 'Done for now' });
    await expectImpostorNotSignedIn({
      impostors: [denied.browser],
      username: 'reuse',
      mark,
      honest: { browser: completed.browser, requestId: completed.requestId },
    });
  });

  it('8. disabled user: disabled in the directory after asking, no reveal, no sign-in, the request ends', async () => {
    const mark = await auditMark();
    // Disabled before the reveal (as an LDAP directory changes, outside the product).
    const before = await askForHelp(server.url, 'gone1');
    await must(alice, 'request:claim', { requestId: before.requestId });
    await verifyBoth(alice, before.requestId);
    await server.directory.setEnabled('gone1', false);
    expect(await refusal(alice, 'request:reveal', { requestId: before.requestId })).toBe(
      'forbidden',
    );

    // Disabled after the reveal: the passcode is refused and the request ends.
    const after = await askForHelp(server.url, 'gone2');
    const otp = await revealFor(alice, after.requestId);
    await server.directory.setEnabled('gone2', false);
    const typed = await enterCode(after.browser, otp);
    expect(typed.status).toBe(403);
    expect(pageText(typed.html)).toContain("This account can't be signed in right now");
    expect((await must(alice, 'request:get', { requestId: after.requestId })).state).toBe('denied');

    // Disabled by an admin in the console: the open request ends at once.
    const byAdmin = await askForHelp(server.url, 'gone3');
    await must(alice, 'request:claim', { requestId: byAdmin.requestId });
    await must(root, 'users:set-enabled', { username: 'gone3', enabled: false });
    expect((await must(alice, 'request:get', { requestId: byAdmin.requestId })).state).toBe(
      'denied',
    );
    expect(await refusal(alice, 'request:reveal', { requestId: byAdmin.requestId })).toBe(
      'invalid-state',
    );

    const entries = await auditSince(mark);
    expect(actionsOf(entries, 'request.reveal-refused', before.requestId)).toEqual([
      expect.objectContaining({ details: { reason: 'directory-disabled' } }),
    ]);
    expect(actionsOf(entries, 'signin.refused', after.requestId)).toEqual([
      expect.objectContaining({
        details: expect.objectContaining({ reason: 'directory-disabled', step: 'code' }),
      }),
    ]);
    expect(actionsOf(entries, 'request.ended-by-directory', byAdmin.requestId)).toHaveLength(1);
    for (const [username, browser] of [
      ['gone1', before.browser],
      ['gone2', after.browser],
      ['gone3', byAdmin.browser],
    ] as const)
      await expectImpostorNotSignedIn({ impostors: [browser], username, mark });
    await must(alice, 'request:deny', { requestId: before.requestId, reason: 'Account disabled' });
  });

  it('9. agent of the other desk: cannot get, claim, verify, approve or reveal a desk-1 request', async () => {
    const mark = await auditMark();
    const asked = await askForHelp(server.url, 'vip2', '1');
    const { requestId } = asked;
    const queued = { requestId };
    expect(await refusal(carol, 'request:get', queued)).toBe('not-found');
    expect(await refusal(carol, 'request:claim', queued)).toBe('forbidden');
    expect((await must(carol, 'queue:list', {})).requests.map((r) => r.id)).not.toContain(
      requestId,
    );

    await must(alice, 'request:claim', { requestId });
    await verifyBoth(alice, requestId);
    await must(alice, 'request:ask-approval', { requestId, note: 'Privileged account' });
    const before = await must(alice, 'request:get', { requestId });
    expect(
      await refusal(carol, 'request:verify', { ...queued, checkId: 'manager', note: 'Yes' }),
    ).toBe('forbidden');
    expect(await refusal(carol, 'request:approve', { ...queued, note: 'Approved by me' })).toBe(
      'forbidden',
    );
    expect(await refusal(carol, 'request:reveal', queued)).toBe('forbidden');
    expect((await must(carol, 'approvals:list', {})).requests).toEqual([]);

    const now = await must(alice, 'request:get', { requestId });
    expect(now).toMatchObject({
      state: before.state,
      verification: before.verification,
      approval: before.approval,
      otp: null,
      updatedAt: before.updatedAt,
    });
    const entries = await auditSince(mark);
    const denied = actionsOf(entries, 'authz.denied').filter((e) => e.actor === 'agent:carol');
    expect(denied.map((e) => e.details.event)).toEqual([
      'request:claim',
      'request:verify',
      'request:approve',
      'request:reveal',
    ]);
    expect(entries.filter((e) => e.requestId === requestId && e.actor === 'agent:carol')).toEqual(
      [],
    );
    await must(alice, 'request:deny', { requestId, reason: 'Test over' });
    await expectImpostorNotSignedIn({ impostors: [asked.browser], username: 'vip2', mark });
  });

  it('10. re-reveal without audit: every passcode on an agent’s screen is on the record; only request:reveal answers with one', async () => {
    const mark = await auditMark();
    const honest = await askForHelp(server.url, 'audited');
    const { requestId } = honest;
    // Everything every agent socket hears from here on, to search for a passcode.
    const heard: string[] = [];
    const listeners = [alice, bob, root].map((socket) => {
      const listener = (event: string, ...args: unknown[]) =>
        heard.push(`${event} ${JSON.stringify(args)}`);
      socket.onAny(listener);
      return () => socket.offAny(listener);
    });
    try {
      const first = await revealFor(root, requestId);
      await must(root, 'request:passcode-shown', { requestId });
      const second = (await must(root, 'request:reveal', { requestId })).otp;
      expect(second).not.toBe(first);
      // The voided passcode no longer signs in.
      const old = await enterCode(honest.browser, first);
      expect(old.status).toBe(422);
      // Only the holder's shown passcode is recorded; another agent's "shown" is refused.
      expect(await refusal(alice, 'request:passcode-shown', { requestId })).toBe('invalid-state');

      // Every agent event, sent with a payload it accepts where that is harmless: only a reveal's
      // answer holds a passcode. The table names every event (a new one fails to type-check here).
      const payloads: { [E in AgentEventName]: unknown } = {
        'queue:list': {},
        'request:get': { requestId },
        'request:claim': { requestId },
        'request:release': { requestId },
        'request:take-over': { requestId },
        'request:verify': { requestId, checkId: 'manager', note: 'Manager confirmed' },
        'request:unverify': { requestId, checkId: 'callback' },
        'request:reveal': { requestId },
        'request:deny': { requestId: NO_SUCH_REQUEST, reason: 'Not this one' },
        'config:get': {},
        'config:update': {},
        'agents:list': {},
        // Not created: an account's password hash costs a second, and its answer is a password.
        'agents:create': {},
        'agents:update': { id: 'no-such-agent' },
        'totp:begin': {},
        'totp:confirm': { code: '000000' },
        'directory:status': {},
        'directory:configure': {},
        'directory:test': {},
        'users:search': { query: 'audited' },
        'users:add': {},
        'users:update': { username: 'nobody-here', changes: {} },
        'users:set-enabled': { username: 'nobody-here', enabled: true },
        'users:reset-password': { username: 'nobody-here' },
        'users:delete': { username: 'nobody-here' },
        'request:send-code': { requestId, checkId: 'callback' },
        'request:check-code': { requestId, code: '123456' },
        'mail:configure': {},
        'mail:test': {},
        'mail:status': {},
        'blocks:list': {},
        'blocks:clear': { username: 'nobody-here', reason: 'Not blocked' },
        'request:ask-approval': { requestId, note: '' },
        'request:approve': { requestId, note: 'Not asked' },
        'request:refuse-approval': { requestId, note: 'Not asked' },
        'approvals:list': {},
        'request:suspicious': { requestId: NO_SUCH_REQUEST, description: 'Not this one either' },
        'request:passcode-shown': { requestId },
        'history:search': { username: 'audited' },
        'history:get': { requestId },
        'audit:search': { request: requestId },
        'audit:verify': {},
      };
      expect(Object.keys(payloads).sort()).toEqual(Object.keys(AgentPayloads).sort());
      const passcodes = [first, second];
      const answers: Array<[AgentEventName, string]> = [];
      for (const event of Object.keys(payloads) as AgentEventName[]) {
        const answer = await ask(root, event, payloads[event]);
        if (event === 'request:reveal' && 'data' in answer)
          passcodes.push((answer.data as { otp: string }).otp);
        answers.push([event, JSON.stringify(answer)]);
      }
      expect(passcodes).toHaveLength(3);
      const holding = answers
        .filter(([, text]) => passcodes.some((otp) => text.includes(otp)))
        .map(([event]) => event);
      expect(holding).toEqual(['request:reveal']);
      const third = passcodes[2]!;
      // Nothing broadcast to any agent holds a passcode.
      expect(heard.filter((text) => passcodes.some((otp) => text.includes(otp)))).toEqual([]);

      const entries = await auditSince(mark);
      expect(
        actionsOf(entries, 'request.otp-revealed', requestId).map((e) => [
          e.actor,
          e.details.revealCount,
        ]),
      ).toEqual([
        ['agent:root', 1],
        ['agent:root', 2],
        ['agent:root', 3],
      ]);
      expect(
        actionsOf(entries, 'request.passcode-shown', requestId).map((e) => [
          e.actor,
          e.details.revealCount,
        ]),
      ).toEqual([
        ['agent:root', 1],
        ['agent:root', 3],
      ]);
      // No passcode in the audit log itself.
      const log = await readFile(path.join(server.dataDir, 'audit.jsonl'), 'utf8');
      for (const otp of passcodes) expect(log).not.toContain(otp);

      // Neither voided passcode works; the last one signs the honest user in.
      expect((await enterCode(honest.browser, second)).status).toBe(422);
      expect(pageText((await enterCode(honest.browser, third)).html)).toContain(SIGNED_IN);
      await expectImpostorNotSignedIn({
        impostors: [],
        username: 'audited',
        mark,
        honest: { browser: honest.browser, requestId },
      });
    } finally {
      for (const stop of listeners) stop();
    }
  });
});

// ── races, raced ─────────────────────────────────────────────────────────────────────────────

describe('red team: races', () => {
  it('of four simultaneous approvals from four agents, exactly one succeeds', async () => {
    const mark = await auditMark();
    const { requestId } = await askForHelp(server.url, 'vip3');
    await must(alice, 'request:claim', { requestId });
    await verifyBoth(alice, requestId);
    await must(alice, 'request:ask-approval', { requestId, note: 'Privileged account' });
    const approvers = [bob, dave, vipAgent, root];
    const answers = await Promise.all(
      approvers.map((socket) => ask(socket, 'request:approve', { requestId, note: 'Approved' })),
    );
    expect(answers.filter((a) => 'data' in a)).toHaveLength(1);
    expect(answers.filter((a) => 'error' in a).map((a) => 'error' in a && a.error.code)).toEqual(
      Array(approvers.length - 1).fill('invalid-state'),
    );
    expect(actionsOf(await auditSince(mark), 'request.approved', requestId)).toHaveLength(1);
    await must(alice, 'request:deny', { requestId, reason: 'Race over' });
  });

  it('of five simultaneous reveals by one agent with a cap of three an hour, exactly three succeed', async () => {
    const cap = 3;
    await setRiskPolicy({
      ...defaultRiskPolicy(),
      caps: { ...defaultRiskPolicy().caps, revealsPerAgentPerHour: cap },
    });
    try {
      const mark = await auditMark();
      const asked = await Promise.all(
        // Users met above, each with at most one passcode today (the per-user cap is not what races).
        ['victim1', 'victim2', 'mallory', 'reuse2', 'reuse'].map((u) => askForHelp(server.url, u)),
      );
      for (const { requestId } of asked) {
        await must(bob, 'request:claim', { requestId });
        await verifyBoth(bob, requestId);
      }
      const answers = await Promise.all(
        asked.map(({ requestId }) => ask(bob, 'request:reveal', { requestId })),
      );
      expect(answers.filter((a) => 'data' in a)).toHaveLength(cap);
      expect(answers.filter((a) => 'error' in a && a.error.code === 'rate-limited')).toHaveLength(
        asked.length - cap,
      );
      const entries = await auditSince(mark);
      expect(actionsOf(entries, 'request.otp-revealed')).toHaveLength(cap);
      expect(
        actionsOf(entries, 'request.reveal-refused').filter(
          (e) => e.details.reason === 'agent-cap',
        ),
      ).toHaveLength(asked.length - cap);
      for (const { requestId } of asked)
        await must(bob, 'request:deny', { requestId, reason: 'Race over' });
    } finally {
      await setRiskPolicy(defaultRiskPolicy());
    }
  });
});

// ── the honest path ──────────────────────────────────────────────────────────────────────────

describe('the honest path under impostor resistance', () => {
  it('a low-risk request takes the same four agent actions as before', async () => {
    const policy = (await must(alice, 'config:get', {})).verificationPolicy;
    expect(checksToRecord(policy)).toEqual(['callback', 'employee-id']);
    const agentAsk = (event: string, payload: unknown) =>
      ask(alice, event as AgentEventName, payload) as Promise<{
        data?: unknown;
        error?: { code: string; message: string };
      }>;
    // The user signed in from this browser before.
    const first = await askForHelp(server.url, 'regular');
    const earlier = await workHonestRequest(agentAsk, first.requestId, policy);
    expect(pageText((await enterCode(first.browser, earlier.otp)).html)).toContain(SIGNED_IN);

    const again = await sendRequest(await identifyAgain(first.browser, 'regular'));
    const worked = await workHonestRequest(agentAsk, again.requestId, policy);
    expect(worked.risk).toEqual({ level: 'low', approvalNeeded: false });
    expect(worked.actions.map((a) => a.event)).toEqual([
      'request:claim',
      'request:verify',
      'request:verify',
      'request:reveal',
    ]);
    expect(worked.actions).toHaveLength(4);
    expect(pageText((await enterCode(again.browser, worked.otp)).html)).toContain(SIGNED_IN);
  });
});

/** The same browser starts a new sign-in as `username` (it keeps its device cookie). */
async function identifyAgain(browser: FormBrowser, username: string): Promise<FormBrowser> {
  await browser.get('/sign-in');
  const res = await browser.post('/sign-in', { username });
  expect(res).toMatchObject({ status: 303, location: '/sign-in/method' });
  return browser;
}
