// The second approver over the real server with real agents: a privileged user's request (or one at
// the policy's risk level) waits for another agent of the desk or an admin before reveal; the holder
// and the user themself cannot approve; a refusal ends the request and alerts admins; all audited.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultRiskPolicy } from '../../server/contract/risk';
import { pageText } from '../support/form-browser';
import { askForHelp, enterCode } from '../support/sign-in-pages';
import type { AgentSocket, TestServer } from '../support/test-server';
import {
  PASSWORD,
  ask,
  connectAs,
  must,
  nextEvent,
  readAudit,
  seedRealm,
  startTestServer,
} from '../support/test-server';

let server: TestServer;
/** Holds the requests (desk 1). */
let alice: AgentSocket;
/** Another agent of desk 1: may approve. */
let bob: AgentSocket;
/** Staffs desk 2 only: may not approve a desk-1 request. */
let carol: AgentSocket;
/** An admin who staffs desk 2 only: may approve any desk's request. */
let root: AgentSocket;
/** An agent whose username is also a directory user's. */
let vip: AgentSocket;
/** An admin of desk 1: may approve, and may take a request over. */
let dana: AgentSocket;

beforeAll(async () => {
  server = await startTestServer();
  await seedRealm(
    server,
    [
      { username: 'alice', displayName: 'Alice', role: 'agent', desks: ['1'] },
      { username: 'bob', displayName: 'Bob', role: 'agent', desks: ['1'] },
      { username: 'carol', displayName: 'Carol', role: 'agent', desks: ['2'] },
      { username: 'root', displayName: 'Root', role: 'admin', desks: ['2'] },
      { username: 'vip', displayName: 'Vip', role: 'agent', desks: ['1'] },
      { username: 'dana', displayName: 'Dana', role: 'admin', desks: ['1'] },
    ],
    ['jsmith', 'mlee'],
  );
  for (const username of ['vip', 'cfo', 'ceo', 'cto'])
    await server.directory.addUser({
      username,
      displayName: `Privileged ${username}`,
      email: `${username}@example.com`,
      phone: '+14155550122',
      employeeId: 'E9',
      department: 'Board',
      manager: '',
      enabled: true,
      privileged: true,
      password: PASSWORD,
    });
  [alice, bob, carol, root, vip, dana] = await Promise.all([
    connectAs(server.url, 'alice'),
    connectAs(server.url, 'bob'),
    connectAs(server.url, 'carol'),
    connectAs(server.url, 'root'),
    connectAs(server.url, 'vip'),
    connectAs(server.url, 'dana'),
  ]);
  await must(root, 'config:update', { workflow: 'username|second-factor' });
});

afterAll(async () => {
  for (const socket of [alice, bob, carol, root, vip, dana]) socket?.disconnect();
  await server?.cleanup();
});

/** A request of `username` claimed by alice with the policy's checks recorded. */
async function verifiedBy(agent: AgentSocket, username: string) {
  const asked = await askForHelp(server.url, username, '1');
  const { requestId } = asked;
  await must(agent, 'request:claim', { requestId });
  await must(agent, 'request:verify', { requestId, checkId: 'callback', note: 'Called back' });
  await must(agent, 'request:verify', { requestId, checkId: 'employee-id', note: 'Gave E9' });
  return asked;
}

