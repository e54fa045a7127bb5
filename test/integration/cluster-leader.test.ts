// The cluster's leader (who runs the expiry sweep and the outbox) on a real PostgreSQL: of two
// processes exactly one leads; when the leader's connection is cut or it stops, the other takes over
// within seconds; and the apps built on it sweep from the leader only.
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { App } from '../../server/app';
import { createApp } from '../../server/app';
import type { Leadership } from '../../server/cluster/leader';
import { LEADER_LOCK_KEY, advisoryLockLeader } from '../../server/cluster/leader';
import { silentLogger } from '../../server/logger';
import { openPostgresStore } from '../../server/store/postgres/postgres-store';
import type { Postgres } from '../support/postgres';
import { startPostgres } from '../support/postgres';

let postgres: Postgres;
beforeAll(async () => {
  postgres = await startPostgres();
});
afterAll(() => postgres?.dispose());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, check: () => boolean, withinMs: number): Promise<number> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > withinMs) throw new Error(`not within ${withinMs} ms: ${what}`);
    await sleep(20);
  }
  return Date.now() - started;
}

/** The backend pid holding the leader lock in this database, if any. */
async function lockHolder(pool: pg.Pool): Promise<number | undefined> {
  const key = BigInt(LEADER_LOCK_KEY);
  const { rows } = await pool.query<{ pid: number }>(
    `SELECT pid FROM pg_locks
      WHERE locktype = 'advisory' AND granted
        AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND classid = $1 AND objid = $2 AND objsubid = 1`,
    [String(key >> 32n), String(key & 0xffffffffn)],
  );
  return rows[0]?.pid;
}

describe('the advisory-lock leader', () => {
  const pools: pg.Pool[] = [];
  const leaders: Leadership[] = [];
  afterEach(async () => {
    await Promise.all(leaders.splice(0).map((leader) => leader.stop()));
    await Promise.all(pools.splice(0).map((pool) => pool.end()));
  });

  /** Two processes' worth: a pool each on one database, and a leader on each. */
  async function twoLeaders(options: { retryMs?: number; checkMs?: number } = {}) {
    const url = await postgres.newDatabase();
    const made = [0, 1].map(() => {
      const pool = new pg.Pool({ connectionString: url, max: 4 });
      pool.on('error', () => undefined);
      pools.push(pool);
      const leader = advisoryLockLeader(pool, {
        retryMs: options.retryMs ?? 300,
        checkMs: options.checkMs ?? 300,
        logger: silentLogger(),
      });
      leaders.push(leader);
      return { pool, leader };
    });
    const observer = new pg.Pool({ connectionString: url, max: 1 });
    pools.push(observer);
    return { made, observer };
  }

  it('lets exactly one of two lead, and says so to its listeners', async () => {
    const { made } = await twoLeaders();
    const heard: boolean[][] = [[], []];
    made.forEach(({ leader }, i) => leader.onChange((leading) => heard[i]!.push(leading)));
    made.forEach(({ leader }) => leader.start());
    await until('one leads', () => made.some(({ leader }) => leader.leading), 5_000);
    // Several of the other's tries later, still exactly one.
    await sleep(1_200);
    expect(made.filter(({ leader }) => leader.leading)).toHaveLength(1);
    expect(heard.flat()).toEqual([true]);
  });

  it("hands over within seconds when the leader's connection is cut, and the old leader stops", async () => {
    const { made, observer } = await twoLeaders();
    made.forEach(({ leader }) => leader.start());
    await until('one leads', () => made.some(({ leader }) => leader.leading), 5_000);
    const first = made.findIndex(({ leader }) => leader.leading);
    const other = made[1 - first]!.leader;
    const pid = await lockHolder(observer);
    expect(pid).toBeTypeOf('number');

    // As when the leader's process dies or its connection drops: PostgreSQL ends the session.
    await observer.query('SELECT pg_terminate_backend($1)', [pid]);
    const tookMs = await until('the other leads', () => other.leading, 5_000);
    await until('the first stops leading', () => !made[first]!.leader.leading, 5_000);
    console.log(`leader: connection cut → the other leads after ${tookMs} ms (retry every 300 ms)`);
    expect(tookMs).toBeLessThan(3_000);
    expect(await lockHolder(observer)).not.toBe(pid);

    // The first keeps trying, and does not lead while the other does.
    await sleep(1_000);
    expect(made[first]!.leader.leading).toBe(false);
    expect(other.leading).toBe(true);
  });

  it('hands over at once when the leader stops (a clean shutdown releases the lock)', async () => {
    const { made, observer } = await twoLeaders();
    made.forEach(({ leader }) => leader.start());
    await until('one leads', () => made.some(({ leader }) => leader.leading), 5_000);
    const first = made.findIndex(({ leader }) => leader.leading);
    await made[first]!.leader.stop();
    expect(made[first]!.leader.leading).toBe(false);
    const tookMs = await until('the other leads', () => made[1 - first]!.leader.leading, 5_000);
    expect(tookMs).toBeLessThan(1_500);
    expect(await lockHolder(observer)).toBeTypeOf('number');
  });

  it('stops leading when the database goes away, and leads again when it is back', async () => {
    const { made } = await twoLeaders();
    const { leader } = made[0]!;
    leader.start();
    await until('it leads', () => leader.leading, 5_000);
    await postgres.stop();
    try {
      await until('it stops leading', () => !leader.leading, 5_000);
    } finally {
      await postgres.start();
    }
    await until('it leads again', () => leader.leading, 10_000);
  });
});

describe('two servers on one database', () => {
  const apps: App[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  it('sweep from the leader only, and the other takes the sweep over when the leader closes', async () => {
    const url = await postgres.newDatabase();
    for (let i = 0; i < 2; i++)
      apps.push(
        createApp({ store: await openPostgresStore(url), version: 'test', logger: silentLogger() }),
      );
    const sweeps = apps.map((app) => vi.spyOn(app.requests, 'expireDue'));
    for (const app of apps) app.startTimers(100);
    await until('one leads', () => apps.some((app) => app.leadership.leading), 10_000);
    await sleep(1_000);
    const leader = apps.findIndex((app) => app.leadership.leading);
    const other = 1 - leader;
    expect(apps[other]!.leadership.leading).toBe(false);
    expect(sweeps[leader]!.mock.calls.length).toBeGreaterThanOrEqual(5);
    expect(sweeps[other]).not.toHaveBeenCalled();

    // A clean stop releases the lock: the other leads and sweeps on its next try (every 3 s).
    const [closing] = apps.splice(leader, 1);
    await closing!.close();
    const tookMs = await until('the other leads', () => apps[0]!.leadership.leading, 6_000);
    await until('the other sweeps', () => sweeps[other]!.mock.calls.length > 0, 2_000);
    console.log(`leader: app closed → the other app leads after ${tookMs} ms (default retry, 3 s)`);
    expect(tookMs).toBeLessThan(4_000);
  });
});
