// Writes: one transaction per call, with the change notifications the other processes' caches
// follow, committed together; this process's caches take the change once COMMIT has returned.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { CachedTable } from './cache';
import { StoreUnavailableError, asStoreError, isConnectionError, isRetryable } from './errors';

/** The channel every store's changes are notified on. */
export const CHANGE_CHANNEL = 'hdotp_store';
/** NOTIFY takes at most 8,000 bytes; a change larger than this is notified by key, to be read again. */
const INLINE_LIMIT = 7_000;
const RETRIES = 8;

/** One change as notified: store id, table, key, revision, then data, deleted or missing. */
export interface ChangePayload {
  s: string;
  t: string;
  k: string;
  r: number;
  d?: unknown;
  x?: 1;
  m?: 1;
}

export function changePayload(
  store: string,
  table: string,
  key: string,
  rev: number,
  value: unknown,
): string {
  const base: ChangePayload = { s: store, t: table, k: key, r: rev };
  if (value === undefined) return JSON.stringify({ ...base, x: 1 });
  const inline = JSON.stringify({ ...base, d: value });
  return inline.length <= INLINE_LIMIT ? inline : JSON.stringify({ ...base, m: 1 });
}

/** What a transaction changed: applied to this process's caches after COMMIT, notified to the others. */
export class Changes {
  readonly #payloads: string[] = [];
  readonly #local: (() => void)[] = [];

  constructor(private readonly store: string) {}

  /** A row of a cached table changed (value undefined: deleted). */
  row<T>(table: CachedTable<T>, key: string, rev: number | string, value: T | undefined): void {
    const r = Number(rev);
    this.#payloads.push(changePayload(this.store, table.name, key, r, value));
    this.#local.push(() => void table.apply(key, r, value));
  }

  /** Something else changed (a head, a counter): notified as given, applied here by `local`. */
  other(table: string, key: string, rev: number, data: unknown, local: () => void): void {
    this.#payloads.push(changePayload(this.store, table, key, rev, data));
    this.#local.push(local);
  }

  /** Never notify a secret: others read the row again. */
  secretRow<T>(table: CachedTable<T>, key: string, rev: number | string, value: T): void {
    const r = Number(rev);
    this.#payloads.push(JSON.stringify({ s: this.store, t: table.name, k: key, r, m: 1 }));
    this.#local.push(() => void table.apply(key, r, value));
  }

  get payloads(): readonly string[] {
    return this.#payloads;
  }

  applyHere(): void {
    for (const apply of this.#local) apply();
  }
}

export async function notifyChanges(
  client: pg.ClientBase,
  payloads: readonly string[],
): Promise<void> {
  if (payloads.length === 0) return;
  await client.query(`SELECT pg_notify('${CHANGE_CHANNEL}', p) FROM unnest($1::text[]) AS p`, [
    payloads,
  ]);
}

/** The pool, this store's id and how to run a write. */
export class Database {
  readonly #writing = new Set<Promise<unknown>>();
  /** Set when a statement failed for want of a connection; cleared by the next one that worked. */
  unreachable = false;
  #closed = false;

  constructor(
    readonly pool: pg.Pool,
    /** The database as messages name it (no password). */
    readonly where: string,
    /** This store's id (every Database of one store shares it): its own changes are not remote. */
    readonly id: string = randomUUID(),
  ) {}

  /** Refuses writes from now on and resolves once every write begun before has settled. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.idle();
  }

  /** Resolves once every write begun so far has settled. */
  async idle(): Promise<void> {
    while (this.#writing.size > 0) await Promise.allSettled([...this.#writing]);
  }

  /**
   * Runs `work` in a transaction on a pool client, notifies its changes, commits, and then applies
   * them here. A deadlock or serialization failure runs it again; a lost connection rejects with
   * StoreUnavailableError. `work` may be called more than once, so it must only compute and write.
   */
  write<T>(work: (client: pg.ClientBase, changes: Changes) => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(closedError());
    const written = this.#write(work);
    this.#writing.add(written);
    const settled = () => void this.#writing.delete(written);
    written.then(settled, settled);
    return written;
  }

  #failed(error: unknown): unknown {
    const said = asStoreError(this.where, error);
    if (said instanceof StoreUnavailableError) this.unreachable = true;
    return said;
  }

  async #write<T>(work: (client: pg.ClientBase, changes: Changes) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      let client: pg.PoolClient;
      try {
        client = await this.pool.connect();
      } catch (error) {
        throw this.#failed(error);
      }
      let broken: Error | undefined;
      try {
        const changes = new Changes(this.id);
        await client.query('BEGIN');
        const result = await work(client, changes);
        await notifyChanges(client, changes.payloads);
        await client.query('COMMIT');
        this.unreachable = false;
        changes.applyHere();
        return result;
      } catch (error) {
        if (isConnectionError(error)) broken = error as Error;
        else await client.query('ROLLBACK').catch((e: unknown) => (broken = e as Error));
        if (isRetryable(error) && attempt < RETRIES) {
          await pause(attempt);
          continue;
        }
        throw this.#failed(error);
      } finally {
        client.release(broken);
      }
    }
  }

  /** A read on the pool, its connection errors said as StoreUnavailableError. */
  async read<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<R[]> {
    try {
      const { rows } = await this.pool.query<R>(sql, params);
      this.unreachable = false;
      return rows;
    } catch (error) {
      throw this.#failed(error);
    }
  }
}

/** What a write made after `close()` gets: nothing was saved. */
export function closedError(): Error {
  return new Error(
    'The PostgreSQL store is closed (the server is stopping), so nothing was saved.',
  );
}

/** A short random pause before retrying a transaction that lost a deadlock. */
export function pause(attempt: number): Promise<void> {
  const ms = Math.random() * Math.min(50, 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, ms));
}
