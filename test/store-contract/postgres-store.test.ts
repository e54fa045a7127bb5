// The PostgreSQL store against the store contract (a fresh database per test on one throwaway
// cluster per file), then what only a store shared by several processes must do: two stores open
// on one database stand for two server processes.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import { applyCommand } from '../../server/domain/request-lifecycle';
import type { OpenRequest } from '../../server/domain/help-request';
import type { AgentActor } from '../../server/requests/request-service';
import { RequestService } from '../../server/requests/request-service';
import type { AgentRecord, RequestCommit, Store } from '../../server/store/repositories';
import { StoreUnavailableError } from '../../server/store/postgres/errors';
import { openPostgresStore, type PostgresStore } from '../../server/store/postgres/postgres-store';
import { startPostgres, type Postgres } from '../support/postgres';
import { agentActor, agentRecord, changed, queuedRequest, slowDirectory } from './records';
import { describeStoreContract } from './store-contract';

let postgres: Postgres;
beforeAll(async () => {
  postgres = await startPostgres();
});
afterAll(() => postgres?.dispose());

describeStoreContract('postgres store', async () => {
  const url = await postgres.newDatabase();
  return {
    open: () => openPostgresStore(url),
    inAnotherProcess: {
      module: 'server/store/postgres/postgres-store.ts',
      exportName: 'openPostgresStore',
      location: url,
    },
    // The database is left to the cluster, which the file's afterAll removes.
    dispose: async () => undefined,
  };
});

/** Two stores on one fresh database, as two server processes; closed when the test ends. */
async function twoProcesses(): Promise<[PostgresStore, PostgresStore, string]> {
  const url = await postgres.newDatabase();
  const a = await openPostgresStore(url);
  const b = await openPostgresStore(url);
  onTestFinished(async () => {
    await a.close();
    await b.close();
  });
  return [a, b, url];
}

async function enableDeskOne(store: Store): Promise<void> {
  const config = store.realm.config;
  await store.realm.save({
    ...config,
    helpDesks: {
      ...config.helpDesks,
      '1': { enabled: true, name: 'IT Desk', phone: '+14155550100', email: 'it@example.com' },
    },
  });
}

const claim = (agent: AgentActor) => (current: OpenRequest | undefined) => {
  if (!current) throw new Error('not open');
  const result = applyCommand(current, { type: 'claim', actor: agent }, current.updatedAt + 1);
  if (!result.ok) throw new Error(result.error.code);
  return {
    request: result.request,
    audit: { ...changed(result.request, 'request.claimed'), actor: `agent:${agent.ref.id}` },
  } satisfies RequestCommit;
};

