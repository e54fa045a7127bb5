// Opens the PostgreSQL store: the schema brought up to date, every cache loaded and followed
// through the change feed, and the repositories the services use. The one entry point into the
// PostgreSQL store; several server processes may open one database at once.
import pg from 'pg';
import { defaultRealmConfig } from '../../contract/realm-config';
import { newKeys } from '../embedded/documents';
import type { Store, StoreHealth } from '../repositories';
import { PostgresAuditLog, auditHead, closedCount } from './audit-log';
import { followTable } from './cache';
import { ChangeFeed } from './change-feed';
import { maskUrl } from './errors';
import { exportCursorRepository, exportCursorsTable } from './export-cursors';
import { PostgresHistory } from './history';
import { migrate } from './migrations';
import { PostgresRequests, failuresTable, openRequestsTable } from './open-requests';
import {
  activityRepository,
  agentRepository,
  createFirstRecords,
  directoryUserRepository,
  keyRepository,
  methodBlockRepository,
  outboxRepository,
  persistentTokenRepository,
  realmRepository,
  recordTables,
  sessionRepository,
  signInHistoryRepository,
  usedLinkRepository,
} from './records';
import { RequestWriter } from './request-writer';
import { Database } from './transaction';
import { UserLocks } from './user-locks';

export { StoreUnavailableError } from './errors';

export interface PostgresStoreOptions {
  /** pool size, default 10 */
  poolSize?: number;
}

export interface PostgresStore extends Store {
  readonly kind: 'postgres';
  /** The store's pool, shared with the socket.io adapter, the shared rate limits and the leader lock. */
  readonly pool: pg.Pool;
  /** Called after another process's change reached this process's caches: table name and key, e.g. ('outbox', id), ('realm', ''), ('agents', id), ('sessions', id), ('requests', id). */
  onRemoteChange(listener: (table: string, key: string) => void): () => void;
}

/** How long a connection may take to open before a statement fails as unavailable. */
const CONNECT_TIMEOUT_MS = 5_000;

function newPool(url: string, max: number, warn: (message: string, error?: unknown) => void) {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    keepAlive: true,
  });
  // An idle connection that dies (the database restarted) is dropped from the pool; the next
  // statement opens a new one. Never a crash.
  pool.on('error', (error) => warn('An idle PostgreSQL connection failed.', error));
  // The pool listens only to idle connections. One checked out (a transaction between two
  // statements, the socket adapter's, the limits') that PostgreSQL ends — a restart sends every
  // backend a FATAL — would emit an 'error' nobody hears and end the process. Heard here, it
  // fails only the statement that uses it next (as unavailable), and the pool drops it on release.
  pool.on('connect', (client) =>
    client.on('error', (error) => warn('A PostgreSQL connection in use failed.', error)),
  );
  return pool;
}

/** One line per kind of trouble every few seconds, so an outage does not flood the log. */
function warner(where: string): (message: string, error?: unknown) => void {
  const last = new Map<string, number>();
  return (message, error) => {
    const now = Date.now();
    if (now - (last.get(message) ?? 0) < 10_000) return;
    last.set(message, now);
    const why = error instanceof Error ? ` (${error.message})` : '';
    console.warn(`PostgreSQL store at ${where}: ${message}${why}`);
  };
}

/**
 * Opens (creating or upgrading its schema) the store in the database at `url`. Rejects when the
 * database cannot be reached or its schema is newer than this server knows.
 */
export async function openPostgresStore(
  url: string,
  options: PostgresStoreOptions = {},
): Promise<PostgresStore> {
  const where = maskUrl(url);
  const warn = warner(where);
  const pool = newPool(url, options.poolSize ?? 10, warn);
  // The request writer has a connection of its own, so work holding pool connections (a user's
  // exclusive lock) can never starve the commits that work waits for.
  const writerPool = newPool(url, 1, warn);
  let feed: ChangeFeed | undefined;
  let locks: UserLocks | undefined;
  try {
    const client = await pool.connect();
    try {
      await migrate(client, where);
    } finally {
      client.release();
    }
    const db = new Database(pool, where);
    const writerDb = new Database(writerPool, where, db.id);
    const firstRun = await createFirstRecords(db, newKeys(), defaultRealmConfig());

    const tables = recordTables();
    const open = openRequestsTable();
    const failures = failuresTable();
    const head = auditHead();
    const closed = closedCount();
    const cursors = exportCursorsTable();
    feed = new ChangeFeed({
      connectionString: url,
      pool,
      storeId: db.id,
      followers: [
        followTable(tables.realm),
        followTable(tables.keys),
        followTable(tables.agents),
        followTable(tables.sessions),
        followTable(tables.directory),
        followTable(tables.persistentTokens),
        followTable(tables.outbox),
        followTable(tables.blocks),
        followTable(tables.activity),
        followTable(tables.signIns),
        followTable(cursors),
        followTable(open),
        followTable(failures),
        head,
        closed,
      ],
      warn,
      onReloaded() {
        db.unreachable = false;
        writerDb.unreachable = false;
      },
    });
    await feed.start();
    const changeFeed = feed;

    const writer = new RequestWriter(writerDb, open, head, closed);
    locks = new UserLocks(url);
    const userLocks = locks;
    const requests = new PostgresRequests(db, open, failures, writer, userLocks);
    const audit = new PostgresAuditLog(db, head, (input) => writer.record(input));
    return {
      kind: 'postgres',
      pool,
      onRemoteChange: (listener) => changeFeed.onRemoteChange(listener),
      requests,
      audit,
      history: new PostgresHistory(db),
      agents: agentRepository(db, tables.agents),
      sessions: sessionRepository(db, tables.sessions),
      directory: directoryUserRepository(db, tables.directory),
      realm: realmRepository(db, tables.realm),
      keys: keyRepository(db, tables.keys),
      persistentTokens: persistentTokenRepository(db, tables.persistentTokens),
      outbox: outboxRepository(db, tables.outbox),
      blocks: methodBlockRepository(db, tables.blocks),
      usedLinks: usedLinkRepository(db),
      activity: activityRepository(db, tables.activity),
      signIns: signInHistoryRepository(db, tables.signIns),
      exportCursors: exportCursorRepository(db, cursors),
      firstRun,
      health(): StoreHealth {
        const reachable = changeFeed.healthy && !db.unreachable && !writerDb.unreachable;
        return {
          kind: 'postgres',
          status: reachable ? 'ok' : 'unavailable',
          openRequests: requests.size,
          closedRequests: closed.seq,
          auditEntries: head.seq,
        };
      },
      async close() {
        // Writes made before this call are committed (or refused); later ones are refused.
        await writer.close();
        await Promise.all([db.close(), writerDb.close()]);
        await Promise.all([changeFeed.close(), userLocks.close()]);
        await Promise.all([writerPool.end(), pool.end()]);
      },
    };
  } catch (error) {
    await feed?.close();
    await locks?.close();
    await Promise.all([writerPool.end(), pool.end()]).catch(() => undefined);
    throw error;
  }
}
