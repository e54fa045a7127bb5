// Closed requests in SQL: found by the one definition of a match (historyMatches), newest first by
// the order they closed in, a page at a time with the total.
import type { ClosedRequest } from '../../domain/help-request';
import { HelpRequestSchema } from '../../domain/help-request';
import { normaliseUsername } from '../../contract/username';
import { textTerm } from '../audit-query';
import { referenceTerm } from '../history-query';
import type { HistoryFilter, HistoryQuery, HistoryRepository } from '../repositories';
import { startsWithPattern } from './audit-log';
import type { Database } from './transaction';

function where(filter: HistoryFilter, params: unknown[]): string {
  const conditions: string[] = [];
  const add = (sql: (at: string) => string, value: unknown) => {
    params.push(value);
    conditions.push(sql(`$${params.length}`));
  };
  const reference = referenceTerm(filter.reference);
  const username =
    filter.username === undefined ? undefined : textTerm(normaliseUsername(filter.username));
  const agent = textTerm(filter.agent);
  if (reference !== undefined)
    add((p) => `reference_normalised LIKE ${p}`, startsWithPattern(reference));
  if (username !== undefined) add((p) => `username_lower LIKE ${p}`, startsWithPattern(username));
  if (agent !== undefined) add((p) => `${p} = ANY(agents)`, agent);
  if (filter.desk !== undefined) add((p) => `desk = ${p}`, filter.desk);
  if (filter.desks !== undefined) add((p) => `desk = ANY(${p}::text[])`, [...filter.desks]);
  if (filter.outcome !== undefined) add((p) => `state = ${p}`, filter.outcome);
  if (filter.from !== undefined) add((p) => `closed_at >= ${p}`, filter.from);
  if (filter.to !== undefined) add((p) => `closed_at < ${p}`, filter.to);
  return conditions.length > 0 ? conditions.join(' AND ') : 'true';
}

function parse(record: unknown): ClosedRequest {
  return HelpRequestSchema.parse(record) as ClosedRequest;
}

export class PostgresHistory implements HistoryRepository {
  constructor(private readonly db: Database) {}

  async search(query: HistoryQuery): Promise<{ requests: ClosedRequest[]; total: number }> {
    const params: unknown[] = [];
    const condition = where(query, params);
    const [count] = await this.db.read<{ total: string }>(
      `SELECT count(*) AS total FROM closed_requests WHERE ${condition}`,
      params,
    );
    const rows = await this.db.read<{ record: unknown }>(
      `SELECT record FROM closed_requests WHERE ${condition} ORDER BY close_seq DESC
       LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, query.limit, query.offset],
    );
    return { requests: rows.map((r) => parse(r.record)), total: Number(count?.total ?? 0) };
  }

  async get(id: string): Promise<ClosedRequest | undefined> {
    const [row] = await this.db.read<{ record: unknown }>(
      'SELECT record FROM closed_requests WHERE id = $1',
      [id],
    );
    return row ? parse(row.record) : undefined;
  }
}
