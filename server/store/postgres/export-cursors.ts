// The audit export's cursors over PostgreSQL: one row per destination (the seq of the last entry it
// confirmed), read from a cache the change feed keeps current, each set one upsert.
import { z } from 'zod';
import type { ExportCursorRepository } from '../repositories';
import { CachedTable } from './cache';
import type { Database } from './transaction';

const SELECT = 'SELECT name AS key, rev, to_jsonb(seq) AS data FROM export_cursors';

export function exportCursorsTable(): CachedTable<number> {
  return new CachedTable<number>({
    name: 'export_cursors',
    loadSql: SELECT,
    rereadSql: `${SELECT} WHERE name = $1`,
    parse: (d) => z.number().int().min(0).parse(d),
  });
}

export function exportCursorRepository(
  db: Database,
  cursors: CachedTable<number>,
): ExportCursorRepository {
  return {
    get: (name) => cursors.get(name),
    set: (name, seq) =>
      db.write(async (client, changes) => {
        const { rows } = await client.query<{ rev: string }>(
          `INSERT INTO export_cursors (name, seq, rev) VALUES ($1, $2, nextval('store_rev'))
           ON CONFLICT (name) DO UPDATE SET seq = EXCLUDED.seq, rev = nextval('store_rev')
           RETURNING rev`,
          [name, seq],
        );
        changes.row(cursors, name, rows[0]!.rev, seq);
      }),
  };
}
