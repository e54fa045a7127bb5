// Which process runs the realm's timers (expiry sweep, outbox worker): the one holding a PostgreSQL
// advisory lock on a connection of its own, for as long as that connection lives; a process that is
// the store's only user (embedded) always leads.
//
// The lock is a session lock: PostgreSQL drops it the moment the holder's connection ends (process
// killed, connection cut, server restarted), and another process takes it on its next try, within
// `retryMs`. The old holder learns of the loss from the connection's error, or at the latest from
// its next liveness check (`checkMs`); until then both may run a timer once. A holder cut off
// without a word (its network gone) is dropped by PostgreSQL's keepalives on that session within
// ~11 s, and the lock with it. That is safe: every
// sweep decides in the store's atomic `change`, and an outbox message is counted before it is sent
// (the worst case is one mail sent twice, with the same Message-ID).
import type { Pool, PoolClient } from 'pg';
import type { Logger } from '../logger';

export interface Leadership {
  /** Whether this process runs the realm's timers now. */
  readonly leading: boolean;
  /** Called with true when this process starts leading, false when it stops. */
  onChange(listener: (leading: boolean) => void): () => void;
  /** Starts trying to lead (at once, then every few seconds). */
  start(): void;
  /** Stops leading and trying; releases the lock. */
  stop(): Promise<void>;
}

type LeadershipListener = (leading: boolean) => void;

/** Listeners and the state they hear, shared by both kinds of leadership. */
class LeadershipState {
  private readonly listeners = new Set<LeadershipListener>();
  leading = false;

  onChange(listener: LeadershipListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  set(leading: boolean): void {
    if (leading === this.leading) return;
    this.leading = leading;
    for (const listener of this.listeners) listener(leading);
  }
}

/** The embedded store's process: the only one, so it leads from `start` to `stop`. */
export function soleLeader(): Leadership {
  const state = new LeadershipState();
  return {
    get leading() {
      return state.leading;
    },
    onChange: (listener) => state.onChange(listener),
    start: () => state.set(true),
    stop: async () => state.set(false),
  };
}

/** The advisory lock key: the ASCII of "HDOTPTMR" (Help Desk OTP timers), so no other lock shares it. */
export const LEADER_LOCK_KEY = '5207303815479037266';

export interface AdvisoryLockLeaderOptions {
  /** How often a process that does not lead tries to (default 3 s). */
  retryMs?: number;
  /** How often the leader checks that its connection, and so its lock, is still alive (default 2 s). */
  checkMs?: number;
  /** The advisory lock key (a bigint as a decimal string); processes of one realm share it. */
  key?: string;
  logger: Logger;
}

/**
 * Leadership through `pg_try_advisory_lock` on one connection taken from `pool` and kept while
 * leading (the pool has one connection fewer for everything else meanwhile).
 */
export function advisoryLockLeader(pool: Pool, options: AdvisoryLockLeaderOptions): Leadership {
  const retryMs = options.retryMs ?? 3_000;
  const checkMs = options.checkMs ?? 2_000;
  const key = options.key ?? LEADER_LOCK_KEY;
  const { logger } = options;
  const state = new LeadershipState();
  let running = false;
  let timer: NodeJS.Timeout | undefined;
  let holder: PoolClient | undefined;
  let busy: Promise<void> | undefined;
  let unreachableSaid = false;
  /** Stops hearing the lock connection's end, before `stop` releases it on purpose. */
  let stopWatching = () => {};

  /** The lock's connection ended or failed: leadership is gone (PostgreSQL released the lock). */
  const lose = (client: PoolClient, why: string) => {
    if (holder !== client) return;
    holder = undefined;
    // Destroyed, not returned to the pool: whatever state it is in, its session (and lock) ends.
    client.release(true);
    logger.warn(`cluster: stopped leading (${why}); another process takes over the timers`);
    state.set(false);
    schedule(retryMs);
  };

  const tryToLead = async () => {
    let client: PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      if (!unreachableSaid)
        logger.warn(`cluster: cannot reach the database to lead: ${String(error)}`);
      unreachableSaid = true;
      return;
    }
    unreachableSaid = false;
    // A checked-out client that loses its connection emits 'error': unheard, it would end the process.
    const onError = (error: Error) => lose(client, error.message);
    client.on('error', onError);
    let locked: boolean;
    try {
      // A leader whose network vanished without a word keeps its session, and the lock, for as
      // long as PostgreSQL believes the connection (TCP's default: two hours) while it has stopped
      // leading itself: keepalives on this session let PostgreSQL drop it after ~11 s instead.
      await client.query(
        'SET tcp_keepalives_idle = 5; SET tcp_keepalives_interval = 2; SET tcp_keepalives_count = 3',
      );
      const { rows } = await client.query<{ locked: boolean }>(
        'SELECT pg_try_advisory_lock($1::bigint) AS locked',
        [key],
      );
      locked = rows[0]?.locked === true;
    } catch {
      client.off('error', onError);
      client.release(true);
      return;
    }
    if (!locked || !running) {
      if (locked)
        await client.query('SELECT pg_advisory_unlock($1::bigint)', [key]).catch(() => undefined);
      client.off('error', onError);
      client.release();
      return;
    }
    holder = client;
    const onEnd = () => lose(client, 'connection ended');
    client.once('end', onEnd);
    stopWatching = () => client.off('end', onEnd);
    logger.info('cluster: this process now leads (expiry sweep, outbox)');
    state.set(true);
  };

  /** A query on the lock's connection: it fails (or times out) once the connection, and the lock, are gone. */
  const checkAlive = async () => {
    const client = holder;
    if (!client) return;
    let timeout: NodeJS.Timeout | undefined;
    try {
      // A connection cut without a word (a network gone) answers nothing: wait no longer than this.
      await Promise.race([
        client.query('SELECT 1'),
        new Promise((_resolve, reject) => {
          timeout = setTimeout(
            () => reject(new Error('the lock connection did not answer')),
            Math.max(1_000, checkMs),
          );
        }),
      ]);
    } catch (error) {
      lose(client, error instanceof Error ? error.message : String(error));
    } finally {
      clearTimeout(timeout);
    }
  };

  const tick = async () => {
    timer = undefined;
    busy = holder ? checkAlive() : tryToLead();
    await busy;
    busy = undefined;
    schedule(holder ? checkMs : retryMs);
  };

  function schedule(ms: number) {
    if (!running || busy || timer) return;
    timer = setTimeout(() => void tick(), ms);
  }

  return {
    get leading() {
      return state.leading;
    },
    onChange: (listener) => state.onChange(listener),
    start() {
      if (running) return;
      running = true;
      void tick();
    },
    async stop() {
      running = false;
      clearTimeout(timer);
      timer = undefined;
      await busy;
      const client = holder;
      holder = undefined;
      if (client) {
        stopWatching();
        try {
          await client.query('SELECT pg_advisory_unlock($1::bigint)', [key]);
          client.release();
        } catch {
          client.release(true);
        }
      }
      state.set(false);
    },
  };
}
