// The /agent socket.io namespace: typed event maps and the zod schemas of every client payload.
import { z } from 'zod';
import type { AckResult } from './errors';
import type { AgentView, Role } from './agents';
import { AgentCreateSchema, AgentUpdateSchema } from './agents';
import type {
  DirectoryImportResult,
  DirectorySettings,
  DirectoryStatus,
  DirectoryTestResult,
  DirectoryUserView,
} from './directory';
import {
  DirectoryConfigureSchema,
  DirectoryTestSchema,
  DirectoryUserAddSchema,
  DirectoryUserEnableSchema,
  DirectoryUserRefSchema,
  DirectoryUserSearchSchema,
  DirectoryUserUpdateSchema,
} from './directory';
import type { AdminAlert, MailSettings, MailStatus, MailTestResult, MethodBlockView } from './mail';
import { BlockClearSchema, MailConfigureSchema, MailTestSchema } from './mail';
import type { HelpDeskId, RealmConfig } from './realm-config';
import { HelpDeskIdSchema, RealmConfigPatchSchema } from './realm-config';
import type { RequestDetail, RequestView } from './request-view';
import { ApprovalDecisionSchema, AskApprovalSchema, SuspiciousCallerSchema } from './risk';
import type { AuditPage, AuditVerifyResult, HistoryDetail, HistoryPage } from './history';
import { AuditSearchSchema, HistorySearchSchema } from './history';

const requestId = z.string().min(16).max(64);

export const AgentPayloads = {
  'queue:list': z.object({ desk: HelpDeskIdSchema.optional() }).strict(),
  'request:get': z.object({ requestId }).strict(),
  'request:claim': z.object({ requestId }).strict(),
  'request:release': z.object({ requestId }).strict(),
  'request:take-over': z.object({ requestId }).strict(),
  'request:verify': z
    .object({ requestId, checkId: z.string().min(1).max(40), note: z.string().trim().max(500) })
    .strict(),
  'request:unverify': z.object({ requestId, checkId: z.string().min(1).max(40) }).strict(),
  'request:reveal': z.object({ requestId }).strict(),
  'request:deny': z
    .object({ requestId, reason: z.string().trim().min(3, 'Say why, for the record').max(500) })
    .strict(),
  'config:get': z.object({}).strict(),
  'config:update': RealmConfigPatchSchema,
  'agents:list': z.object({}).strict(),
  'agents:create': AgentCreateSchema,
  'agents:update': AgentUpdateSchema,
  /** Starts enrolling an authenticator app for the signed-in agent (replaces any unconfirmed one). */
  'totp:begin': z.object({}).strict(),
  /** Confirms enrolment with a current code from the app; only then is TOTP required at sign-in. */
  'totp:confirm': z.object({ code: z.string().regex(/^\d{6}$/, 'Six digits') }).strict(),
  /** Where users come from and whether it answers (any agent: the console shows a banner). */
  'directory:status': z.object({}).strict(),
  /** Saves the directory settings (and the LDAP bind password when given). Admins. */
  'directory:configure': DirectoryConfigureSchema,
  /** Binds and looks a user up with these settings, saved or not; nothing is saved. Admins. */
  'directory:test': DirectoryTestSchema,
  // The embedded directory's users, managed by admins. CSV import and export are HTTP
  // (`/api/directory/import`, `/api/directory/export`): files, not events.
  'users:search': DirectoryUserSearchSchema,
  'users:add': DirectoryUserAddSchema,
  'users:update': DirectoryUserUpdateSchema,
  'users:set-enabled': DirectoryUserEnableSchema,
  'users:reset-password': DirectoryUserRefSchema,
  'users:delete': DirectoryUserRefSchema,
  /**
   * Mails a 6-digit code to the user's address in the directory for a `mailed-code` check (the
   * holder only; never to an address the caller gives). A new send voids the previous code.
   */
  'request:send-code': z.object({ requestId, checkId: z.string().min(1).max(40) }).strict(),
  /** The code the caller read back, typed by the agent; the server checks it (3 wrong voids it). */
  'request:check-code': z
    .object({
      requestId,
      code: z
        .string()
        .trim()
        .regex(/^\d{6}$/, 'Six digits'),
    })
    .strict(),
  /** The SMTP settings (and password when given). Admins. */
  'mail:configure': MailConfigureSchema,
  /** Sends a test mail with these settings, saved or not; nothing is saved or queued. Admins. */
  'mail:test': MailTestSchema,
  /** The outbox's state and recent problems. Admins. */
  'mail:status': z.object({}).strict(),
  /** Users for whom the help-desk method is blocked. Admins. */
  'blocks:list': z.object({}).strict(),
  /** Clears a block, with a reason for the record. Admins. */
  'blocks:clear': BlockClearSchema,
  /**
   * The holder asks for a second person's approval of the reveal (the request's policy needs one and
   * its checks are recorded). Agents of the desk and admins hear `approval:requested`.
   */
  'request:ask-approval': AskApprovalSchema,
  /** Another agent of the desk, or an admin (never the holder, never the user themself), approves. */
  'request:approve': ApprovalDecisionSchema,
  /** …or refuses, with a note: the request ends, denied, and admins are alerted. */
  'request:refuse-approval': ApprovalDecisionSchema,
  /** Requests waiting for a second approver this agent may decide on (their desks; admins: all). */
  'approvals:list': z.object({}).strict(),
  /**
   * The holder ends the request as a suspicious caller: the help-desk method is blocked for the user
   * for the realm's time, admins are alerted, the evidence is kept in the audit log.
   */
  'request:suspicious': SuspiciousCallerSchema,
  /** The console shows the revealed passcode again (after it hid itself): recorded in the audit log. */
  'request:passcode-shown': z.object({ requestId }).strict(),
  /** Closed requests, newest first: agents see their desks', admins all. */
  'history:search': HistorySearchSchema,
  /** A closed (or open) request with its whole trail from the audit log. */
  'history:get': z.object({ requestId }).strict(),
  /** The audit log, filtered, newest first. Admins. */
  'audit:search': AuditSearchSchema,
  /** Checks the audit log's hash chain, as `npm run audit:verify` does. Admins. */
  'audit:verify': z.object({}).strict(),
} as const;

