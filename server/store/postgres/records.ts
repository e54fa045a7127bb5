// The small repositories over PostgreSQL: agents, sessions, directory users, realm, keys,
// persistent-token revocations, outbox, method blocks, used links, activity and sign-ins. Reads come
// from caches the change feed keeps current; each write is one transaction whose row locks (or
// upserts) make it atomic across processes, and this process's caches take it once committed.
import { z } from 'zod';
import { RealmConfigSchema, type RealmConfig } from '../../contract/realm-config';
import { KeysDocumentSchema, newAssertionKey, type KeysDocument } from '../embedded/documents';
import { PerKeyQueue } from '../embedded/per-key-queue';
import {
  AgentRecordSchema,
  DirectoryUserSchema,
  MethodBlockSchema,
  OutboxMessageSchema,
  SessionRecordSchema,
  SignInRecordSchema,
} from '../repositories';
import type {
  ActivityRepository,
  AgentRecord,
  AgentRepository,
  DirectoryUser,
  DirectoryUserRepository,
  KeyRepository,
  MethodBlock,
  MethodBlockRepository,
  OutboxMessage,
  OutboxRepository,
  PersistentTokenRepository,
  RealmRepository,
  SessionRecord,
  SessionRepository,
  SignInHistoryRepository,
  SignInRecord,
  UsedLinkRepository,
} from '../repositories';
import { CachedTable, type Row } from './cache';
import type { Database } from './transaction';

/** How many sign-ins of each user are remembered (as the embedded store keeps). */
const SIGN_INS_KEPT = 20;

/** A record with the order it was first written in (lists keep that order). */
export interface Positioned<T> {
  pos: number;
  record: T;
}

function positioned<T>(schema: z.ZodType<T>) {
  const entry = z.object({ pos: z.coerce.number(), record: schema });
  return (data: unknown) => entry.parse(data) as Positioned<T>;
}

function table<T>(
  name: string,
  from: string,
  key: string,
  data: string,
  parse: (data: unknown) => T,
): CachedTable<T> {
  const select = `SELECT ${key} AS key, rev, ${data} AS data FROM ${from}`;
  return new CachedTable<T>({
    name,
    loadSql: select,
    rereadSql: `${select} WHERE ${key} = $1`,
    parse,
  });
}

const withPos = (column = 'pos') => `jsonb_build_object('pos', ${column}, 'record', record)`;

/** Every cached table of the small repositories. */
export function recordTables() {
  return {
    realm: table('realm', 'realm', "''", 'config', (d) => RealmConfigSchema.parse(d)),
    keys: table('keys', 'keys', "''", 'keys', (d) => KeysDocumentSchema.parse(d)),
    agents: table('agents', 'agents', 'id', withPos(), positioned(AgentRecordSchema)),
    sessions: table('sessions', 'sessions', 'id', withPos(), positioned(SessionRecordSchema)),
    directory: table('directory', 'directory_users', 'username', 'record', (d) =>
      DirectoryUserSchema.parse(d),
    ),
    persistentTokens: table(
      'persistent_tokens',
      'persistent_tokens',
      'username',
      'to_jsonb(not_before)',
      (d) => z.number().parse(d),
    ),
    outbox: table('outbox', 'outbox', 'id', withPos(), positioned(OutboxMessageSchema)),
    blocks: table(
      'blocks',
      'method_blocks',
      'username',
      withPos('rev'),
      positioned(MethodBlockSchema),
    ),
    activity: new CachedTable<number[]>({
      name: 'activity',
      loadSql:
        'SELECT key, max(rev) AS rev, jsonb_agg(at ORDER BY at) AS data FROM activity GROUP BY key',
      rereadSql:
        'SELECT key, max(rev) AS rev, jsonb_agg(at ORDER BY at) AS data FROM activity WHERE key = $1 GROUP BY key',
      parse: (d) => z.array(z.number()).parse(d),
    }),
    signIns: table('sign_ins', 'sign_ins', 'username', 'records', (d) =>
      z.array(SignInRecordSchema).parse(d),
    ),
  };
}
export type RecordTables = ReturnType<typeof recordTables>;

const byPos = <T>(entries: Iterable<Positioned<T>>) =>
  [...entries].sort((a, b) => a.pos - b.pos).map((e) => e.record);

