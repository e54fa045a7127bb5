// The caps and the paper trail over the real server: passcodes per user per day and reveals per agent
// per hour (crossing one refuses, audited, and alerts admins; simultaneous reveals race for the last
// slots), notes required with checks, and the audit of a passcode shown again and of directory details
// opened.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultRiskPolicy } from '../../server/contract/risk';
import { askForHelp } from '../support/sign-in-pages';
import type { AgentSocket, TestServer } from '../support/test-server';
import {
  RELAXED_RISK_POLICY,
  ask,
  connectAs,
  must,
  nextEvent,
  readAudit,
  seedRealm,
  startTestServer,
} from '../support/test-server';

let server: TestServer;
let alice: AgentSocket;
let bob: AgentSocket;
let root: AgentSocket;
/** Reveals nothing before the race, so the hour's room is all theirs. */
let dave: AgentSocket;

const USERS = ['jsmith', 'mlee', 'kwong', 'agarcia', 'tnguyen', 'rpatel', 'dkim', 'lfox'];

beforeAll(async () => {
  server = await startTestServer();
  await seedRealm(
    server,
    [
      { username: 'alice', displayName: 'Alice', role: 'agent', desks: ['1'] },
      { username: 'bob', displayName: 'Bob', role: 'agent', desks: ['1'] },
      { username: 'root', displayName: 'Root', role: 'admin', desks: ['2'] },
      { username: 'dave', displayName: 'Dave', role: 'agent', desks: ['1'] },
    ],
    USERS,
  );
  [alice, bob, root, dave] = await Promise.all([
    connectAs(server.url, 'alice'),
    connectAs(server.url, 'bob'),
    connectAs(server.url, 'root'),
    connectAs(server.url, 'dave'),
  ]);
  await must(root, 'config:update', { workflow: 'username|second-factor' });
});

afterAll(async () => {
  for (const socket of [alice, bob, root, dave]) socket?.disconnect();
  await server?.cleanup();
});

async function setCaps(passcodesPerUserPerDay: number, revealsPerAgentPerHour: number) {
  await must(root, 'config:update', {
    riskPolicy: {
      ...RELAXED_RISK_POLICY,
      caps: { passcodesPerUserPerDay, revealsPerAgentPerHour },
    },
  });
}

/** A request of `username` held by `agent` with the default policy's checks recorded. */
async function verified(agent: AgentSocket, username: string): Promise<string> {
  const { requestId } = await askForHelp(server.url, username, '1');
  await must(agent, 'request:claim', { requestId });
  await must(agent, 'request:verify', { requestId, checkId: 'callback', note: 'Called back' });
  await must(agent, 'request:verify', { requestId, checkId: 'employee-id', note: 'Gave E1' });
  return requestId;
}

describe('the per-user cap on passcodes a day', () => {
  it('refuses the passcode past the cap with a clear message, audited, and alerts admins live', async () => {
    await setCaps(2, 1000);
    const first = await verified(alice, 'jsmith');
    await must(alice, 'request:reveal', { requestId: first });
    // A new passcode on the same request counts too.
    await must(alice, 'request:reveal', { requestId: first });
    await must(alice, 'request:deny', { requestId: first, reason: 'Caller hung up' });

    const next = await verified(bob, 'jsmith');
    const alert = nextEvent(root, 'alert:raised', (a) => a.kind === 'cap-reached');
    const refused = await ask(bob, 'request:reveal', { requestId: next });
    expect(refused).toMatchObject({ error: { code: 'rate-limited' } });
    if ('error' in refused) expect(refused.error.message).toMatch(/jsmith has had 2 passcode/);
    expect(await alert).toMatchObject({ username: 'jsmith', kind: 'cap-reached' });
    const audit = await readAudit(server);
    expect(
      audit.find((e) => e.requestId === next && e.action === 'request.reveal-refused'),
    ).toMatchObject({ actor: 'agent:bob', details: { reason: 'user-cap', count: 2 } });
    // Another user is not held back by it.
    const other = await verified(bob, 'mlee');
    await must(bob, 'request:reveal', { requestId: other });
    await must(bob, 'request:deny', { requestId: next, reason: 'Over the cap' });
    await must(bob, 'request:deny', { requestId: other, reason: 'Test done' });
  });
});

