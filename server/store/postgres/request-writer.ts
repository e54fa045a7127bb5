// The one writer of requests and audit entries in this process, with group commit: calls queue in
// call order and each batch is one transaction — requests read under row locks and decided, written,
// then the batch's audit entries chained last under the lock on audit_head, so every process
// extends one chain — and each call resolves, in order, only once COMMIT has returned.
import type pg from 'pg';
import type { AuditEntry } from '../../audit/audit-chain';
import { chainEntry } from '../../audit/audit-chain';
import { agentsOf } from '../history-query';
import type { ClosedRequest, HelpRequest, OpenRequest } from '../../domain/help-request';
import { HelpRequestSchema, isOpen } from '../../domain/help-request';
import { normaliseReference } from '../../domain/reference-code';
import type { AuditRecordInput, RequestCommit } from '../repositories';
import type { CachedTable } from './cache';
import type { Head } from './audit-log';
import { auditInputs, type OpenEntry } from './open-requests';
import { closedError, type Changes, type Database } from './transaction';

/** At most this many calls share one transaction. */
const MAX_BATCH = 256;

type Settle<T> = { resolve(value: T): void; reject(error: unknown): void };

type Call =
  | ({
      kind: 'change';
      id: string;
      decide: (current: OpenRequest | undefined) => RequestCommit | undefined;
    } & Settle<HelpRequest | undefined>)
  | ({ kind: 'commit'; request: HelpRequest; inputs: readonly AuditRecordInput[] } & Settle<void>)
  | ({ kind: 'audit'; input: AuditRecordInput } & Settle<AuditEntry>);

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

export class RequestWriter {
  readonly #queue: Call[] = [];
  #draining: Promise<void> | undefined;
  #closed = false;

  constructor(
    private readonly db: Database,
    private readonly open: CachedTable<OpenEntry>,
    private readonly auditHead: Head,
    private readonly closedCount: Head,
  ) {}

  change(
    id: string,
    decide: (current: OpenRequest | undefined) => RequestCommit | undefined,
  ): Promise<HelpRequest | undefined> {
    return new Promise((resolve, reject) =>
      this.#push({ kind: 'change', id, decide, resolve, reject }),
    );
  }

  commit(request: HelpRequest, inputs: readonly AuditRecordInput[]): Promise<void> {
    return new Promise((resolve, reject) =>
      this.#push({ kind: 'commit', request, inputs, resolve, reject }),
    );
  }

  record(input: AuditRecordInput): Promise<AuditEntry> {
    try {
      auditInputs(input);
    } catch (error) {
      return Promise.reject(error as Error);
    }
    return new Promise((resolve, reject) => this.#push({ kind: 'audit', input, resolve, reject }));
  }

  /** Refuses calls from now on and resolves once every call queued before has settled. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.idle();
  }

  /** Resolves once every call queued so far has settled. */
  async idle(): Promise<void> {
    while (this.#draining) await this.#draining;
  }

  #push(call: Call): void {
    if (this.#closed) return call.reject(closedError());
    this.#queue.push(call);
    this.#draining ??= this.#drain();
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, MAX_BATCH);
      let outcomes: Outcome[];
      try {
        outcomes = await this.db.write((client, changes) => this.#run(client, changes, batch));
      } catch (error) {
        // Nothing of the batch was committed (or it is unknown whether it was): acknowledge none.
        for (const call of batch) call.reject(error);
        continue;
      }
      batch.forEach((call, i) => {
        const outcome = outcomes[i]!;
        if (outcome.ok) (call.resolve as (value: unknown) => void)(outcome.value);
        else call.reject(outcome.error);
      });
    }
    this.#draining = undefined;
  }

  /** One batch, in one transaction; may run again (a deadlock), so it only reads, decides and writes. */
  async #run(client: pg.ClientBase, changes: Changes, batch: readonly Call[]): Promise<Outcome[]> {
    const outcomes: Outcome[] = [];
    /** Requests as this batch has them so far (undefined: not open). */
    const view = new Map<string, OpenRequest | undefined>();
    /** Request versions to write, in order, and the audit inputs of each call. */
    const writes: HelpRequest[] = [];
    const audit: { call: number; inputs: readonly AuditRecordInput[] }[] = [];

    for (const [i, call] of batch.entries()) {
      if (call.kind === 'audit') {
        audit.push({ call: i, inputs: [call.input] });
        outcomes.push({ ok: true, value: undefined });
        continue;
      }
      if (call.kind === 'commit') {
        view.set(call.request.id, isOpen(call.request) ? call.request : undefined);
        writes.push(call.request);
        audit.push({ call: i, inputs: call.inputs });
        outcomes.push({ ok: true, value: undefined });
        continue;
      }
      if (!view.has(call.id)) view.set(call.id, await this.#lockedRead(client, call.id));
      let next: RequestCommit | undefined;
      let inputs: readonly AuditRecordInput[] = [];
      try {
        next = call.decide(view.get(call.id));
        if (next && next.request.id !== call.id)
          throw new Error(`A change of request ${call.id} returned request ${next.request.id}.`);
        if (next) inputs = auditInputs(next.audit);
      } catch (error) {
        outcomes.push({ ok: false, error });
        continue;
      }
      if (!next) {
        outcomes.push({ ok: true, value: undefined });
        continue;
      }
      view.set(call.id, isOpen(next.request) ? next.request : undefined);
      writes.push(next.request);
      audit.push({ call: i, inputs });
      outcomes.push({ ok: true, value: next.request });
    }

    let closed = 0;
    for (const request of writes) {
      if (isOpen(request)) await this.#writeOpen(client, changes, request);
      else closed += await this.#writeClosed(client, changes, request);
    }
    if (closed > 0) {
      const { rows } = await client.query<{ closed: string }>(
        'UPDATE request_counts SET closed = closed + $1 RETURNING closed',
        [closed],
      );
      const count = Number(rows[0]!.closed);
      changes.other('closed', '', count, { seq: count, hash: '' }, () =>
        this.closedCount.raise(count, ''),
      );
    }
    if (audit.some((a) => a.inputs.length > 0)) {
      const entries = await this.#chain(client, changes, audit);
      for (const { call, entry } of entries)
        if (batch[call]!.kind === 'audit') outcomes[call] = { ok: true, value: entry };
    }
    return outcomes;
  }

