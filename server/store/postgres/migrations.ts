// The schema: numbered SQL files beside this module, applied at open in one transaction under an
// advisory lock, so several servers starting on an empty database apply each file once.
import { readFile, readdir } from 'node:fs/promises';
import type pg from 'pg';

/** The key of the transaction-scoped advisory lock migrations hold ('hdotp-mg'). */
const MIGRATION_LOCK = 0x6864_6f74_706d;
const FILE_PATTERN = /^(\d{3})-([a-z0-9-]+)\.sql$/;

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** The SQL files of `migrations/`, in version order. */
export async function readMigrations(
  dir: URL = new URL('./migrations/', import.meta.url),
): Promise<Migration[]> {
  const migrations: Migration[] = [];
  for (const file of await readdir(dir)) {
    const match = FILE_PATTERN.exec(file);
    if (!match) continue;
    const sql = await readFile(new URL(file, dir), 'utf8');
    migrations.push({ version: Number(match[1]), name: match[2]!, sql });
  }
  migrations.sort((a, b) => a.version - b.version);
  migrations.forEach((m, i) => {
    if (m.version !== i + 1)
      throw new Error(
        `Migration ${m.version}-${m.name}.sql is out of sequence (expected ${i + 1}).`,
      );
  });
  return migrations;
}

/**
 * Brings the database to the newest schema this server knows, or refuses a database whose schema
 * is newer (a newer server wrote it: this one would misread it). `where` names it in messages.
 */
export async function migrate(client: pg.ClientBase, where: string): Promise<void> {
  const migrations = await readMigrations();
  const newest = migrations.at(-1)?.version ?? 0;
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
         version int PRIMARY KEY,
         name text NOT NULL,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    const { rows } = await client.query<{ version: number | null }>(
      'SELECT max(version) AS version FROM schema_migrations',
    );
    const current = rows[0]?.version ?? 0;
    if (current > newest)
      throw new Error(
        `The database at ${where} has schema version ${current}, newer than this server knows (${newest}). ` +
          'Upgrade the server to the release that wrote it (or a later one), or open another database.',
      );
    for (const migration of migrations) {
      if (migration.version <= current) continue;
      await client.query(migration.sql);
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
        migration.version,
        migration.name,
      ]);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
