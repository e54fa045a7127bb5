// Copies an embedded data dir into an empty PostgreSQL database, in one transaction: every part of
// the store, the audit log with its seqs and hashes as they are (never chained again), then checks
// the copy through the PostgreSQL store itself: counts per part, the chain, its last hash.
import { access } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import type { AuditEntry } from '../../audit/audit-chain';
import type { ClosedRequest, HelpRequest } from '../../domain/help-request';
import { HelpRequestSchema, isOpen } from '../../domain/help-request';
import { readDocument } from '../embedded/document';
import {
  KeysDocumentSchema,
  PersistentTokensDocumentSchema,
  SessionsDocumentSchema,
  ActivityDocumentSchema,
  AgentsDocumentSchema,
  BlocksDocumentSchema,
  OutboxDocumentSchema,
  SignInsDocumentSchema,
  UsedLinksDocumentSchema,
} from '../embedded/documents';
import { openEmbeddedStore } from '../embedded/embedded-store';
import { readJournal } from '../embedded/journal';
import { RequestsCheckpointSchema } from '../embedded/open-requests';
import { maskUrl } from './errors';
import { migrate } from './migrations';
import { openPostgresStore } from './postgres-store';
import { closedRow, insertAuditEntries } from './request-writer';

/** Rows per INSERT statement. */
const CHUNK = 1_000;

/** One part of the store: how many the data dir held and how many the database holds now. */
export interface CopiedPart {
  part: string;
  source: number;
  copied: number;
}

export interface CopySummary {
  parts: CopiedPart[];
  audit: { entries: number; lastHash: string };
}

/** The copy was refused (a database not empty, a copy that does not match): nothing to retry as is. */
export class CopyRefusedError extends Error {}

/**
 * Copies the data dir (no server may run on it: its lock is taken) into the empty database at
 * `url`, then checks the copy. Rejects with CopyRefusedError when the database is not empty or the
 * copy does not match its source (the transaction is then rolled back, or, for a mismatch found
 * after the commit, the error says so).
 */