  async #lockedRead(client: pg.ClientBase, id: string): Promise<OpenRequest | undefined> {
    const { rows } = await client.query<{ record: unknown }>(
      'SELECT record FROM open_requests WHERE id = $1 FOR UPDATE',
      [id],
    );
    return rows[0] ? (HelpRequestSchema.parse(rows[0].record) as OpenRequest) : undefined;
  }

  async #writeOpen(client: pg.ClientBase, changes: Changes, request: OpenRequest): Promise<void> {
    const { rows } = await client.query<{ rev: string; pos: string }>(
      `INSERT INTO open_requests (id, username, reference, record, rev)
       VALUES ($1, $2, $3, $4, nextval('store_rev'))
       ON CONFLICT (id) DO UPDATE SET username = EXCLUDED.username, reference = EXCLUDED.reference,
         record = EXCLUDED.record, rev = nextval('store_rev')
       RETURNING rev, pos`,
      [request.id, request.username, request.reference, JSON.stringify(request)],
    );
    const row = rows[0]!;
    changes.row(this.open, request.id, row.rev, { pos: Number(row.pos), request });
  }

  /** Moves the request to the history; 1 when the history did not have it yet. */
  async #writeClosed(
    client: pg.ClientBase,
    changes: Changes,
    request: HelpRequest,
  ): Promise<number> {
    const { rows: gone } = await client.query<{ rev: string }>(
      "DELETE FROM open_requests WHERE id = $1 RETURNING nextval('store_rev') AS rev",
      [request.id],
    );
    if (gone[0]) changes.row(this.open, request.id, gone[0].rev, undefined);
    const row = closedRow(request as ClosedRequest);
    const { rowCount } = await client.query(
      `INSERT INTO closed_requests
         (id, closed_at, username_lower, reference_normalised, desk, state, agents, record)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (id) DO NOTHING`,
      [
        row.id,
        row.closed_at,
        row.username_lower,
        row.reference_normalised,
        row.desk,
        row.state,
        row.agents,
        row.record,
      ],
    );
    return rowCount ?? 0;
  }

  /** Chains the batch's entries after the head, under its row lock, and writes them. */
  async #chain(
    client: pg.ClientBase,
    changes: Changes,
    audit: readonly { call: number; inputs: readonly AuditRecordInput[] }[],
  ): Promise<{ call: number; entry: AuditEntry }[]> {
    const { rows } = await client.query<{ seq: string; hash: string }>(
      'SELECT seq, hash FROM audit_head FOR UPDATE',
    );
    let prev: { seq: number; hash: string } | undefined =
      Number(rows[0]!.seq) > 0 ? { seq: Number(rows[0]!.seq), hash: rows[0]!.hash } : undefined;
    const chained: { call: number; entry: AuditEntry }[] = [];
    for (const { call, inputs } of audit)
      for (const input of inputs) {
        const entry = chainEntry(prev, {
          at: (input.at ?? new Date()).toISOString(),
          actor: input.actor,
          action: input.action,
          ...(input.requestId === undefined ? {} : { requestId: input.requestId }),
          details: input.details ?? {},
        });
        chained.push({ call, entry });
        prev = { seq: entry.seq, hash: entry.hash };
      }
    await insertAuditEntries(
      client,
      chained.map((c) => c.entry),
    );
    const last = prev!;
    await client.query('UPDATE audit_head SET seq = $1, hash = $2', [last.seq, last.hash]);
    changes.other('audit', String(last.seq), last.seq, last, () =>
      this.auditHead.raise(last.seq, last.hash),
    );
    return chained;
  }
}

/** A closed request's row: the record, and what history searches filter on, as historyMatches reads it. */
export function closedRow(closed: ClosedRequest) {
  return {
    id: closed.id,
    closed_at: closed.closedAt,
    username_lower: closed.username.toLowerCase(),
    reference_normalised: normaliseReference(closed.reference),
    desk: closed.desk,
    state: closed.state,
    agents: agentsOf(closed).map((name) => name.toLowerCase()),
    record: closed,
  };
}

/** Inserts entries as they are (seqs and hashes included), in one statement. */
export async function insertAuditEntries(
  client: pg.ClientBase,
  entries: readonly AuditEntry[],
): Promise<void> {
  if (entries.length === 0) return;
  const rows = entries.map((entry) => ({
    seq: entry.seq,
    at: entry.at,
    actor_lower: entry.actor.toLowerCase(),
    action_lower: entry.action.toLowerCase(),
    request_id: entry.requestId ?? null,
    entry,
  }));
  await client.query(
    `INSERT INTO audit (seq, at, actor_lower, action_lower, request_id, entry)
     SELECT seq, at, actor_lower, action_lower, request_id, entry
     FROM jsonb_to_recordset($1::jsonb) AS x(seq bigint, at timestamptz, actor_lower text,
       action_lower text, request_id text, entry jsonb)`,
    [JSON.stringify(rows)],
  );
}
