// The open requests as this process sees them: a cache of open_requests (with indexes by user and
// reference code) and of wrong-passcode times, and the RequestRepository over it and the writer.
import { z } from 'zod';
import { assertNoSecrets } from '../../audit/audit-chain';
import type { HelpRequest, OpenRequest } from '../../domain/help-request';
import { HelpRequestSchema, isOpen } from '../../domain/help-request';
import { PerKeyQueue } from '../embedded/per-key-queue';
import type { AuditRecordInput, RequestCommit, RequestRepository } from '../repositories';
import type pg from 'pg';
import { CachedTable, type Row } from './cache';
import { asStoreError } from './errors';
import type { RequestWriter } from './request-writer';
import type { Database } from './transaction';
import type { UserLocks } from './user-locks';

/** An open request as cached: where it stands in the queue (first committed first), and itself. */
export interface OpenEntry {
  pos: number;
  request: OpenRequest;
}

const OpenEntrySchema = z.object({
  pos: z.coerce.number(),
  request: HelpRequestSchema.refine(isOpen, 'an open request'),
});

const OPEN_COLUMNS = `id AS key, rev, jsonb_build_object('pos', pos, 'request', record) AS data`;

export function openRequestsTable(): CachedTable<OpenEntry> {
  return new CachedTable<OpenEntry>({
    name: 'requests',
    loadSql: `SELECT ${OPEN_COLUMNS} FROM open_requests`,
    rereadSql: `SELECT ${OPEN_COLUMNS} FROM open_requests WHERE id = $1`,
    parse: (data) => OpenEntrySchema.parse(data) as OpenEntry,
  });
}

export function failuresTable(): CachedTable<number[]> {
  return new CachedTable<number[]>({
    name: 'failures',
    loadSql: 'SELECT username AS key, rev, times AS data FROM failures',
    rereadSql: 'SELECT username AS key, rev, times AS data FROM failures WHERE username = $1',
    parse: (data) => z.array(z.number()).parse(data),
  });
}

/** The audit inputs of a commit as a list, checked for secrets now (so only this call fails). */
export function auditInputs(
  audit: AuditRecordInput | readonly AuditRecordInput[],
): readonly AuditRecordInput[] {
  const inputs: readonly AuditRecordInput[] = Array.isArray(audit) ? audit : [audit];
  for (const input of inputs) assertNoSecrets(input.details ?? {});
  return inputs;
}

export class PostgresRequests implements RequestRepository {
  readonly #db: Database;
  readonly #table: CachedTable<OpenEntry>;
  readonly #failures: CachedTable<number[]>;
  readonly #writer: RequestWriter;
  readonly #locks: UserLocks;
  readonly #users = new PerKeyQueue();
  readonly #byUser = new Map<string, Set<string>>();
  readonly #byReference = new Map<string, string>();
  #all: OpenRequest[] | undefined;