describe('a privileged user’s request', () => {
  it('waits for a second approver: asked by the holder, heard live, approved by another agent, then revealed and signed in', async () => {
    const asked = await verifiedBy(alice, 'cfo');
    const { requestId } = asked;
    const view = await must(alice, 'request:get', { requestId });
    expect(view.approvalNeeded).toBe(true);
    expect(view.risk.signals.map((s) => s.id)).toContain('privileged');

    const early = await ask(alice, 'request:reveal', { requestId });
    expect(early).toMatchObject({ error: { code: 'approval-required' } });

    const bobHears = nextEvent(bob, 'approval:requested', (r) => r.id === requestId);
    const rootHears = nextEvent(root, 'approval:requested', (r) => r.id === requestId);
    const asking = await must(alice, 'request:ask-approval', {
      requestId,
      note: 'Board member, travelling',
    });
    expect(asking.approval).toMatchObject({
      state: 'requested',
      requestedBy: { username: 'alice' },
      requestNote: 'Board member, travelling',
    });
    // The approver sees the request with its checks as recorded.
    const heard = await bobHears;
    expect(heard.verification.map((r) => r.checkId).sort()).toEqual(['callback', 'employee-id']);
    await rootHears;
    expect((await must(bob, 'approvals:list', {})).requests.map((r) => r.id)).toContain(requestId);
    // Not the holder's own list: they asked.
    expect((await must(alice, 'approvals:list', {})).requests.map((r) => r.id)).not.toContain(
      requestId,
    );
    // Another desk's agent neither sees nor decides it.
    expect((await must(carol, 'approvals:list', {})).requests.map((r) => r.id)).not.toContain(
      requestId,
    );
    expect(await ask(carol, 'request:approve', { requestId, note: 'Fine by me' })).toMatchObject({
      error: { code: 'forbidden' },
    });
    // The holder cannot approve their own ask.
    expect(await ask(alice, 'request:approve', { requestId, note: 'Fine by me' })).toMatchObject({
      error: { code: 'forbidden' },
    });
    expect(await ask(alice, 'request:reveal', { requestId })).toMatchObject({
      error: { code: 'approval-required' },
    });

    // An admin of another desk, who may decide it too, hears it decided.
    const rootHearsDecision = nextEvent(
      root,
      'request:updated',
      (r) => r.id === requestId && r.approval?.state === 'approved',
    );
    const approved = await must(bob, 'request:approve', {
      requestId,
      note: 'Checked the callback log',
    });
    expect(approved.approval).toMatchObject({
      state: 'approved',
      approvedBy: { username: 'bob' },
      note: 'Checked the callback log',
    });
    expect((await rootHearsDecision).approval?.approvedBy?.username).toBe('bob');
    const { otp } = await must(alice, 'request:reveal', { requestId });
    const done = await enterCode(asked.browser, otp);
    expect(pageText(done.html)).toContain("You're signed in");

    const audit = (await readAudit(server)).filter((e) => e.requestId === requestId);
    expect(audit.map((e) => e.action)).toEqual(
      expect.arrayContaining([
        'request.reveal-refused',
        'request.approval-requested',
        'request.approved',
        'request.otp-revealed',
        'request.completed',
      ]),
    );
    expect(audit.find((e) => e.action === 'request.approved')).toMatchObject({
      actor: 'agent:bob',
      details: { note: 'Checked the callback log', holder: 'alice' },
    });
    expect(audit.find((e) => e.action === 'request.otp-revealed')?.details).toMatchObject({
      approvedBy: 'bob',
    });
  });

  it('may be approved by an admin of another desk, who may open it', async () => {
    const { requestId } = await verifiedBy(alice, 'ceo');
    await must(alice, 'request:ask-approval', { requestId, note: '' });
    const detail = await must(root, 'request:get', { requestId });
    expect(detail.approval?.state).toBe('requested');
    await must(root, 'request:approve', { requestId, note: 'Known voice' });
    await must(alice, 'request:reveal', { requestId });
  });

  it('is never approved by the user themself, even as an agent of the desk', async () => {
    const { requestId } = await verifiedBy(alice, 'vip');
    await must(alice, 'request:ask-approval', { requestId, note: '' });
    expect(await ask(vip, 'request:approve', { requestId, note: 'It is me' })).toMatchObject({
      error: { code: 'forbidden' },
    });
    // Nor can they hold their own request.
    const own = await askForHelp(server.url, 'vip', '1');
    expect(await ask(vip, 'request:claim', { requestId: own.requestId })).toMatchObject({
      error: { code: 'forbidden' },
    });
    await must(alice, 'request:deny', { requestId, reason: 'Test done' });
  });

  it('loses its approval when a check changes or another agent takes it over', async () => {
    const { requestId } = await verifiedBy(alice, 'cto');
    await must(alice, 'request:ask-approval', { requestId, note: '' });
    await must(bob, 'request:approve', { requestId, note: 'Approved' });
    const changed = await must(alice, 'request:verify', {
      requestId,
      checkId: 'manager',
      note: 'Manager said yes',
    });
    expect(changed.approval).toBeNull();
    expect(await ask(alice, 'request:reveal', { requestId })).toMatchObject({
      error: { code: 'approval-required' },
    });
    await must(alice, 'request:ask-approval', { requestId, note: 'Again' });
    await must(dana, 'request:approve', { requestId, note: 'Approved' });
    // The approver takes the request over: they do not reveal on their own approval.
    const taken = await must(dana, 'request:take-over', { requestId });
    expect(taken.approval).toBeNull();
    expect(await ask(dana, 'request:reveal', { requestId })).toMatchObject({
      error: { code: 'approval-required' },
    });
    await must(dana, 'request:deny', { requestId, reason: 'Test done' });
  });
});

