// HTTP routes for the embedded directory's files, for admins: CSV import (preview or commit) and export.
import type { Request } from 'express';
import express, { Router } from 'express';
import { z } from 'zod';
import type { AgentSessions } from '../agents/agent-sessions';
import type { Authenticator } from '../agents/authenticator';
import type { DirectoryAdmin } from '../directory/directory-admin';
import { ServiceError, badRequest } from '../errors';
import type { AuditLog } from '../store/repositories';
import { adminGate } from './admin-only';

export interface DirectoryRoutesDeps {
  users: DirectoryAdmin;
  sessions: AgentSessions;
  authenticator: Authenticator;
  audit: AuditLog;
}

export const IMPORT_PATH = '/api/directory/import';
export const EXPORT_PATH = '/api/directory/export';
/** A CSV of some 100,000 users; the JSON parser's 16 kB limit stays everywhere else. */
const IMPORT_LIMIT = '10mb';
const CSV_TYPES = ['text/csv', 'text/plain', 'application/octet-stream'];

const ImportQuerySchema = z.object({
  /** Absent: a preview. */
  commit: z.enum(['true', 'false'], { error: 'Use commit=true or commit=false' }).default('false'),
});

/** A spreadsheet opens a UTF-8 file as UTF-8 only when it starts with a byte-order mark. */
const BOM = '\uFEFF';

export function directoryRoutes(deps: DirectoryRoutesDeps): Router {
  const router = Router();
  // Only an enabled admin with a live session gets through, before any body is read.
  const { adminOnly, adminOf } = adminGate(deps);
  const actorOf = (req: Request): string => `agent:${adminOf(req).username}`;

  router.post(
    IMPORT_PATH,
    adminOnly(`POST ${IMPORT_PATH}`),
    express.text({ type: CSV_TYPES, limit: IMPORT_LIMIT }),
    async (req, res) => {
      const query = ImportQuerySchema.safeParse({ commit: req.query.commit });
      if (!query.success) throw badRequest(query.error, 'The query');
      if (typeof req.body !== 'string')
        throw new ServiceError(
          'bad-request',
          'Send the CSV file as the request body, with Content-Type: text/csv.',
        );
      const result = await deps.users.importCsv(
        req.body,
        { commit: query.data.commit === 'true' },
        actorOf(req),
      );
      // The answer may carry generated passwords: no cache keeps a copy.
      res.set('Cache-Control', 'no-store').json({ data: result });
    },
  );

  router.get(EXPORT_PATH, adminOnly(`GET ${EXPORT_PATH}`), async (req, res) => {
    const csv = await deps.users.exportCsvFor(actorOf(req));
    res
      .status(200)
      .set({
        'Content-Type': 'text/csv; charset=utf-8',
        'Content-Disposition': 'attachment; filename="directory-users.csv"',
        'Cache-Control': 'no-store',
      })
      .send(BOM + csv);
  });

  return router;
}