  constructor(
    db: Database,
    table: CachedTable<OpenEntry>,
    failures: CachedTable<number[]>,
    writer: RequestWriter,
    locks: UserLocks,
  ) {
    this.#db = db;
    this.#locks = locks;
    this.#table = table;
    this.#failures = failures;
    this.#writer = writer;
    const index = (id: string, before: OpenEntry | undefined, after: OpenEntry | undefined) => {
      this.#all = undefined;
      if (before) {
        const ids = this.#byUser.get(before.request.username);
        ids?.delete(id);
        if (ids?.size === 0) this.#byUser.delete(before.request.username);
        if (this.#byReference.get(before.request.reference) === id)
          this.#byReference.delete(before.request.reference);
      }
      if (after) {
        let ids = this.#byUser.get(after.request.username);
        if (!ids) this.#byUser.set(after.request.username, (ids = new Set()));
        ids.add(id);
        this.#byReference.set(after.request.reference, id);
      }
    };
    for (const [id, entry] of table.entries()) index(id, undefined, entry);
    table.onChange(index);
  }

  get all(): readonly OpenRequest[] {
    return (this.#all ??= [...this.#table.values()]
      .sort((a, b) => a.pos - b.pos)
      .map((e) => e.request));
  }

  get size(): number {
    return this.#table.size;
  }

  get(id: string): OpenRequest | undefined {
    return this.#table.get(id)?.request;
  }

  ofUser(username: string): OpenRequest[] {
    return [...(this.#byUser.get(username) ?? [])]
      .map((id) => this.#table.get(id)!)
      .sort((a, b) => a.pos - b.pos)
      .map((e) => e.request);
  }

  hasReference(reference: string): boolean {
    return this.#byReference.has(reference);
  }

  change(
    id: string,
    decide: (current: OpenRequest | undefined) => RequestCommit | undefined,
  ): Promise<HelpRequest | undefined> {
    return this.#writer.change(id, decide);
  }

  commit(
    request: HelpRequest,
    audit: AuditRecordInput | readonly AuditRecordInput[],
  ): Promise<void> {
    try {
      return this.#writer.commit(request, auditInputs(audit));
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  /**
   * Held against this process's callers by a queue per user, and against every other process by a
   * session advisory lock, kept while `work` runs.
   */
  exclusive<T>(username: string, work: () => Promise<T>): Promise<T> {
    return this.#users.run(username, async () => {
      const key = `user:${username}`;
      let holder;
      try {
        holder = await this.#locks.acquire(key);
        await this.#refreshUser(holder, username);
      } catch (error) {
        if (holder) await this.#locks.release(key, holder);
        throw asStoreError(this.#db.where, error);
      }
      try {
        return await work();
      } finally {
        await this.#locks.release(key, holder);
      }
    });
  }

  /** Reads the user's open requests as committed now, so `ofUser` is current inside `exclusive`. */
  async #refreshUser(holder: pg.Client, username: string): Promise<void> {
    // On the lock's own connection: already open, so no wait for the pool.
    const { rows } = await holder.query<{ horizon: string; found: Row[] }>(
      `SELECT (SELECT last_value FROM store_rev) AS horizon,
         coalesce((SELECT jsonb_agg(jsonb_build_object('key', key, 'rev', rev, 'data', data))
                   FROM (SELECT ${OPEN_COLUMNS} FROM open_requests WHERE username = $1) AS open),
                  '[]'::jsonb) AS found`,
      [username],
    );
    const horizon = Number(rows[0]?.horizon ?? 0);
    const found = rows[0]?.found ?? [];
    const ids = new Set(found.map((r) => r.key));
    for (const row of found) this.#table.applyRow(row);
    for (const id of [...(this.#byUser.get(username) ?? [])])
      if (!ids.has(id) && this.#table.revOf(id) <= horizon) this.#table.forget(id);
  }

  failuresOf(username: string): readonly number[] {
    return this.#failures.get(username) ?? [];
  }

  setFailures(username: string, times: number[]): Promise<void> {
    const failures = this.#failures;
    return this.#db.write(async (client, changes) => {
      if (times.length === 0) {
        const { rows } = await client.query<{ rev: string }>(
          "DELETE FROM failures WHERE username = $1 RETURNING nextval('store_rev') AS rev",
          [username],
        );
        if (rows[0]) changes.row(failures, username, rows[0].rev, undefined);
        return;
      }
      const { rows } = await client.query<{ rev: string }>(
        `INSERT INTO failures (username, times, rev) VALUES ($1, $2, nextval('store_rev'))
         ON CONFLICT (username) DO UPDATE SET times = EXCLUDED.times, rev = nextval('store_rev')
         RETURNING rev`,
        [username, JSON.stringify(times)],
      );
      changes.row(failures, username, rows[0]!.rev, [...times]);
    });
  }

  /** Writes are never stopped: a write that fails rejects on its own. */
  get failure(): Error | undefined {
    return undefined;
  }
}