describe('refusing', () => {
  it('ends the request as denied with the note, alerts admins live, and the user cannot sign in', async () => {
    const asked = await verifiedBy(alice, 'cfo');
    const { requestId } = asked;
    await must(alice, 'request:ask-approval', { requestId, note: 'Please check' });
    const alert = nextEvent(root, 'alert:raised', (a) => a.kind === 'approval-refused');
    const refused = await must(bob, 'request:refuse-approval', {
      requestId,
      note: 'Voice does not match',
    });
    expect(refused).toMatchObject({
      state: 'denied',
      closedReason: 'The second approver refused: Voice does not match',
    });
    expect(await alert).toMatchObject({ username: 'cfo', reference: asked.reference });
    expect(await ask(alice, 'request:reveal', { requestId })).toMatchObject({
      error: { code: 'invalid-state' },
    });
    const audit = (await readAudit(server)).filter((e) => e.requestId === requestId);
    expect(audit.find((e) => e.action === 'request.approval-refused')).toMatchObject({
      actor: 'agent:bob',
      details: { note: 'Voice does not match', to: 'denied' },
    });
  });

  it('needs a note', async () => {
    const { requestId } = await verifiedBy(alice, 'ceo');
    await must(alice, 'request:ask-approval', { requestId, note: '' });
    expect(await ask(bob, 'request:refuse-approval', { requestId, note: '' })).toMatchObject({
      error: { code: 'bad-request' },
    });
    await must(alice, 'request:deny', { requestId, reason: 'Test done' });
  });
});

describe('by risk level', () => {
  it('a request at the policy’s level needs approval; one below it does not, and the holder cannot ask', async () => {
    // 'low' is not a level one can choose: the schema refuses it, nothing changes.
    const bad = await ask(root, 'config:update', {
      riskPolicy: { ...defaultRiskPolicy(), secondApprover: { privileged: true, atLevel: 'low' } },
    });
    expect(bad).toMatchObject({ error: { code: 'bad-request' } });

    // A new browser (15) on its own is low; weigh it to medium and ask for approval at medium.
    const policy = defaultRiskPolicy();
    await must(root, 'config:update', {
      riskPolicy: {
        ...policy,
        weights: { ...policy.weights, 'new-browser': 30 },
        secondApprover: { privileged: true, atLevel: 'medium' },
      },
    });
    const { requestId } = await verifiedBy(alice, 'jsmith');
    const view = await must(alice, 'request:get', { requestId });
    expect(view.risk.level).toBe('medium');
    expect(view.approvalNeeded).toBe(true);
    expect(await ask(alice, 'request:reveal', { requestId })).toMatchObject({
      error: { code: 'approval-required' },
    });

    // Lowered back: the same request no longer needs one (the policy in force decides).
    await must(root, 'config:update', { riskPolicy: policy });
    expect((await must(alice, 'request:get', { requestId })).approvalNeeded).toBe(false);
    expect(await ask(alice, 'request:ask-approval', { requestId, note: '' })).toMatchObject({
      error: { code: 'invalid-state' },
    });
    await must(alice, 'request:reveal', { requestId });
  });
});

describe('racing', () => {
  it('of five agents approving at once, exactly one approval lands', async () => {
    const { requestId } = await verifiedBy(alice, 'cfo');
    await must(alice, 'request:ask-approval', { requestId, note: '' });
    const approvers = [bob, root, bob, root, bob];
    const results = await Promise.all(
      approvers.map((socket) => ask(socket, 'request:approve', { requestId, note: 'Approved' })),
    );
    expect(results.filter((r) => 'data' in r)).toHaveLength(1);
    const audit = (await readAudit(server)).filter(
      (e) => e.requestId === requestId && e.action === 'request.approved',
    );
    expect(audit).toHaveLength(1);
    await must(alice, 'request:deny', { requestId, reason: 'Test done' });
  });
});