/** A list rebuilt only after its table changed. */
function cachedList<T, R>(source: CachedTable<T>, build: (values: T[]) => R[]): () => R[] {
  let list: R[] | undefined;
  source.onChange(() => (list = undefined));
  return () => (list ??= build([...source.values()]));
}

export function agentRepository(db: Database, agents: RecordTables['agents']): AgentRepository {
  const updates = new PerKeyQueue();
  const list = cachedList(agents, byPos);
  return {
    list,
    byId: (id) => agents.get(id)?.record,
    byUsername: (username) => list().find((a) => a.username === username),
    add: (agent) =>
      db.write(async (client, changes) => {
        const { rows } = await client.query<{ rev: string; pos: string }>(
          `INSERT INTO agents (id, record, rev) VALUES ($1, $2, nextval('store_rev'))
           ON CONFLICT (id) DO UPDATE SET record = EXCLUDED.record, rev = nextval('store_rev')
           RETURNING rev, pos`,
          [agent.id, JSON.stringify(agent)],
        );
        changes.row(agents, agent.id, rows[0]!.rev, { pos: Number(rows[0]!.pos), record: agent });
      }),
    // In call order in this process; under the row's lock against every other.
    update: (id, change) =>
      updates.run(id, () =>
        db.write(async (client, changes) => {
          const { rows } = await client.query<Row & { pos: string }>(
            'SELECT id AS key, rev, record AS data, pos FROM agents WHERE id = $1 FOR UPDATE',
            [id],
          );
          if (!rows[0]) return undefined;
          const next = change(AgentRecordSchema.parse(rows[0].data));
          if (!next) return undefined;
          const { rows: written } = await client.query<{ rev: string }>(
            "UPDATE agents SET record = $2, rev = nextval('store_rev') WHERE id = $1 RETURNING rev",
            [id, JSON.stringify(next)],
          );
          changes.row(agents, id, written[0]!.rev, { pos: Number(rows[0].pos), record: next });
          return next;
        }),
      ),
  };
}

export function sessionRepository(
  db: Database,
  sessions: RecordTables['sessions'],
): SessionRepository {
  const byToken = new Map<string, string>();
  for (const [id, session] of sessions.entries()) byToken.set(session.record.tokenHash, id);
  sessions.onChange((id, before, after) => {
    if (before && byToken.get(before.record.tokenHash) === id)
      byToken.delete(before.record.tokenHash);
    if (after) byToken.set(after.record.tokenHash, id);
  });
  const all = cachedList(sessions, byPos);
  return {
    byTokenHash: (tokenHash) => {
      const id = byToken.get(tokenHash);
      return id === undefined ? undefined : sessions.get(id)?.record;
    },
    async lookup(tokenHash) {
      const rows = await db.read<Row>(
        `SELECT id AS key, rev, ${withPos()} AS data FROM sessions WHERE token_hash = $1`,
        [tokenHash],
      );
      if (!rows[0]) return undefined;
      sessions.applyRow(rows[0]);
      return sessions.spec.parse(rows[0].data).record;
    },
    byId: (id) => sessions.get(id)?.record,
    ofAgent: (agentId) => all().filter((s) => s.agentId === agentId),
    expiredAt: (now) => all().filter((s) => s.expiresAt <= now),
    add: (session) =>
      db.write(async (client, changes) => {
        const { rows } = await client.query<{ rev: string; pos: string }>(
          `INSERT INTO sessions (id, token_hash, agent_id, expires_at, record, rev)
           VALUES ($1, $2, $3, $4, $5, nextval('store_rev'))
           ON CONFLICT (id) DO UPDATE SET token_hash = EXCLUDED.token_hash,
             agent_id = EXCLUDED.agent_id, expires_at = EXCLUDED.expires_at,
             record = EXCLUDED.record, rev = nextval('store_rev')
           RETURNING rev, pos`,
          [
            session.id,
            session.tokenHash,
            session.agentId,
            session.expiresAt,
            JSON.stringify(session),
          ],
        );
        changes.row(sessions, session.id, rows[0]!.rev, {
          pos: Number(rows[0]!.pos),
          record: session,
        });
      }),
    remove: (ids) =>
      db.write(async (client, changes) => {
        if (ids.length === 0) return;
        const { rows } = await client.query<{ id: string; rev: string }>(
          "DELETE FROM sessions WHERE id = ANY($1::text[]) RETURNING id, nextval('store_rev') AS rev",
          [[...ids]],
        );
        for (const row of rows) changes.row(sessions, row.id, row.rev, undefined);
      }),
  };
}