export async function copyEmbeddedToPostgres(dataDir: string, url: string): Promise<CopySummary> {
  const where = maskUrl(url);
  const dir = path.resolve(dataDir);
  // Opening a directory without a realm would start a new store there: refuse instead.
  try {
    await access(path.join(dir, 'realm.json'));
  } catch {
    throw new CopyRefusedError(
      `There is no server data directory at ${dir} (no realm.json): give the server's one with --from DIR.`,
    );
  }
  const source = await openEmbeddedStore(dir);
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  pool.on('error', () => undefined);
  let expected: Map<string, number>;
  let sourceHead: { seq: number; hash: string };
  try {
    const file = (name: string) => path.join(dir, name);
    // The documents the repositories do not enumerate, read as the store left them at open.
    const [keys, agents, sessions, outbox, blocks, tokens, links, activity, signIns, checkpoint] =
      await Promise.all([
        readDocument(file('keys.json'), KeysDocumentSchema),
        readDocument(file('agents.json'), AgentsDocumentSchema),
        readDocument(file('sessions.json'), SessionsDocumentSchema),
        readDocument(file('outbox.json'), OutboxDocumentSchema),
        readDocument(file('blocks.json'), BlocksDocumentSchema),
        readDocument(file('persistent-tokens.json'), PersistentTokensDocumentSchema),
        readDocument(file('used-links.json'), UsedLinksDocumentSchema),
        readDocument(file('activity.json'), ActivityDocumentSchema),
        readDocument(file('sign-ins.json'), SignInsDocumentSchema),
        readDocument(file('requests.json'), RequestsCheckpointSchema),
      ]);
    if (!keys)
      throw new CopyRefusedError(`${dir} has no keys.json: it is not a server's data dir.`);
    sourceHead = { seq: source.audit.lastSeq, hash: source.audit.lastHash };
    const activityRows = Object.entries(activity?.times ?? {}).flatMap(([key, times]) =>
      times.map((at) => ({ key, at })),
    );
    const failures = Object.entries(checkpoint?.userFailures ?? {}).filter(([, t]) => t.length > 0);

    const client = await pool.connect();
    try {
      await refuseForeignTables(client, where);
      await migrate(client, where);
      await client.query('BEGIN');
      // A server opening the database now waits for the copy, and then finds it.
      await client.query('LOCK TABLE realm, keys, audit IN ACCESS EXCLUSIVE MODE');
      await refuseNonEmpty(client, where);
      const insert = (sql: string, rows: readonly unknown[]) => insertChunks(client, sql, rows);
      await client.query("INSERT INTO realm (config, rev) VALUES ($1, nextval('store_rev'))", [
        JSON.stringify(source.realm.config),
      ]);
      await client.query("INSERT INTO keys (keys, rev) VALUES ($1, nextval('store_rev'))", [
        JSON.stringify(keys),
      ]);
      const agentList = agents?.agents ?? [];
      await insert(
        `INSERT INTO agents (id, record, rev) SELECT x.record->>'id', x.record, nextval('store_rev')
         FROM jsonb_to_recordset($1::jsonb) AS x(record jsonb)`,
        agentList.map((record) => ({ record })),
      );
      const sessionList = sessions?.sessions ?? [];
      await insert(
        `INSERT INTO sessions (id, token_hash, agent_id, expires_at, record, rev)
         SELECT x.record->>'id', x.record->>'tokenHash', x.record->>'agentId',
           (x.record->>'expiresAt')::bigint, x.record, nextval('store_rev')
         FROM jsonb_to_recordset($1::jsonb) AS x(record jsonb)`,
        sessionList.map((record) => ({ record })),
      );
      const users = source.directory.list();
      await insert(
        `INSERT INTO directory_users (username, record, rev)
         SELECT x.record->>'username', x.record, nextval('store_rev')
         FROM jsonb_to_recordset($1::jsonb) AS x(record jsonb)`,
        users.map((record) => ({ record })),
      );
      const revocations = Object.entries(tokens?.notBefore ?? {});
      await insert(
        `INSERT INTO persistent_tokens (username, not_before, rev)
         SELECT username, not_before, nextval('store_rev')
         FROM jsonb_to_recordset($1::jsonb) AS x(username text, not_before bigint)`,
        revocations.map(([username, at]) => ({ username, not_before: at })),
      );
      const messages = outbox?.messages ?? [];
      await insert(
        `INSERT INTO outbox (id, state, created_at, record, rev)
         SELECT x.record->>'id', x.record->>'state', (x.record->>'createdAt')::bigint, x.record,
           nextval('store_rev')
         FROM jsonb_to_recordset($1::jsonb) AS x(record jsonb)`,
        messages.map((record) => ({ record })),
      );
      const blockList = blocks?.blocks ?? [];
      await insert(
        `INSERT INTO method_blocks (username, record, rev)
         SELECT x.record->>'username', x.record, nextval('store_rev')
         FROM jsonb_to_recordset($1::jsonb) AS x(record jsonb)`,
        blockList.map((record) => ({ record })),
      );
      const linkList = Object.entries(links?.used ?? {});
      await insert(
        `INSERT INTO used_links (id, expires_at)
         SELECT id, expires_at FROM jsonb_to_recordset($1::jsonb) AS x(id text, expires_at bigint)`,
        linkList.map(([id, expiresAt]) => ({ id, expires_at: expiresAt })),
      );
      await insert(
        `INSERT INTO activity (key, at, rev)
         SELECT key, at, currval('store_rev')
         FROM jsonb_to_recordset($1::jsonb) AS x(key text, at bigint)`,
        activityRows,
      );
      const signInList = Object.entries(signIns?.users ?? {});
      await insert(
        `INSERT INTO sign_ins (username, records, rev)
         SELECT username, records, nextval('store_rev')
         FROM jsonb_to_recordset($1::jsonb) AS x(username text, records jsonb)`,
        signInList.map(([username, records]) => ({ username, records })),
      );
      await insert(
        `INSERT INTO failures (username, times, rev)
         SELECT username, times, nextval('store_rev')
         FROM jsonb_to_recordset($1::jsonb) AS x(username text, times jsonb)`,
        failures.map(([username, times]) => ({ username, times })),
      );
      const open = source.requests.all;
      await insert(
        `INSERT INTO open_requests (id, username, reference, record, rev)
         SELECT x.record->>'id', x.record->>'username', x.record->>'reference', x.record,
           nextval('store_rev')
         FROM jsonb_to_recordset($1::jsonb) AS x(record jsonb)`,
        open.map((record) => ({ record })),
      );
      // The history in the order it closed (its journal's order); a request closed twice once.
      const closedIds = new Set<string>();
      let chunk: ReturnType<typeof closedRow>[] = [];
      const flushClosed = async () => {
        await insert(
          `INSERT INTO closed_requests
             (id, closed_at, username_lower, reference_normalised, desk, state, agents, record)
           SELECT id, closed_at, username_lower, reference_normalised, desk, state,
             ARRAY(SELECT jsonb_array_elements_text(agents)), record
           FROM jsonb_to_recordset($1::jsonb) AS x(id text, closed_at bigint, username_lower text,
             reference_normalised text, desk text, state text, agents jsonb, record jsonb)
           ON CONFLICT (id) DO NOTHING`,
          chunk,
        );
        chunk = [];
      };
      for await (const request of closedRequests(file('closed-requests.jsonl'))) {
        if (isOpen(request) || closedIds.has(request.id)) continue;
        closedIds.add(request.id);
        chunk.push(closedRow(request as ClosedRequest));
        if (chunk.length >= CHUNK) await flushClosed();
      }
      await flushClosed();
      await client.query('UPDATE request_counts SET closed = $1', [closedIds.size]);
      // The log as it is: seqs and hashes copied, never chained again.
      let entries: AuditEntry[] = [];
      let audited = 0;
      for await (const entry of source.audit.entries()) {
        entries.push(entry);
        audited += 1;
        if (entries.length >= CHUNK) {
          await insertAuditEntries(client, entries);
          entries = [];
        }
      }
      await insertAuditEntries(client, entries);
      await client.query('UPDATE audit_head SET seq = $1, hash = $2', [
        sourceHead.seq,
        sourceHead.hash,
      ]);
      await client.query('COMMIT');
      expected = new Map([
        ['realm', 1],
        ['agents', agentList.length],
        ['sessions', sessionList.length],
        ['directory users', users.length],
        ['persistent-token revocations', revocations.length],
        ['outbox messages', messages.length],
        ['method blocks', blockList.length],
        ['used links', linkList.length],
        ['activity times', activityRows.length],
        ['users with sign-ins', signInList.length],
        ['users with wrong passcodes', failures.length],
        ['open requests', open.length],
        ['closed requests', closedIds.size],
        ['audit entries', audited],
      ]);
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  } finally {
    await pool.end();
    await source.close();
  }
  return verifyCopy(url, where, expected, sourceHead);
}

/** A database holding tables that are not a store's is someone else's: never copy into it. */
async function refuseForeignTables(client: pg.ClientBase, where: string): Promise<void> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables
     WHERE table_schema = current_schema() ORDER BY table_name`,
  );
  const names = rows.map((r) => r.name);
  if (names.length > 0 && !names.includes('schema_migrations'))
    throw new CopyRefusedError(
      `The database at ${where} is not empty (it has tables such as ${names.slice(0, 3).join(', ')}) ` +
        'and is not a Help Desk OTP store. Copy into a new, empty database (e.g. createdb helpdesk).',
    );
}

async function refuseNonEmpty(client: pg.ClientBase, where: string): Promise<void> {
  const { rows } = await client.query<{ realm: boolean; audit: string; requests: string }>(
    `SELECT EXISTS (SELECT 1 FROM realm) AS realm,
       (SELECT count(*) FROM audit) AS audit,
       (SELECT count(*) FROM open_requests) + (SELECT count(*) FROM closed_requests) AS requests`,
  );
  const held = rows[0]!;
  if (held.realm || Number(held.audit) > 0 || Number(held.requests) > 0)
    throw new CopyRefusedError(
      `The database at ${where} already holds a Help Desk OTP store ` +
        `(${held.realm ? 'a realm, ' : ''}${held.audit} audit entries, ${held.requests} requests), ` +
        'so nothing was copied. Copy only into a new, empty database (e.g. createdb helpdesk); ' +
        'never into one a server has opened.',
    );
}

async function insertChunks(
  client: pg.ClientBase,
  sql: string,
  rows: readonly unknown[],
): Promise<void> {
  for (let at = 0; at < rows.length; at += CHUNK)
    await client.query(sql, [JSON.stringify(rows.slice(at, at + CHUNK))]);
}

async function* closedRequests(file: string): AsyncGenerator<HelpRequest> {
  try {
    await access(file);
  } catch {
    return;
  }
  for await (const { record } of readJournal(file, HelpRequestSchema)) yield record;
}

/** Opens the copy as a server would and compares it with what was read from the data dir. */
async function verifyCopy(
  url: string,
  where: string,
  expected: Map<string, number>,
  sourceHead: { seq: number; hash: string },
): Promise<CopySummary> {
  const store = await openPostgresStore(url, { poolSize: 2 });
  try {
    const count = async (sql: string) =>
      Number((await store.pool.query<{ n: string }>(sql)).rows[0]!.n);
    const copied = new Map<string, number>([
      ['realm', await count('SELECT count(*) AS n FROM realm')],
      ['agents', store.agents.list().length],
      ['sessions', store.sessions.expiredAt(Number.POSITIVE_INFINITY).length],
      ['directory users', store.directory.count],
      ['persistent-token revocations', await count('SELECT count(*) AS n FROM persistent_tokens')],
      ['outbox messages', store.outbox.recent(['pending', 'sent', 'failed'], Infinity).length],
      ['method blocks', store.blocks.list().length],
      ['used links', await count('SELECT count(*) AS n FROM used_links')],
      ['activity times', await count('SELECT count(*) AS n FROM activity')],
      ['users with sign-ins', await count('SELECT count(*) AS n FROM sign_ins')],
      ['users with wrong passcodes', await count('SELECT count(*) AS n FROM failures')],
      ['open requests', store.requests.all.length],
      ['closed requests', store.health().closedRequests ?? 0],
      ['audit entries', store.audit.lastSeq],
    ]);
    const parts = [...expected].map(([part, source]) => ({
      part,
      source,
      copied: copied.get(part) ?? 0,
    }));
    const verified = await store.audit.verify();
    const mismatches = parts.filter((p) => p.source !== p.copied).map((p) => p.part);
    if (!verified.ok) mismatches.push(`audit chain (seq ${verified.seq}: ${verified.reason})`);
    const lastHash = verified.ok ? verified.lastHash : '';
    if (verified.ok && (lastHash !== sourceHead.hash || verified.entries !== sourceHead.seq))
      mismatches.push('audit chain head');
    if (mismatches.length > 0)
      throw new CopyRefusedError(
        `The copy in ${where} does not match its source: ${mismatches.join(', ')}. ` +
          'Do not start a server on it; drop the database and copy again.',
      );
    return { parts, audit: { entries: verified.entries, lastHash } };
  } finally {
    await store.close();
  }
}
