// Rate limits every server process counts together, through the PostgreSQL database they share:
// an express-rate-limit Store on rate-limiter-flexible's RateLimiterPostgres for the per-IP and
// per-user limits, and the flood gate's shared counts.
import type { ClientRateLimitInfo, Options, Store } from 'express-rate-limit';
import type { Pool } from 'pg';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import { STORE_UNAVAILABLE, STORE_UNAVAILABLE_MESSAGE } from '../cluster/shared-store';
import type { SharedFloodCounts } from './flood-gate';

/** Where the limits' counters live (one row per limiter and key, rate-limiter-flexible's shape). */
export const RATE_LIMIT_TABLE = 'rate_limits';
/** Where the flood gate's counts live (one row per window and key, summed over every process). */
export const FLOOD_GATE_TABLE = 'flood_gate_counts';

/** One lock for creating the tables, so that two processes starting together do not collide. */
const CREATE_TABLES_LOCK = '5207303815479034188';

/** A limit store for the limiter `name` (unique per limiter: each counts apart). */
export type LimitStores = (name: string) => Store;

/**
 * Creates the tables once per process, on first use, whoever created them before (the statements
 * are idempotent); a failure (the database is down) is retried on the next use.
 */
function tablesOnce(pool: Pool): () => Promise<void> {
  let ready: Promise<void> | undefined;
  return () =>
    (ready ??= (async () => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [CREATE_TABLES_LOCK]);
        // Unlogged: a count is not worth a WAL flush per hit (~1 ms each, fsync on), and losing
        // the counts in a crash of PostgreSQL (or a failover to a standby) only restarts windows.
        await client.query(`CREATE UNLOGGED TABLE IF NOT EXISTS ${RATE_LIMIT_TABLE} (
          key varchar(255) PRIMARY KEY,
          points integer NOT NULL DEFAULT 0,
          expire bigint)`);
        await client.query(`CREATE UNLOGGED TABLE IF NOT EXISTS ${FLOOD_GATE_TABLE} (
          window_start bigint NOT NULL,
          key text NOT NULL,
          count integer NOT NULL,
          PRIMARY KEY (window_start, key))`);
        await client.query('COMMIT');
        client.release();
      } catch (error) {
        client.release(true);
        throw error;
      }
    })().catch((error: unknown) => {
      ready = undefined;
      throw error;
    }));
}

/**
 * An express-rate-limit Store counting in PostgreSQL: every process's hits on a key add up in one
 * row (an atomic upsert per hit), in fixed windows of the limiter's `windowMs` starting at the
 * key's first hit, as express-rate-limit's own memory store counts.
 */
class PostgresLimitStore implements Store {
  readonly localKeys = false;
  readonly prefix: string;
  private limiter: RateLimiterPostgres | undefined;

  constructor(
    private readonly pool: Pool,
    name: string,
    private readonly tablesReady: () => Promise<void>,
  ) {
    this.prefix = `${name}:`;
  }

  init(options: Options): void {
    this.limiter = new RateLimiterPostgres({
      storeClient: this.pool,
      storeType: 'pool',
      tableName: RATE_LIMIT_TABLE,
      tableCreated: true,
      // Expired rows are deleted by the cluster's leader (`prune`), not by a timer per limiter.
      clearExpiredByTimeout: false,
      keyPrefix: this.prefix.slice(0, -1),
      // The limit is express-rate-limit's to apply: here only the count and the window matter.
      points: Number.MAX_SAFE_INTEGER,
      duration: Math.max(1, Math.ceil(options.windowMs / 1000)),
    });
  }

  /** Runs `use` on the limiter once the tables exist; a database failure reads as unavailable. */
  private async counted<T>(use: (limiter: RateLimiterPostgres) => Promise<T>): Promise<T> {
    const { limiter } = this;
    if (!limiter) throw new Error('The shared limit store was used before init.');
    try {
      await this.tablesReady();
      return await use(limiter);
    } catch (error) {
      throw new LimitsUnavailableError(error);
    }
  }

  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    const found = await this.counted((limiter) => limiter.get(key));
    return found ? info(found) : undefined;
  }

  async increment(key: string): Promise<ClientRateLimitInfo> {
    // A penalty adds a point and never refuses: express-rate-limit compares the total to its limit.
    return info(await this.counted((limiter) => settled(limiter.penalty(key, 1))));
  }

  async decrement(key: string): Promise<void> {
    await this.counted((limiter) => settled(limiter.reward(key, 1)));
  }

  async resetKey(key: string): Promise<void> {
    await this.counted((limiter) => limiter.delete(key));
  }
}