function compareUsernames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function directoryUserRepository(
  db: Database,
  users: RecordTables['directory'],
): DirectoryUserRepository {
  const list = cachedList(users, (values) =>
    values.sort((a, b) => compareUsernames(a.username, b.username)),
  );
  const putMany = (given: readonly DirectoryUser[]) =>
    db.write(async (client, changes) => {
      // The last of several with one username wins, as one after another would.
      const latest = [...new Map(given.map((u) => [u.username, u])).values()];
      if (latest.length === 0) return;
      const { rows } = await client.query<{ username: string; rev: string }>(
        `INSERT INTO directory_users (username, record, rev)
         SELECT username, record, nextval('store_rev')
         FROM jsonb_to_recordset($1::jsonb) AS x(username text, record jsonb)
         ON CONFLICT (username) DO UPDATE SET record = EXCLUDED.record, rev = nextval('store_rev')
         RETURNING username, rev`,
        [JSON.stringify(latest.map((record) => ({ username: record.username, record })))],
      );
      const byName = new Map(latest.map((u) => [u.username, u]));
      for (const row of rows) changes.row(users, row.username, row.rev, byName.get(row.username));
    });
  return {
    find: (username) => users.get(username),
    list,
    get count() {
      return users.size;
    },
    put: (user) => putMany([user]),
    putMany,
    remove: (username) =>
      db.write(async (client, changes) => {
        const { rows } = await client.query<{ rev: string }>(
          "DELETE FROM directory_users WHERE username = $1 RETURNING nextval('store_rev') AS rev",
          [username],
        );
        if (!rows[0]) return false;
        changes.row(users, username, rows[0].rev, undefined);
        return true;
      }),
  };
}

export function realmRepository(db: Database, realm: RecordTables['realm']): RealmRepository {
  return {
    get config(): RealmConfig {
      return realm.get('')!;
    },
    save: (config) =>
      db.write(async (client, changes) => {
        const { rows } = await client.query<{ rev: string }>(
          "UPDATE realm SET config = $1, rev = nextval('store_rev') RETURNING rev",
          [JSON.stringify(config)],
        );
        changes.row(realm, '', rows[0]!.rev, structuredClone(config));
      }),
  };
}

export function keyRepository(db: Database, keys: RecordTables['keys']): KeyRepository {
  const current = () => keys.get('')!;
  /** Changes the keys row under its lock; secrets are never put in a notification. */
  const change = (edit: (doc: KeysDocument) => KeysDocument) =>
    db.write(async (client, changes) => {
      const { rows } = await client.query<{ keys: unknown }>('SELECT keys FROM keys FOR UPDATE');
      const next = edit(KeysDocumentSchema.parse(rows[0]!.keys));
      const { rows: written } = await client.query<{ rev: string }>(
        "UPDATE keys SET keys = $1, rev = nextval('store_rev') RETURNING rev",
        [JSON.stringify(next)],
      );
      changes.secretRow(keys, '', written[0]!.rev, next);
      return next;
    });
  return {
    otpKey: current().otpKey,
    cookieKey: current().cookieKey,
    async assertionKey() {
      const held = current().assertionKey;
      if (held) return held;
      const created = newAssertionKey();
      const doc = await change((d) => (d.assertionKey ? d : { ...d, assertionKey: created }));
      return doc.assertionKey!;
    },
    secret: (name) => current().secrets?.[name],
    setSecret: (name, value) =>
      change((d) => {
        const secrets = { ...d.secrets };
        if (value === undefined) delete secrets[name];
        else secrets[name] = value;
        return { ...d, secrets };
      }).then(() => undefined),
  };
}