describe('postgres store: one database shared by several processes', () => {
  it('lets exactly one of many simultaneous claims win when they come through two processes', async () => {
    const [a, b] = await twoProcesses();
    const request = queuedRequest(1);
    await a.requests.commit(request, changed(request, 'request.submitted'));
    const agents = Array.from({ length: 20 }, (_, i) => agentActor(`agent${i}`));
    const outcomes = await Promise.allSettled(
      agents.map((agent, i) => (i % 2 ? b : a).requests.change(request.id, claim(agent))),
    );
    const won = outcomes.filter((o) => o.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const outcome of outcomes)
      if (outcome.status === 'rejected')
        expect((outcome.reason as Error).message).toBe('already-claimed');
    const claims: string[] = [];
    for await (const entry of a.audit.select({ action: 'request.claimed' }))
      claims.push(entry.actor);
    expect(claims).toHaveLength(1);
  });

  it('keeps one open request per user when submissions for that user race through two processes', async () => {
    const [a, b] = await twoProcesses();
    await enableDeskOne(a);
    await vi.waitFor(() => expect(b.realm.config.helpDesks['1'].enabled).toBe(true));
    const callers = [a, b].map((store) => new RequestService(store, slowDirectory, Date.now));
    const submitted = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        callers[i % 2]!.submit({
          username: 'jsmith',
          desk: '1',
          sessionSecret: 'browser-1',
          origin: { ip: '127.0.0.1', userAgent: 'postgres store test' },
        }),
      ),
    );
    const open = await a.pool.query<{ id: string }>(
      "SELECT id FROM open_requests WHERE username = 'jsmith'",
    );
    expect(open.rows).toHaveLength(1);
    expect(submitted.map((r) => r.id)).toContain(open.rows[0]!.id);
    const superseded: unknown[] = [];
    for await (const entry of b.audit.select({ action: 'request.superseded' }))
      superseded.push(entry);
    expect(superseded).toHaveLength(15);
    for (const store of [a, b])
      await vi.waitFor(() =>
        expect(store.requests.ofUser('jsmith').map((r) => r.id)).toEqual([open.rows[0]!.id]),
      );
  });

  it('keeps one unbroken audit chain while two processes write at once', async () => {
    const [a, b] = await twoProcesses();
    const writes = Array.from({ length: 60 }, (_, i) => {
      const store = i % 2 ? b : a;
      if (i % 3 !== 0)
        return store.audit.record({ actor: 'system', action: 'test.audit', details: { i } });
      const request = queuedRequest(i + 1);
      return store.requests.commit(request, changed(request, 'request.submitted'));
    });
    await Promise.all(writes);
    const verified = await a.audit.verify();
    expect(verified).toMatchObject({ ok: true, entries: 60 });
    expect(await b.audit.verify()).toEqual(verified);
    for (const store of [a, b])
      await vi.waitFor(() => {
        expect(store.audit.lastSeq).toBe(60);
        expect(store.audit.lastHash).toBe((verified as { lastHash: string }).lastHash);
      });
    const next = await b.audit.record({ actor: 'system', action: 'test.after' });
    expect(next.seq).toBe(61);
  });

  it("shows a change made through one process in the other's synchronous reads shortly after, and tells its listeners", async () => {
    const [a, b] = await twoProcesses();
    const heard: [string, string][] = [];
    const stop = b.onRemoteChange((table, key) => heard.push([table, key]));
    const request = queuedRequest(1);
    await a.requests.commit(request, changed(request, 'request.submitted'));
    await a.agents.add(agentRecord('alice'));
    await a.outbox.enqueue({
      id: 'mail-1',
      messageId: '<mail-1@example.com>',
      kind: 'test',
      to: ['a@example.com'],
      subject: 'Hello',
      // Larger than a notification carries: read again by key.
      text: 'x'.repeat(20_000),
      html: '',
      createdAt: 1,
      state: 'pending',
      attempts: 0,
      nextAttemptAt: 1,
      sentAt: null,
      lastError: null,
    });
    await a.realm.save({ ...a.realm.config, requestTtlMinutes: 33 });
    await vi.waitFor(() => {
      expect(b.requests.get(request.id)).toEqual(request);
      expect(b.requests.ofUser(request.username)).toHaveLength(1);
      expect(b.agents.byId('alice')).toEqual(agentRecord('alice'));
      expect(b.outbox.get('mail-1')?.text).toHaveLength(20_000);
      expect(b.realm.config.requestTtlMinutes).toBe(33);
      expect(b.health()).toMatchObject({ openRequests: 1, auditEntries: 1 });
    });
    expect(heard).toEqual(
      expect.arrayContaining([
        ['requests', request.id],
        ['agents', 'alice'],
        ['outbox', 'mail-1'],
        ['realm', ''],
      ]),
    );
    // Its own changes are not remote to it.
    const own: string[] = [];
    a.onRemoteChange((table) => own.push(table));
    await b.requests.change(request.id, claim(agentActor('bob')));
    await vi.waitFor(() => expect(a.requests.get(request.id)?.state).toBe('claimed'));
    expect(own).toEqual(['requests', 'audit']);
    stop();
    // Closed through B: gone from A's open requests, counted in A's health.
    await b.requests.change(request.id, (current) => ({
      request: {
        ...current!,
        state: 'cancelled',
        closedAt: 2,
        closedReason: 'Cancelled.',
      } as never,
      audit: changed(request, 'request.cancelled'),
    }));
    await vi.waitFor(() => {
      expect(a.requests.get(request.id)).toBeUndefined();
      expect(a.health()).toMatchObject({ openRequests: 0, closedRequests: 1 });
    });
  });

  it('applies exactly one of many simultaneous agent updates through two processes (an authenticator code works once)', async () => {
    const [a, b] = await twoProcesses();
    await a.agents.add({ ...agentRecord('alice'), totpLastTimeStep: 100 });
    await vi.waitFor(() => expect(b.agents.byId('alice')).toBeDefined());
    const accept = (step: number) => (current: AgentRecord) =>
      (current.totpLastTimeStep ?? 0) < step ? { ...current, totpLastTimeStep: step } : undefined;
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => (i % 2 ? b : a).agents.update('alice', accept(101))),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    await vi.waitFor(() => expect(b.agents.byId('alice')?.totpLastTimeStep).toBe(101));
  });

  it('refuses to open a database whose schema is newer than the server knows, naming both versions', async () => {
    const url = await postgres.newDatabase();
    await (await openPostgresStore(url)).close();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query("INSERT INTO schema_migrations (version, name) VALUES (999, 'future')");
    await client.end();
    await expect(openPostgresStore(url)).rejects.toThrow(
      /has schema version 999, newer than this server knows \(2\)/,
    );
  });

  it('applies the migrations once when two processes open an empty database at the same moment', async () => {
    const url = await postgres.newDatabase();
    const stores = await Promise.all([openPostgresStore(url), openPostgresStore(url)]);
    onTestFinished(async () => {
      for (const store of stores) await store.close();
    });
    const { rows } = await stores[0].pool.query<{ version: number }>(
      'SELECT version FROM schema_migrations ORDER BY version',
    );
    expect(rows.map((r) => r.version)).toEqual([1, 2]);
    expect(stores.filter((s) => s.firstRun)).toHaveLength(1);
    expect(stores[0].keys.otpKey).toBe(stores[1].keys.otpKey);
  });
});

