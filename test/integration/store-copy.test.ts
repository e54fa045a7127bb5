// `npm run store -- copy`: an embedded data dir with history copied into an empty PostgreSQL
// database is the same store there (every part, the audit log with its own seqs and hashes), and a
// second copy into that database is refused.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../server/audit/audit-chain';
import type { ClosedRequest } from '../../server/domain/help-request';
import { openEmbeddedStore } from '../../server/store/embedded/embedded-store';
import { openPostgresStore } from '../../server/store/postgres/postgres-store';
import type { AgentRecord, Store } from '../../server/store/repositories';
import { main } from '../../server/store/store-cli';
import { cancelled, changed, claimedBy, queuedRequest } from '../store-contract/records';
import { startPostgres, type Postgres } from '../support/postgres';

let postgres: Postgres;
let dataDir: string;
beforeAll(async () => {
  postgres = await startPostgres();
  dataDir = await mkdtemp(path.join(tmpdir(), 'hdotp-store-copy-'));
});
afterAll(async () => {
  await postgres?.dispose();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

function agent(id: string): AgentRecord {
  return {
    id,
    username: id,
    displayName: `Agent ${id}`,
    role: id === 'root' ? 'admin' : 'agent',
    desks: ['1'],
    enabled: true,
    passwordHash: `hash-${id}`,
    createdAt: 1,
    updatedAt: 1,
  };
}

/** A store with some of everything: open and closed requests, audit entries, agents, users. */
async function fill(store: Store): Promise<void> {
  await store.realm.save({ ...store.realm.config, requestTtlMinutes: 17 });
  await store.keys.setSecret('smtp-password', 'smtp-Secret-1');
  await store.keys.assertionKey();
  for (const id of ['root', 'alice', 'bob']) await store.agents.add(agent(id));
  await store.agents.update('alice', (a) => ({ ...a, desks: ['1', '2'], totpLastTimeStep: 7 }));
  await store.sessions.add({
    tokenHash: 'c'.repeat(64),
    id: 'session-1',
    agentId: 'alice',
    createdAt: 1,
    expiresAt: 9_999_999_999_999,
  });
  await store.directory.putMany(
    ['jsmith', 'mlee', 'josé'].map((username) => ({
      username,
      displayName: username,
      email: `${username}@example.com`,
      phone: '+14155550101',
      employeeId: 'E1',
      department: 'Finance',
      manager: 'mlee',
      enabled: true,
      privileged: false,
      passwordHash: '',
    })),
  );
  await store.persistentTokens.revokeUpTo('jsmith', 1234);
  await store.outbox.enqueue({
    id: 'mail-1',
    messageId: '<mail-1@example.com>',
    kind: 'test',
    to: ['jsmith@example.com'],
    subject: 'Hello',
    text: 'Text',
    html: '<p>Text</p>',
    createdAt: 5,
    state: 'pending',
    attempts: 0,
    nextAttemptAt: 5,
    sentAt: null,
    lastError: null,
  });
  await store.blocks.put({
    username: 'mlee',
    reason: 'admin',
    detail: 'x',
    at: 1,
    by: 'agent:root',
  });
  await store.usedLinks.use('link-1', Date.now() + 3_600_000);
  for (const at of [100, 200, 300]) await store.activity.take('reveal:alice', at, 0, 10);
  await store.signIns.add('jsmith', { at: 1, deviceHash: '', ip: '::1', network: '::/48' });
  await store.requests.setFailures('jsmith', [10, 20]);
  for (let n = 1; n <= 30; n += 1) {
    const request = queuedRequest(n, n % 4 === 0 ? 'jsmith' : `user${n}`);
    await store.requests.commit(request, changed(request, 'request.submitted'));
    if (n % 3 === 0) {
      const claimed = claimedBy(request, 'alice');
      await store.requests.commit(claimed, changed(claimed, 'request.claimed'));
    }
    if (n % 2 === 0)
      await store.requests.commit(cancelled(request), changed(request, 'request.cancelled'));
  }
  for (let i = 0; i < 10; i += 1)
    await store.audit.record({ actor: 'agent:root', action: 'realm.updated', details: { i } });
}

async function readAll<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

/** Everything the copy must carry, read through the repositories. */
async function snapshot(store: Store) {
  const history = await store.history.search({ offset: 0, limit: 1_000 });
  return {
    realm: store.realm.config,
    keys: {
      otpKey: store.keys.otpKey,
      cookieKey: store.keys.cookieKey,
      assertionKey: await store.keys.assertionKey(),
      smtp: store.keys.secret('smtp-password'),
    },
    agents: store.agents.list(),
    session: store.sessions.byTokenHash('c'.repeat(64)),
    directory: store.directory.list(),
    revoked: store.persistentTokens.notBefore('jsmith'),
    outbox: store.outbox.get('mail-1'),
    blocks: store.blocks.list(),
    activity: store.activity.since('reveal:alice', 0),
    signIns: store.signIns.of('jsmith'),
    failures: store.requests.failuresOf('jsmith'),
    open: store.requests.all,
    history: history as { requests: ClosedRequest[]; total: number },
    audit: (await readAll(store.audit.entries())) as AuditEntry[],
    head: { seq: store.audit.lastSeq, hash: store.audit.lastHash },
    health: { ...store.health(), kind: undefined, status: undefined },
  };
}

function cli(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  return main(argv, { out: (t) => out.push(t), err: (t) => err.push(t) }).then((code) => ({
    code,
    out: out.join('\n'),
    err: err.join('\n'),
  }));
}

describe('npm run store -- copy', () => {
  it('copies an embedded data dir into an empty PostgreSQL database as it is, and refuses to copy into it again', async () => {
    const source = await openEmbeddedStore(dataDir);
    await fill(source);
    const before = await snapshot(source);
    await source.close();
    expect(before.history.total).toBe(15);
    expect(before.open).toHaveLength(15);

    const url = await postgres.newDatabase();
    const copied = await cli(['copy', '--from', dataDir, '--to', url]);
    expect(copied).toMatchObject({ code: 0, err: '' });
    expect(copied.out).toMatch(/closed requests\s+15/);
    expect(copied.out).toMatch(/audit entries\s+\d+/);
    expect(copied.out).toContain(before.head.hash);

    const store = await openPostgresStore(url);
    try {
      expect(store.firstRun).toBe(false);
      expect(await snapshot(store)).toEqual(before);
      expect(await store.audit.verify()).toEqual({
        ok: true,
        entries: before.head.seq,
        lastHash: before.head.hash,
      });
      // The link stays used; the chain goes on from the copied head.
      expect(await store.usedLinks.use('link-1', Date.now() + 3_600_000)).toBe(false);
      const next = await store.audit.record({ actor: 'system', action: 'copy.checked' });
      expect(next).toMatchObject({ seq: before.head.seq + 1, prevHash: before.head.hash });
    } finally {
      await store.close();
    }

    const again = await cli(['copy', '--from', dataDir, '--to', url]);
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/already holds a Help Desk OTP store/);
    // The data dir is left as it was.
    const reopened = await openEmbeddedStore(dataDir);
    expect(reopened.audit.lastHash).toBe(before.head.hash);
    await reopened.close();
  }, 120_000);

  it('refuses a directory that is not a data dir, and wrong usage', async () => {
    const url = await postgres.newDatabase();
    const missing = await cli(['copy', '--from', path.join(dataDir, 'nope'), '--to', url]);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/no server data directory/);
    expect((await cli(['copy', '--from', dataDir])).code).toBe(2);
    expect((await cli(['move'])).code).toBe(2);
  });
});