export function persistentTokenRepository(
  db: Database,
  tokens: RecordTables['persistentTokens'],
): PersistentTokenRepository {
  return {
    notBefore: (username) => tokens.get(username),
    revokeUpTo: (username, at) =>
      db.write(async (client, changes) => {
        const { rows } = await client.query<{ rev: string }>(
          `INSERT INTO persistent_tokens (username, not_before, rev)
           VALUES ($1, $2, nextval('store_rev'))
           ON CONFLICT (username) DO UPDATE SET not_before = EXCLUDED.not_before,
             rev = nextval('store_rev')
           RETURNING rev`,
          [username, at],
        );
        changes.row(tokens, username, rows[0]!.rev, at);
      }),
  };
}

export function outboxRepository(db: Database, outbox: RecordTables['outbox']): OutboxRepository {
  const updates = new PerKeyQueue();
  const messages = cachedList(outbox, byPos);
  const pending = () => messages().filter((m) => m.state === 'pending');
  const write = (message: OutboxMessage) =>
    db.write(async (client, changes) => {
      const { rows } = await client.query<{ rev: string; pos: string }>(
        `INSERT INTO outbox (id, state, created_at, record, rev)
         VALUES ($1, $2, $3, $4, nextval('store_rev'))
         ON CONFLICT (id) DO UPDATE SET state = EXCLUDED.state, created_at = EXCLUDED.created_at,
           record = EXCLUDED.record, rev = nextval('store_rev')
         RETURNING rev, pos`,
        [message.id, message.state, message.createdAt, JSON.stringify(message)],
      );
      changes.row(outbox, message.id, rows[0]!.rev, { pos: Number(rows[0]!.pos), record: message });
    });
  return {
    enqueue: write,
    get: (id) => outbox.get(id)?.record,
    due: (now, limit) =>
      pending()
        .filter((m) => m.nextAttemptAt <= now)
        .sort((a, b) => a.nextAttemptAt - b.nextAttemptAt || a.createdAt - b.createdAt)
        .slice(0, limit),
    nextDueAt() {
      const times = pending().map((m) => m.nextAttemptAt);
      return times.length > 0 ? Math.min(...times) : undefined;
    },
    // In call order in this process; under the row's lock against every other.
    update: (id, change) =>
      updates.run(id, () =>
        db.write(async (client, changes) => {
          const { rows } = await client.query<{ record: unknown; pos: string }>(
            'SELECT record, pos FROM outbox WHERE id = $1 FOR UPDATE',
            [id],
          );
          if (!rows[0]) return undefined;
          const next = change(OutboxMessageSchema.parse(rows[0].record));
          if (!next) return undefined;
          const { rows: written } = await client.query<{ rev: string }>(
            `UPDATE outbox SET state = $2, created_at = $3, record = $4, rev = nextval('store_rev')
             WHERE id = $1 RETURNING rev`,
            [id, next.state, next.createdAt, JSON.stringify(next)],
          );
          changes.row(outbox, id, written[0]!.rev, { pos: Number(rows[0].pos), record: next });
          return next;
        }),
      ),
    recent: (states, limit) =>
      messages()
        .filter((m) => states.includes(m.state))
        .sort((a, b) => b.createdAt - a.createdAt)
        .slice(0, limit),
    counts() {
      const counts = { pending: 0, failed: 0, sent: 0 };
      for (const m of messages()) counts[m.state] += 1;
      return counts;
    },
    prune: (before) =>
      db.write(async (client, changes) => {
        const { rows } = await client.query<{ id: string; rev: string }>(
          `DELETE FROM outbox WHERE state <> 'pending' AND created_at < $1
           RETURNING id, nextval('store_rev') AS rev`,
          [before],
        );
        for (const row of rows) changes.row(outbox, row.id, row.rev, undefined);
        return rows.length;
      }),
  };
}

export function methodBlockRepository(
  db: Database,
  blocks: RecordTables['blocks'],
): MethodBlockRepository {
  const list = cachedList(blocks, byPos);
  return {
    get: (username) => blocks.get(username)?.record,
    list,
    put: (block: MethodBlock) =>
      db.write(async (client, changes) => {
        const { rows } = await client.query<{ rev: string }>(
          `INSERT INTO method_blocks (username, record, rev) VALUES ($1, $2, nextval('store_rev'))
           ON CONFLICT (username) DO UPDATE SET record = EXCLUDED.record, rev = nextval('store_rev')
           RETURNING rev`,
          [block.username, JSON.stringify(block)],
        );
        const rev = rows[0]!.rev;
        changes.row(blocks, block.username, rev, { pos: Number(rev), record: block });
      }),
    remove: (username) =>
      db.write(async (client, changes) => {
        const { rows } = await client.query<{ rev: string }>(
          "DELETE FROM method_blocks WHERE username = $1 RETURNING nextval('store_rev') AS rev",
          [username],
        );
        if (!rows[0]) return false;
        changes.row(blocks, username, rows[0].rev, undefined);
        return true;
      }),
  };
}