// Last: it stops the cluster the other tests use.
describe('postgres store: when the database goes away', () => {
  it('survives a connection in use ended by PostgreSQL between two statements (found: it ended the process)', async () => {
    const [a, , url] = await twoProcesses();
    // Checked out and idle between statements, as a transaction is between two of its queries.
    const inUse = await a.pool.connect();
    const { rows } = await inUse.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      // What a PostgreSQL shutdown sends every backend: FATAL 57P01, with no statement to take it.
      await admin.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
    } finally {
      await admin.end();
    }
    // Unheard, that 'error' would have been an uncaught exception failing this file.
    await expect(inUse.query('SELECT 1')).rejects.toThrow();
    inUse.release(true);
    const request = queuedRequest(1);
    await a.requests.commit(request, changed(request, 'request.submitted'));
    expect(a.requests.get(request.id)).toBeDefined();
  });

  it('rejects writes as unavailable while reads answer from the caches, and recovers by itself, reloading what it missed', async () => {
    const [a, b, url] = await twoProcesses();
    const request = queuedRequest(1);
    await a.requests.commit(request, changed(request, 'request.submitted'));
    await vi.waitFor(() => expect(b.requests.get(request.id)).toBeDefined());

    await postgres.stop();
    await vi.waitFor(() => expect(a.health().status).toBe('unavailable'), { timeout: 10_000 });
    const later = queuedRequest(2);
    await expect(
      a.requests.commit(later, changed(later, 'request.submitted')),
    ).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(a.audit.record({ actor: 'system', action: 'test.down' })).rejects.toMatchObject({
      code: 'store-unavailable',
    });
    await expect(a.agents.add(agentRecord('alice'))).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(a.requests.get(request.id)).toEqual(request);
    expect(a.requests.get(later.id)).toBeUndefined();

    await postgres.start();
    await vi.waitFor(() => expect(a.health().status).toBe('ok'), { timeout: 20_000 });
    await vi.waitFor(() => expect(b.health().status).toBe('ok'), { timeout: 20_000 });
    await a.requests.commit(later, changed(later, 'request.submitted'));
    expect(await a.audit.verify()).toMatchObject({ ok: true, entries: 2 });

    // A change B's feed never heard of (its LISTEN connection cut): B reloads once it is back.
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN%' AND pid <> pg_backend_pid()",
    );
    await admin.query(
      "UPDATE realm SET config = jsonb_set(config, '{requestTtlMinutes}', '44'), rev = nextval('store_rev')",
    );
    await admin.end();
    await vi.waitFor(
      () => {
        expect(b.realm.config.requestTtlMinutes).toBe(44);
        expect(b.requests.get(later.id)).toBeDefined();
        expect(b.health().status).toBe('ok');
      },
      { timeout: 20_000 },
    );
  }, 90_000);
});
