// HTTP route for admins: the audit log's entries, filtered as in the Audit view, streamed as a CSV
// file (safe to open in a spreadsheet) or as JSONL (each entry exactly as the log holds it).
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Router } from 'express';
import type { AuditEntry } from '../audit/audit-chain';
import { stringify } from 'csv-stringify';
import { z } from 'zod';
import type { AgentSessions } from '../agents/agent-sessions';
import type { Authenticator } from '../agents/authenticator';
import { AUDIT_EXPORT_FORMATS, AuditSearchSchema } from '../contract/history';
import { badRequest } from '../errors';
import type { HistoryService } from '../history/history-service';
import type { Logger } from '../logger';
import type { AuditLog } from '../store/repositories';
import { adminGate } from './admin-only';

export interface AuditRoutesDeps {
  history: HistoryService;
  sessions: AgentSessions;
  authenticator: Authenticator;
  audit: AuditLog;
  logger: Logger;
  now: () => number;
}

export const AUDIT_EXPORT_PATH = '/api/audit/export';

/** A moment in a query: ms since the epoch, or an ISO 8601 date or date-time (UTC unless it says). */
const QueryMoment = z
  .string()
  .trim()
  .transform((text, ctx) => {
    const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
    if (!Number.isFinite(ms)) {
      ctx.addIssue({ code: 'custom', message: 'Use ms since the epoch or an ISO 8601 date' });
      return z.NEVER;
    }
    return ms;
  });

const ExportQuerySchema = AuditSearchSchema.omit({
  offset: true,
  limit: true,
  from: true,
  to: true,
})
  .extend({
    format: z.enum(AUDIT_EXPORT_FORMATS, { error: 'Use format=csv or format=jsonl' }),
    from: QueryMoment.optional(),
    to: QueryMoment.optional(),
  })
  .strict();

const CSV_COLUMNS = ['seq', 'at', 'actor', 'action', 'requestId', 'words', 'details', 'hash'];
/** A spreadsheet opens a UTF-8 file as UTF-8 only when it starts with a byte-order mark. */
const BOM = '\uFEFF';

export function auditRoutes(deps: AuditRoutesDeps): Router {
  const router = Router();
  const { adminOnly, adminOf } = adminGate(deps);

  router.get(AUDIT_EXPORT_PATH, adminOnly(`GET ${AUDIT_EXPORT_PATH}`), async (req, res) => {
    const query = ExportQuerySchema.safeParse(req.query);
    if (!query.success) throw badRequest(query.error, 'The query');
    const { format, ...filter } = query.data;
    // The first entry is read before anything is sent: a log that cannot be read is an error
    // answer, not a cut-off download.
    const entries = deps.history.exportAudit(filter)[Symbol.asyncIterator]();
    const first = await entries.next();
    await deps.audit.record({
      actor: `agent:${adminOf(req).username}`,
      action: 'audit.exported',
      details: { format, filter },
    });
    const date = new Date(deps.now()).toISOString().slice(0, 10);
    res.status(200).set({
      'Content-Type':
        format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
      'Content-Disposition': `attachment; filename="audit-log-${date}.${format}"`,
      'Cache-Control': 'no-store',
    });
    async function* all() {
      if (first.done) return;
      yield first.value;
      for (let next = await entries.next(); !next.done; next = await entries.next())
        yield next.value;
    }
    const stages =
      format === 'jsonl'
        ? [
            new Transform({
              writableObjectMode: true,
              transform: ({ entry }: { entry: AuditEntry }, _encoding, done) =>
                done(null, `${JSON.stringify(entry)}\n`),
            }),
          ]
        : [
            new Transform({
              objectMode: true,
              transform: ({ entry, words }: { entry: AuditEntry; words: string }, _enc, done) =>
                done(null, [
                  entry.seq,
                  entry.at,
                  entry.actor,
                  entry.action,
                  entry.requestId ?? '',
                  words,
                  JSON.stringify(entry.details),
                  entry.hash,
                ]),
            }),
            // csv-stringify puts a quote before a cell a spreadsheet would run as a formula.
            stringify({ header: true, columns: CSV_COLUMNS, escape_formulas: true, eof: true }),
          ];
    if (format === 'csv') res.write(BOM);
    try {
      await pipeline([Readable.from(all()), ...stages, res]);
    } catch (error) {
      // The answer has begun, so no error answer can follow: the download is cut off (the client
      // sees it fail, not a short file), and a failure other than the client leaving is logged.
      res.destroy();
      if ((error as { code?: unknown }).code !== 'ERR_STREAM_PREMATURE_CLOSE')
        deps.logger.error('the audit export stopped part-way', error);
    }
  });

  return router;
}