export type AgentEventName = keyof typeof AgentPayloads;
export type AgentPayload<E extends AgentEventName> = z.infer<(typeof AgentPayloads)[E]>;

export interface RevealedOtp {
  otp: string;
  expiresAt: number;
  revealCount: number;
}

export interface SessionInfo {
  agent: AgentView;
  desks: HelpDeskId[];
  role: Role;
  /**
   * The realm requires an authenticator for this agent and none is enrolled yet: until
   * `totp:confirm` succeeds the server refuses every event except `totp:*`.
   */
  mustEnrolTotp: boolean;
}

export interface TotpEnrolment {
  /** Base32 secret, for typing in by hand. */
  secret: string;
  otpauthUri: string;
  /** The otpauth URI as a QR code (data:image/png;base64,…). */
  qrDataUrl: string;
}

/** What each event answers with, in `{ data }`. */
export interface AgentResults {
  'queue:list': { requests: RequestView[] };
  'request:get': RequestDetail;
  'request:claim': RequestView;
  'request:release': RequestView;
  'request:take-over': RequestView;
  'request:verify': RequestView;
  'request:unverify': RequestView;
  'request:reveal': RevealedOtp;
  'request:deny': RequestView;
  'config:get': RealmConfig;
  'config:update': RealmConfig;
  'agents:list': { agents: AgentView[] };
  'agents:create': { agent: AgentView; password: string };
  'agents:update': { agent: AgentView; password?: string };
  'totp:begin': TotpEnrolment;
  'totp:confirm': { enrolled: true };
  'directory:status': DirectoryStatus;
  'directory:configure': { settings: DirectorySettings; status: DirectoryStatus };
  'directory:test': DirectoryTestResult;
  'users:search': { users: DirectoryUserView[]; total: number };
  'users:add': { user: DirectoryUserView; password?: string };
  'users:update': { user: DirectoryUserView };
  'users:set-enabled': { user: DirectoryUserView };
  'users:reset-password': { user: DirectoryUserView; password: string };
  'users:delete': { username: string; cancelledRequests: number };
  'request:send-code': RequestView;
  'request:check-code': {
    /** verified: the check is recorded as verified by the server; wrong: try again; void: send a new code. */
    result: 'verified' | 'wrong' | 'void';
    request: RequestView;
  };
  'mail:configure': { settings: MailSettings; status: MailStatus };
  'mail:test': MailTestResult;
  'mail:status': MailStatus;
  'blocks:list': { blocks: MethodBlockView[] };
  'blocks:clear': { username: string };
  'request:ask-approval': RequestView;
  'request:approve': RequestView;
  'request:refuse-approval': RequestView;
  'approvals:list': { requests: RequestView[] };
  'request:suspicious': RequestView;
  'request:passcode-shown': { shownAt: number };
  'history:search': HistoryPage;
  'history:get': HistoryDetail;
  'audit:search': AuditPage;
  'audit:verify': AuditVerifyResult;
}

/** An import's answer over HTTP, in `{ data }`. */
export type DirectoryImportAnswer = DirectoryImportResult;

export type ClientToServerEvents = {
  [E in AgentEventName]: (
    payload: AgentPayload<E>,
    ack: (result: AckResult<AgentResults[E]>) => void,
  ) => void;
};

export interface ServerToClientEvents {
  'session:ready': (info: SessionInfo) => void;
  'request:created': (request: RequestView) => void;
  'request:updated': (request: RequestView) => void;
  'config:updated': (config: RealmConfig) => void;
  /** The directory became unavailable or answered again (or its source changed). */
  'directory:status': (status: DirectoryStatus) => void;
  /**
   * A holder asks for a second approver: sent to the agents of the request's desk and to admins (the
   * console offers Approve and Refuse to whoever may decide).
   */
  'approval:requested': (request: RequestView) => void;
  /** Admins only: something to act on now (a user said "This wasn't me"). */
  'alert:raised': (alert: AdminAlert) => void;
  /** Admins only: the outbox changed (a message failed, the backlog cleared). */
  'mail:status': (status: MailStatus) => void;
  /** The session ended server-side (logout, disabled, expired); the socket is about to close. */
  'session:ended': (reason: {
    code: 'logged-out' | 'disabled' | 'expired';
    message: string;
  }) => void;
}

export type InterServerEvents = Record<string, never>;