describe('the per-agent cap on reveals an hour', () => {
  it('of five simultaneous reveals with room for three, exactly three issue a passcode; the rest are refused and audited', async () => {
    await setCaps(100, 3);
    const ids = await Promise.all(
      ['kwong', 'agarcia', 'tnguyen', 'rpatel', 'dkim'].map((u) => verified(dave, u)),
    );
    const results = await Promise.all(
      ids.map((requestId) => ask(dave, 'request:reveal', { requestId })),
    );
    const issued = results.filter((r) => 'data' in r);
    expect(issued).toHaveLength(3);
    for (const r of results.filter((r) => 'error' in r))
      expect(r).toMatchObject({ error: { code: 'rate-limited' } });
    const audit = await readAudit(server);
    expect(
      audit.filter(
        (e) =>
          ids.includes(e.requestId ?? '') &&
          e.action === 'request.reveal-refused' &&
          e.details.reason === 'agent-cap',
      ),
    ).toHaveLength(2);
    // Another agent still has their own hour.
    const bobs = await verified(bob, 'lfox');
    await must(bob, 'request:reveal', { requestId: bobs });
    for (const requestId of ids) await must(dave, 'request:deny', { requestId, reason: 'Done' });
    await must(bob, 'request:deny', { requestId: bobs, reason: 'Done' });
  });
});

describe('notes with checks', () => {
  it('a required check recorded without a note is refused; the policy decides which checks need one', async () => {
    await setCaps(100, 1000);
    const { requestId } = await askForHelp(server.url, 'mlee', '1');
    await must(alice, 'request:claim', { requestId });
    const bare = await ask(alice, 'request:verify', { requestId, checkId: 'callback', note: '  ' });
    expect(bare).toMatchObject({ error: { code: 'bad-request' } });
    if ('error' in bare) expect(bare.error.message).toMatch(/note/);
    // Not required: no note needed by default…
    await must(alice, 'request:verify', { requestId, checkId: 'manager', note: '' });
    // …unless every check needs one.
    const policy = (await must(root, 'config:get', {})).verificationPolicy;
    await must(root, 'config:update', {
      verificationPolicy: { ...policy, notesRequired: 'all' },
    });
    expect(
      await ask(alice, 'request:verify', { requestId, checkId: 'photo-id', note: '' }),
    ).toMatchObject({ error: { code: 'bad-request' } });
    await must(root, 'config:update', {
      verificationPolicy: { ...policy, notesRequired: 'none' },
    });
    await must(alice, 'request:verify', { requestId, checkId: 'callback', note: '' });
    await must(root, 'config:update', { verificationPolicy: policy });
    const view = await must(alice, 'request:get', { requestId });
    expect(view.verification.map((r) => r.checkId).sort()).toEqual(['callback', 'manager']);
    await must(alice, 'request:deny', { requestId, reason: 'Test done' });
  });
});

describe('the paper trail', () => {
  it('records each time a passcode is shown again, by its holder only', async () => {
    const requestId = await verified(alice, 'agarcia');
    expect(await ask(alice, 'request:passcode-shown', { requestId })).toMatchObject({
      error: { code: 'invalid-state' },
    });
    await must(alice, 'request:reveal', { requestId });
    await must(alice, 'request:passcode-shown', { requestId });
    await must(alice, 'request:passcode-shown', { requestId });
    expect(await ask(bob, 'request:passcode-shown', { requestId })).toMatchObject({
      error: { code: 'invalid-state' },
    });
    const shown = (await readAudit(server)).filter(
      (e) => e.requestId === requestId && e.action === 'request.passcode-shown',
    );
    expect(shown).toEqual([
      expect.objectContaining({ actor: 'agent:alice', details: { revealCount: 1 } }),
      expect.objectContaining({ actor: 'agent:alice', details: { revealCount: 1 } }),
    ]);
    await must(alice, 'request:deny', { requestId, reason: 'Test done' });
  });

  it('records who opened a request’s directory details, each time', async () => {
    const { requestId } = await askForHelp(server.url, 'tnguyen', '1');
    const before = (await readAudit(server)).length;
    await must(bob, 'request:get', { requestId });
    await must(alice, 'request:get', { requestId });
    const opened = (await readAudit(server))
      .slice(before)
      .filter((e) => e.action === 'request.details-opened');
    expect(opened.map((e) => e.actor)).toEqual(['agent:bob', 'agent:alice']);
    expect(opened[0]).toMatchObject({ requestId, details: { username: 'tnguyen' } });
    // The queue itself shows no directory details and records nothing.
    await must(bob, 'queue:list', {});
    expect(
      (await readAudit(server)).slice(before).filter((e) => e.action === 'request.details-opened'),
    ).toHaveLength(2);
  });

  it('the default policy is what a new realm gets', async () => {
    const fresh = await startTestServer();
    try {
      expect(fresh.app.realm.config.riskPolicy).toEqual(defaultRiskPolicy());
      expect(fresh.app.realm.config.verificationPolicy.notesRequired).toBe('required');
    } finally {
      await fresh.cleanup();
    }
  });
});
