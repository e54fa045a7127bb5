// The audit log in PostgreSQL: the chain's head as this process knows it (its own writes and the
// others' notifications), entries streamed by seq, searched and selected in SQL by the one
// definition of a match (auditEntryMatches), and the whole chain checked as audit:verify does.
import type pg from 'pg';
import type { AuditEntry } from '../../audit/audit-chain';
import { AuditEntrySchema, GENESIS_HASH, computeEntryHash } from '../../audit/audit-chain';
import { textTerm } from '../audit-query';
import type {
  AuditFilter,
  AuditLog,
  AuditQuery,
  AuditRecordInput,
  AuditVerification,
} from '../repositories';
import type { Follower } from './cache';
import type { Database } from './transaction';

const PAGE = 1_000;

/**
 * A value that only grows (the chain's last seq with its hash, the count of closed requests): a
 * notification older than what is held changes nothing, whatever order they arrive in.
 */
export class Head implements Follower {
  #seq = 0;
  #hash = GENESIS_HASH;

  constructor(
    readonly name: string,
    private readonly loadSql: string,
    readonly reported = true,
  ) {}

  get seq(): number {
    return this.#seq;
  }

  get hash(): string {
    return this.#hash;
  }

  raise(seq: number, hash: string): boolean {
    if (seq <= this.#seq) return false;
    this.#seq = seq;
    this.#hash = hash;
    return true;
  }

  receive(_db: pg.Pool, _key: string, rev: number, change: { data?: unknown }): boolean {
    const data = change.data as { seq?: number; hash?: string } | undefined;
    return this.raise(rev, data?.hash ?? '');
  }

  async load(db: pg.ClientBase): Promise<string[]> {
    const { rows } = await db.query<{ seq: string; hash: string }>(this.loadSql);
    const seq = Number(rows[0]?.seq ?? 0);
    return this.raise(seq, rows[0]?.hash ?? GENESIS_HASH) ? [String(seq)] : [];
  }
}

export function auditHead(): Head {
  return new Head('audit', 'SELECT seq, hash FROM audit_head');
}

export function closedCount(): Head {
  return new Head('closed', "SELECT closed AS seq, '' AS hash FROM request_counts", false);
}

/** `LIKE` pattern for "starts with": the term's own % _ and \ taken literally. */
export function startsWithPattern(term: string): string {
  return `${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** The SQL condition and parameters for a filter, exactly as auditEntryMatches reads it. */
function where(filter: AuditFilter, params: unknown[]): string {
  const conditions: string[] = [];
  const actor = textTerm(filter.actor);
  const action = textTerm(filter.action);
  if (actor !== undefined) {
    params.push(startsWithPattern(actor));
    conditions.push(`actor_lower LIKE $${params.length}`);
  }
  if (action !== undefined) {
    params.push(startsWithPattern(action));
    conditions.push(`action_lower LIKE $${params.length}`);
  }
  if (filter.requestIds !== undefined) {
    params.push([...filter.requestIds]);
    conditions.push(`request_id = ANY($${params.length}::text[])`);
  }
  if (filter.from !== undefined) {
    params.push(new Date(filter.from).toISOString());
    conditions.push(`at >= $${params.length}::timestamptz`);
  }
  if (filter.to !== undefined) {
    params.push(new Date(filter.to).toISOString());
    conditions.push(`at < $${params.length}::timestamptz`);
  }
  return conditions.length > 0 ? conditions.join(' AND ') : 'true';
}

export class PostgresAuditLog implements AuditLog {
  constructor(
    private readonly db: Database,
    private readonly head: Head,
    private readonly recordThrough: (input: AuditRecordInput) => Promise<AuditEntry>,
  ) {}

  record(input: AuditRecordInput): Promise<AuditEntry> {
    return this.recordThrough(input);
  }

  get lastSeq(): number {
    return this.head.seq;
  }

  get lastHash(): string {
    return this.head.hash;
  }

  entries(): AsyncIterable<AuditEntry> {
    return this.select({});
  }

  async search(query: AuditQuery): Promise<{ entries: AuditEntry[]; total: number }> {
    const params: unknown[] = [];
    const condition = where(query, params);
    const [count] = await this.db.read<{ total: string }>(
      `SELECT count(*) AS total FROM audit WHERE ${condition}`,
      params,
    );
    const rows = await this.db.read<{ entry: unknown }>(
      `SELECT entry FROM audit WHERE ${condition} ORDER BY seq DESC
       LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, query.limit, query.offset],
    );
    return {
      entries: rows.map((r) => AuditEntrySchema.parse(r.entry)),
      total: Number(count?.total ?? 0),
    };
  }

  async *select(filter: AuditFilter): AsyncGenerator<AuditEntry> {
    if (filter.requestIds?.length === 0) return;
    const params: unknown[] = [];
    const condition = where(filter, params);
    let after = 0;
    for (;;) {
      const rows = await this.db.read<{ seq: string; entry: unknown }>(
        `SELECT seq, entry FROM audit WHERE ${condition} AND seq > $${params.length + 1}
         ORDER BY seq LIMIT ${PAGE}`,
        [...params, after],
      );
      for (const row of rows) yield AuditEntrySchema.parse(row.entry);
      if (rows.length < PAGE) return;
      after = Number(rows.at(-1)!.seq);
    }
  }

  /** Streams the whole log and checks seq continuity, each link and each hash (`line` is the seq). */
  async verify(): Promise<AuditVerification> {
    let entries = 0;
    let prevHash = GENESIS_HASH;
    let after = 0;
    for (;;) {
      const rows = await this.db.read<{ seq: string; entry: unknown }>(
        `SELECT seq, entry FROM audit WHERE seq > $1 ORDER BY seq LIMIT ${PAGE}`,
        [after],
      );
      for (const row of rows) {
        const seq = Number(row.seq);
        const parsed = AuditEntrySchema.safeParse(row.entry);
        const broken = (reason: string): AuditVerification => ({
          ok: false,
          entries,
          seq,
          line: seq,
          reason,
        });
        if (!parsed.success)
          return broken(`the row is not a valid audit entry (${parsed.error.message})`);
        const record = parsed.data;
        const expectedSeq = entries + 1;
        if (record.seq !== seq || seq !== expectedSeq)
          return broken(
            `expected seq ${expectedSeq} but found seq ${record.seq}: entries were removed, inserted or reordered`,
          );
        if (record.prevHash !== prevHash)
          return broken(
            expectedSeq === 1
              ? 'the first entry does not start from the genesis hash: entries before it were removed'
              : `its prevHash does not match the hash of seq ${expectedSeq - 1}: an entry was altered, removed or inserted`,
          );
        if (computeEntryHash(record) !== record.hash)
          return broken('its content does not match its hash: the entry was altered');
        entries += 1;
        prevHash = record.hash;
      }
      if (rows.length < PAGE) break;
      after = Number(rows.at(-1)!.seq);
    }
    return { ok: true, entries, lastHash: prevHash };
  }
}
