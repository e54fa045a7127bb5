// History and audit on the wire: searching closed requests and the audit log, a request's whole trail,
// the chain check, and the export. Agents see their desks' history; the audit log is for admins.
import { z } from 'zod';
import { CLOSED_STATES } from '../domain/request-states';
import { HelpDeskIdSchema } from './realm-config';
import type { RequestView } from './request-view';

const text = (max: number) => z.string().trim().max(max);
/** A moment as ms since the epoch; a range is inclusive of `from` and exclusive of `to`. */
const moment = z.number().int().min(0);
const page = {
  offset: z.number().int().min(0).max(1_000_000).default(0),
  limit: z.number().int().min(1).max(200).default(50),
};

export const HistorySearchSchema = z
  .object({
    /** A reference code, or its start (`K7M` finds `K7M-4QX`); case-insensitive. */
    reference: text(16).optional(),
    /** The user's username, or its start; case-insensitive. */
    username: text(128).optional(),
    /** The username of the agent who held or closed it. */
    agent: text(64).optional(),
    desk: HelpDeskIdSchema.optional(),
    outcome: z.enum(CLOSED_STATES).optional(),
    /** Closed at or after… */
    from: moment.optional(),
    /** …and before. */
    to: moment.optional(),
    ...page,
  })
  .strict();
export type HistorySearch = z.infer<typeof HistorySearchSchema>;

/** A closed request as the History list shows it, newest first. */
export interface HistoryRow {
  id: string;
  reference: string;
  desk: '1' | '2';
  username: string;
  displayName: string;
  outcome: (typeof CLOSED_STATES)[number];
  createdAt: number;
  closedAt: number;
  /** Who held or closed it, if an agent did. */
  agent: string | null;
  closedReason: string;
}

export interface HistoryPage {
  rows: HistoryRow[];
  /** How many closed requests match in all (for paging). */
  total: number;
}

/** One audit entry, with what it says in words ("alice revealed a passcode (reveal #2)"). */
export interface AuditEntryView {
  seq: number;
  /** ISO 8601. */
  at: string;
  actor: string;
  action: string;
  requestId: string | null;
  details: Record<string, unknown>;
  words: string;
}

/** A closed request and its whole trail from the audit log, oldest first. */
export interface HistoryDetail {
  request: RequestView;
  trail: AuditEntryView[];
}

export const AuditSearchSchema = z
  .object({
    /** `agent:alice`, `user:jsmith`, `system`, or a start of one; case-insensitive. */
    actor: text(140).optional(),
    /** An action (`request.otp-revealed`) or its start (`request.`). */
    action: text(80).optional(),
    /** A request's id or reference code. */
    request: text(64).optional(),
    from: moment.optional(),
    to: moment.optional(),
    ...page,
  })
  .strict();
export type AuditSearch = z.infer<typeof AuditSearchSchema>;

export interface AuditPage {
  /** Newest first. */
  entries: AuditEntryView[];
  total: number;
}

/** The same check as `npm run audit:verify`. */
export type AuditVerifyResult =
  | { ok: true; entries: number; lastHash: string }
  | { ok: false; entries: number; seq: number; line: number; reason: string };

export const AUDIT_EXPORT_FORMATS = ['csv', 'jsonl'] as const;
export type AuditExportFormat = (typeof AUDIT_EXPORT_FORMATS)[number];
