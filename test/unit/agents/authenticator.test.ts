// Authenticator apps: a code is accepted once, even when the same code arrives twice at the same moment.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateSync } from 'otplib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentAccounts } from '../../../server/agents/agent-accounts';
import { AgentSessions } from '../../../server/agents/agent-sessions';
import { Authenticator } from '../../../server/agents/authenticator';
import { openEmbeddedStore } from '../../../server/store/embedded/embedded-store';
import type { AgentRecord, Store } from '../../../server/store/repositories';

const PASSWORD = 'correct horse battery staple';
let dir: string;
let store: Store;
let authenticator: Authenticator;
let sessions: AgentSessions;
let alice: AgentRecord;
let clock = Date.now();
const now = () => clock;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'hdotp-authenticator-'));
  store = await openEmbeddedStore(dir);
  authenticator = new Authenticator(store, now);
  sessions = new AgentSessions(store, authenticator, now);
  const accounts = new AgentAccounts(store, sessions, authenticator, now);
  alice = await accounts.createWithPassword(
    { username: 'alice', displayName: 'Alice', role: 'agent', desks: ['1'] },
    PASSWORD,
  );
});
afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

const currentCode = (secret: string) => generateSync({ secret, epoch: Math.floor(clock / 1000) });

describe('Authenticator', () => {
  it('enrols with a current code, and tells who listens that the agent changed', async () => {
    const enrolled: string[] = [];
    authenticator.onEnrolled((agent) => enrolled.push(agent.id));
    const { secret } = await authenticator.begin(alice);
    const pending = store.agents.byId(alice.id)!;
    await authenticator.confirm(pending, currentCode(secret));
    expect(store.agents.byId(alice.id)).toMatchObject({ totpSecret: secret });
    expect(store.agents.byId(alice.id)?.pendingTotpSecret).toBeUndefined();
    expect(enrolled).toEqual([alice.id]);
  });

  it('accepts a sign-in code once, even when it is sent twice at the same moment', async () => {
    const { secret } = await authenticator.begin(alice);
    await authenticator.confirm(store.agents.byId(alice.id)!, currentCode(secret));
    // The code that enrolled the app is spent; the next one comes a step later.
    clock += 30_000;

    const code = currentCode(secret);
    const attempts = await Promise.allSettled([
      sessions.login({ username: 'alice', password: PASSWORD, totp: code }, '127.0.0.1'),
      sessions.login({ username: 'alice', password: PASSWORD, totp: code }, '127.0.0.1'),
    ]);
    expect(attempts.map((a) => a.status).sort()).toEqual(['fulfilled', 'rejected']);
  });
});