export function usedLinkRepository(db: Database, now: () => number = Date.now): UsedLinkRepository {
  return {
    use: (id, expiresAt) =>
      db.write(async (client) => {
        // The primary key decides: of simultaneous uses, one inserts and the others find it there.
        const { rowCount } = await client.query(
          'INSERT INTO used_links (id, expires_at) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING',
          [id, expiresAt],
        );
        await client.query('DELETE FROM used_links WHERE expires_at < $1 AND id <> $2', [
          now(),
          id,
        ]);
        return rowCount === 1;
      }),
  };
}

export function activityRepository(
  db: Database,
  activity: RecordTables['activity'],
): ActivityRepository {
  return {
    since: (key, since) => (activity.get(key) ?? []).filter((t) => t >= since),
    take: (key, at, windowStart, limit) =>
      db.write(async (client, changes) => {
        // One take of a key at a time, in every process: each sees the ones before it.
        await client.query("SELECT pg_advisory_xact_lock(hashtextextended('activity:' || $1, 0))", [
          key,
        ]);
        const { rows } = await client.query<{ at: string }>(
          'SELECT at FROM activity WHERE key = $1 AND at >= $2 ORDER BY at',
          [key, windowStart],
        );
        const recent = rows.map((r) => Number(r.at));
        const taken = recent.length < limit;
        const { rowCount: forgotten } = await client.query(
          'DELETE FROM activity WHERE key = $1 AND at < $2',
          [key, windowStart],
        );
        if (!taken && !forgotten) return false;
        const { rows: next } = await client.query<{ rev: string }>(
          "SELECT nextval('store_rev') AS rev",
        );
        const rev = next[0]!.rev;
        if (taken)
          await client.query('INSERT INTO activity (key, at, rev) VALUES ($1, $2, $3)', [
            key,
            at,
            rev,
          ]);
        await client.query('UPDATE activity SET rev = $2 WHERE key = $1', [key, rev]);
        const times = taken ? [...recent, at].sort((a, b) => a - b) : recent;
        changes.row(activity, key, rev, times.length > 0 ? times : undefined);
        return taken;
      }),
  };
}

export function signInHistoryRepository(
  db: Database,
  signIns: RecordTables['signIns'],
): SignInHistoryRepository {
  return {
    of: (username) => signIns.get(username) ?? [],
    add: (username, record: SignInRecord) =>
      db.write(async (client, changes) => {
        const { rows } = await client.query<{ rev: string; records: unknown }>(
          `INSERT INTO sign_ins (username, records, rev)
           VALUES ($1, jsonb_build_array($2::jsonb), nextval('store_rev'))
           ON CONFLICT (username) DO UPDATE SET
             records = jsonb_path_query_array(jsonb_build_array($2::jsonb) || sign_ins.records,
               '$[0 to ${SIGN_INS_KEPT - 1}]'),
             rev = nextval('store_rev')
           RETURNING rev, records`,
          [username, JSON.stringify(record)],
        );
        changes.row(signIns, username, rows[0]!.rev, signIns.spec.parse(rows[0]!.records));
      }),
  };
}

/** What a first open writes: the keys, then the realm (a database is a first run until it has one). */
export async function createFirstRecords(
  db: Database,
  keys: KeysDocument,
  realm: RealmConfig,
): Promise<boolean> {
  return db.write(async (client) => {
    await client.query(
      "INSERT INTO keys (keys, rev) VALUES ($1, nextval('store_rev')) ON CONFLICT (id) DO NOTHING",
      [JSON.stringify(keys)],
    );
    const { rowCount } = await client.query(
      "INSERT INTO realm (config, rev) VALUES ($1, nextval('store_rev')) ON CONFLICT (id) DO NOTHING",
      [JSON.stringify(realm)],
    );
    return rowCount === 1;
  });
}

export type { AgentRecord, SessionRecord };