/**
 * A count that could not be read or written: the limit cannot be applied, so the request is
 * refused as the store's own writes are while the database is down (503, never a guess).
 */
class LimitsUnavailableError extends Error {
  readonly code = STORE_UNAVAILABLE;
  constructor(cause: unknown) {
    super(STORE_UNAVAILABLE_MESSAGE, { cause });
    this.name = 'LimitsUnavailableError';
  }
}

/** rate-limiter-flexible rejects with a RateLimiterRes when over its points: still a count. */
async function settled(promise: Promise<RateLimiterRes>): Promise<RateLimiterRes> {
  try {
    return await promise;
  } catch (error) {
    if (error instanceof RateLimiterRes) return error;
    throw error;
  }
}

function info(res: RateLimiterRes): ClientRateLimitInfo {
  return {
    totalHits: res.consumedPoints,
    resetTime: res.msBeforeNext >= 0 ? new Date(Date.now() + res.msBeforeNext) : undefined,
  };
}

/** The flood gate's counts, summed over every process in one row per window and key. */
function postgresFloodCounts(pool: Pool, tablesReady: () => Promise<void>): SharedFloodCounts {
  let lastWindow: number | undefined;
  return {
    async exchange(windowStart, added, atLeast) {
      await tablesReady();
      if (lastWindow !== windowStart) {
        lastWindow = windowStart;
        // Each process forgets the windows before the last; the statement is idempotent.
        await pool.query(`DELETE FROM ${FLOOD_GATE_TABLE} WHERE window_start < $1`, [windowStart]);
      }
      const keys = [...added.keys()];
      const counts = keys.map((key) => added.get(key)!);
      // One statement: adds this process's counts, and reads the totals of the keys it added and
      // of every key of the window that others have counted up to `atLeast`.
      const { rows } = await pool.query<{ key: string; count: number }>(
        `WITH added AS (
           INSERT INTO ${FLOOD_GATE_TABLE} (window_start, key, count)
           SELECT $1, k, c FROM unnest($2::text[], $3::int[]) AS t(k, c)
           ON CONFLICT (window_start, key)
             DO UPDATE SET count = ${FLOOD_GATE_TABLE}.count + EXCLUDED.count
           RETURNING key, count)
         SELECT key, count FROM added
         UNION ALL
         SELECT key, count FROM ${FLOOD_GATE_TABLE}
          WHERE window_start = $1 AND count >= $4 AND NOT (key = ANY($2::text[]))`,
        [windowStart, keys, counts, atLeast],
      );
      return new Map(rows.map((row) => [row.key, Number(row.count)]));
    },
  };
}

/** Expired counters are kept this long after they lapse, then deleted. */
const KEEP_EXPIRED_MS = 60 * 60_000;
/** `prune` deletes at most this often, however often the leader's sweep calls it. */
const PRUNE_EVERY_MS = 5 * 60_000;

/** The shared limits of a cluster on `pool`: a store per limiter, and the flood gate's counts. */
export function sharedRateLimits(pool: Pool): {
  stores: LimitStores;
  floodCounts: SharedFloodCounts;
  /** Deletes counters long expired (the leader's sweep calls it; it acts every 5 minutes). */
  prune(now: number): Promise<void>;
} {
  const tablesReady = tablesOnce(pool);
  let lastPrunedAt = 0;
  return {
    stores: (name) => new PostgresLimitStore(pool, name, tablesReady),
    floodCounts: postgresFloodCounts(pool, tablesReady),
    async prune(now) {
      if (now - lastPrunedAt < PRUNE_EVERY_MS) return;
      lastPrunedAt = now;
      await tablesReady();
      await pool.query(`DELETE FROM ${RATE_LIMIT_TABLE} WHERE expire < $1`, [
        Date.now() - KEEP_EXPIRED_MS,
      ]);
    },
  };
}
