// The store as the services see it: one small repository per part of the domain, the records they
// hold, and the store that opens them all. Every store implementation (embedded, PostgreSQL) passes
// the same contract suite against these interfaces.
import { z } from 'zod';
import type { AuditEntry } from '../audit/audit-chain';
import { AgentViewSchema } from '../contract/agents';
import type { ServerHealth } from '../contract/health';
import { MAIL_KINDS } from '../contract/mail';
import type { HelpDeskId, RealmConfig } from '../contract/realm-config';
import { DirectoryDetailsSchema } from '../contract/request-view';
import type { ClosedRequest, HelpRequest, OpenRequest } from '../domain/help-request';
import type { ClosedState } from '../domain/request-states';

export const AgentRecordSchema = AgentViewSchema.omit({ totpEnrolled: true })
  .extend({
    passwordHash: z.string(),
    /** Base32 TOTP secret once the agent has enrolled an authenticator app. */
    totpSecret: z.string().optional(),
    /**
     * Base32 secret handed out by `totp:begin` and not yet confirmed; kept on disk so a restart
     * between scanning the QR code and typing the first code does not break enrolment.
     */
    pendingTotpSecret: z.string().optional(),
    /** RFC 6238 time step of the last code accepted, so a code works once (no replay). */
    totpLastTimeStep: z.number().int().nonnegative().optional(),
    updatedAt: z.number(),
  })
  .strict();
/** An agent account as stored: the wire view plus its password hash and authenticator secrets. */
export type AgentRecord = z.infer<typeof AgentRecordSchema>;

export const SessionRecordSchema = z
  .object({
    /** SHA-256 of the bearer token; the token itself is never stored. */
    tokenHash: z.string().regex(/^[0-9a-f]{64}$/),
    /** A short public id for audit and socket rooms (not the token). */
    id: z.string(),
    agentId: z.string(),
    createdAt: z.number(),
    expiresAt: z.number(),
  })
  .strict();
export type SessionRecord = z.infer<typeof SessionRecordSchema>;

export const DirectoryUserSchema = DirectoryDetailsSchema.extend({
  username: z.string(),
  /** '' for a user with no password yet (imported without one): no password sign-in until reset. */
  passwordHash: z.string(),
  /** When an admin last added, edited, enabled/disabled, reset or imported the user (absent: before it was kept). */
  changedAt: z.number().optional(),
}).strict();
/** A user of the embedded directory, as stored. */
export type DirectoryUser = z.infer<typeof DirectoryUserSchema>;

export const AssertionKeySchema = z
  .object({
    kty: z.literal('EC'),
    crv: z.literal('P-256'),
    x: z.string(),
    y: z.string(),
    d: z.string(),
  })
  .strict();
/** The ES256 private key (a JWK) that signs sign-in assertions. */
export type AssertionKeyJwk = z.infer<typeof AssertionKeySchema>;

export interface AuditRecordInput {
  actor: string;
  action: string;
  requestId?: string;
  /** Never OTPs, secrets, passwords or tokens: recording rejects keys that name them. */
  details?: Record<string, unknown>;
  /** Defaults to now. */
  at?: Date;
}

/** A request's next version and the audit entries describing the change, committed together. */
export interface RequestCommit {
  request: HelpRequest;
  audit: AuditRecordInput | readonly AuditRecordInput[];
}

/**
 * Open requests, and the log every request change is committed through with its audit entries.
 *
 * Two kinds of operation, with different guarantees:
 * - **Reads** (`all`, `get`, `ofUser`, `hasReference`, `failuresOf`) are synchronous, for what is
 *   shown (the queue, views, statuses). In one process they see every change already made, durable
 *   or not. A store shared by several processes serves them from a cache that may lag another
 *   process's commits; never decide a change on them alone.
 * - **Decisions** come only from `change` (one request, read and written atomically) and
 *   `exclusive` (one user's requests, held against every caller of the store). A rule that spans a
 *   read and a write holds across processes only when it is made inside one of them.
 */
export interface RequestRepository {
  /** Open requests, oldest first. May be stale in a multi-process store. */
  readonly all: readonly OpenRequest[];
  /** May be stale in a multi-process store; decide in `change`. */
  get(id: string): OpenRequest | undefined;
  /**
   * The open requests of one user, in a new array the caller may sort. May be stale in a
   * multi-process store, except inside `exclusive(username, …)` for that user: there it holds
   * every commit made before the work started.
   */
  ofUser(username: string): OpenRequest[];
  /** Whether an open request has this reference code (may be stale across processes). */
  hasReference(reference: string): boolean;
  /**
   * Changes one request atomically: `decide` gets the request as committed (undefined when it is
   * not open, or unknown) and returns its next version with the audit entries describing the
   * change, or undefined to leave it as it is. No other change of that request is committed
   * between the read `decide` is given and the write of what it returns, whichever process makes
   * it, so a second caller's `decide` sees the first one's result. What `decide` throws rejects the
   * call and commits nothing. Resolves, once durable, with what was committed (undefined when
   * nothing was). `decide` computes only; a store may call it again (a retried transaction), and
   * only the last call's result is committed. A closed version moves the request to the history.
   */
  change(
    id: string,
    decide: (current: OpenRequest | undefined) => RequestCommit | undefined,
  ): Promise<HelpRequest | undefined>;
  /**
   * Runs `work` while no other `exclusive` call for this username runs, in this process or any
   * other sharing the store; calls wait their turn in order, and one that fails does not stop the
   * next. Inside it, `ofUser(username)` is current. Not reentrant: `work` must not call
   * `exclusive` for the same username. Resolves or rejects as `work` does.
   */
  exclusive<T>(username: string, work: () => Promise<T>): Promise<T>;
  /**
   * Writes this version as it is, with no regard to what is stored, together with its audit
   * entries, as one durable write: for a new request (submitted inside `exclusive` for its user),
   * and for tests and repairs. A service changes a stored request through `change`, never here.
   * Visible to this process's readers at once; resolves once durable.
   */
  commit(
    request: HelpRequest,
    audit: AuditRecordInput | readonly AuditRecordInput[],
  ): Promise<void>;
  /** Times (ms) of a user's wrong passcodes, as last set. */
  failuresOf(username: string): readonly number[];
  setFailures(username: string, times: number[]): Promise<void>;
  /** Why writes stopped (a write failed): nothing is acknowledged after it. */
  readonly failure: Error | undefined;
}

/** The hash-chained audit log. */
export interface AuditLog {
  /**
   * Chains the entry at once (so concurrent callers get consecutive seqs in call order) and
   * resolves with it once it is durable.
   */
  record(input: AuditRecordInput): Promise<AuditEntry>;
  /** Seq of the last entry recorded (0 when empty), including one still being written. */
  readonly lastSeq: number;
  readonly lastHash: string;
  /** Every durable entry, in seq order. */
  entries(): AsyncIterable<AuditEntry>;
  /**
   * The durable entries matching `query`, newest first (highest seq first), `limit` of them from
   * `offset`, and how many match in all. Sees every entry whose `record` has resolved. Never holds
   * up other callers for long, however long the log (a store may answer it from an index).
   */
  search(query: AuditQuery): Promise<{ entries: AuditEntry[]; total: number }>;
  /** The durable entries matching `filter`, oldest first (seq order), streamed (for exports and a request's trail). */
  select(filter: AuditFilter): AsyncIterable<AuditEntry>;
  /** Checks the whole hash chain as `npm run audit:verify` does (seq continuity, links, hashes). */
  verify(): Promise<AuditVerification>;
}

/**
 * Which audit entries: every condition given must hold. Text matches ignore case and surrounding
 * space; see `auditEntryMatches` in `audit-query.ts` for the one definition every store follows.
 */
export interface AuditFilter {
  /** The actor (`agent:alice`, `user:jsmith`, `system`), or its start. */
  actor?: string;
  /** The action (`request.otp-revealed`), or its start (`request.`). */
  action?: string;
  /** Entries about any of these requests (exact ids). An empty list matches nothing. */
  requestIds?: readonly string[];
  /** At or after this moment (ms)… */
  from?: number;
  /** …and before this one. */
  to?: number;
}

export interface AuditQuery extends AuditFilter {
  offset: number;
  limit: number;
}

/** What a check of the whole chain found (the same answer as `npm run audit:verify`). */
export type AuditVerification =
  | { ok: true; entries: number; lastHash: string }
  | { ok: false; entries: number; seq: number; line: number; reason: string };

/**
 * Which closed requests: every condition given must hold. See `historyMatches` in
 * `history-query.ts` for the one definition every store follows.
 */
export interface HistoryFilter {
  /** The reference code or its start, as a person types it (case, separators, O/0 and I/L ignored). */
  reference?: string;
  /** The user's username or its start, case-insensitive. */
  username?: string;
  /** The username of the agent who held it or closed it, case-insensitive. */
  agent?: string;
  desk?: HelpDeskId;
  outcome?: ClosedState;
  /** Only requests of these desks (an agent's own); absent: every desk. An empty list matches nothing. */
  desks?: readonly HelpDeskId[];
  /** Closed at or after this moment (ms)… */
  from?: number;
  /** …and before this one. */
  to?: number;
}

export interface HistoryQuery extends HistoryFilter {
  offset: number;
  limit: number;
}

/**
 * Closed requests: what `RequestRepository.change` and `commit` moved out of the open set. A
 * request is here once the commit that closed it has resolved; it never changes again. Reads never
 * hold up the live queue for long, however long the history (a store may answer from an index and
 * read the records themselves only for the page asked for).
 */
export interface HistoryRepository {
  /**
   * The closed requests matching `query`, newest first (the last closed first), `limit` of them
   * from `offset`, and how many match in all.
   */
  search(query: HistoryQuery): Promise<{ requests: ClosedRequest[]; total: number }>;
  /** A closed request by id; undefined when no closed request has it (it may still be open). */
  get(id: string): Promise<ClosedRequest | undefined>;
}

export interface AgentRepository {
  list(): readonly AgentRecord[];
  byId(id: string): AgentRecord | undefined;
  byUsername(username: string): AgentRecord | undefined;
  add(agent: AgentRecord): Promise<void>;
  /**
   * Reads, changes and writes one agent atomically: `change` gets the current record and returns
   * its next version, or undefined to leave it as it is. Resolves with what was written, if anything.
   */
  update(
    id: string,
    change: (current: AgentRecord) => AgentRecord | undefined,
  ): Promise<AgentRecord | undefined>;
}

export interface SessionRepository {
  /** May lag another process's commits in a multi-process store; `lookup` does not. */
  byTokenHash(tokenHash: string): SessionRecord | undefined;
  /**
   * The session as committed, whichever process added it (a read of the database where the sync
   * reads come from a cache): for a token `byTokenHash` does not know yet. A store only one
   * process uses answers as `byTokenHash` does.
   */
  lookup?(tokenHash: string): Promise<SessionRecord | undefined>;
  byId(id: string): SessionRecord | undefined;
  ofAgent(agentId: string): SessionRecord[];
  /** Sessions whose expiry is at or before `now`. */
  expiredAt(now: number): SessionRecord[];
  add(session: SessionRecord): Promise<void>;
  remove(ids: readonly string[]): Promise<void>;
}

/** The embedded directory's users, by normalised username. */
export interface DirectoryUserRepository {
  find(username: string): DirectoryUser | undefined;
  /** Every user, in username order. */
  list(): readonly DirectoryUser[];
  readonly count: number;
  /** Adds the user, or replaces the one with the same username. */
  put(user: DirectoryUser): Promise<void>;
  /** Adds or replaces all of them as one durable write: all land, or none. */
  putMany(users: readonly DirectoryUser[]): Promise<void>;
  /** False when there is no such user. */
  remove(username: string): Promise<boolean>;
}

export interface RealmRepository {
  readonly config: RealmConfig;
  save(config: RealmConfig): Promise<void>;
}

export interface KeyRepository {
  /** HMAC key for passcode hashes (hex, 256 bits). */
  readonly otpKey: string;
  /** HMAC key for end-user cookies and CSRF tokens (hex, 256 bits). */
  readonly cookieKey: string;
  /** The assertion signing key; a store from before assertions creates one, once. */
  assertionKey(): Promise<AssertionKeyJwk>;
  /** A secret the realm's connections use (e.g. the LDAP bind password); never sent to a console. */
  secret(name: SecretName): string | undefined;
  /** Saves the secret, or forgets it (undefined). */
  setSecret(name: SecretName, value: string | undefined): Promise<void>;
}

/** The secrets kept with the keys. */
export const SECRET_NAMES = [
  'ldap-bind-password',
  'smtp-password',
  'audit-webhook-secret',
] as const;
export type SecretName = (typeof SECRET_NAMES)[number];

export interface PersistentTokenRepository {
  /** Persistent tokens of this user issued at or before this time (ms) are revoked. */
  notBefore(username: string): number | undefined;
  revokeUpTo(username: string, at: number): Promise<void>;
}

export const OutboxMessageSchema = z
  .object({
    id: z.string(),
    /** The RFC 5322 Message-ID, fixed when recorded, so a resend after a crash is the same message. */
    messageId: z.string(),
    kind: z.enum(MAIL_KINDS),
    to: z.array(z.string()).min(1),
    subject: z.string(),
    /** Emptied once sent or given up on: a body may hold a verification code. */
    text: z.string(),
    html: z.string(),
    /** The request it is about, if any (for the audit and admins). */
    requestId: z.string().optional(),
    createdAt: z.number(),
    state: z.enum(['pending', 'sent', 'failed']),
    attempts: z.number().int().min(0),
    /** When a pending message is next tried. */
    nextAttemptAt: z.number(),
    sentAt: z.number().nullable(),
    lastError: z.string().nullable(),
  })
  .strict();
/** A mail recorded before it is sent, and what became of it. */
export type OutboxMessage = z.infer<typeof OutboxMessageSchema>;

/** The durable outbox: a message is recorded before it is sent, and marked once the server took it. */
export interface OutboxRepository {
  /** Records a new message; resolves once durable. */
  enqueue(message: OutboxMessage): Promise<void>;
  get(id: string): OutboxMessage | undefined;
  /** Pending messages due at or before `now`, oldest first, at most `limit`. */
  due(now: number, limit: number): OutboxMessage[];
  /** When the next pending message is due, if any. */
  nextDueAt(): number | undefined;
  /** Reads, changes and writes one message atomically; resolves with what was written. */
  update(
    id: string,
    change: (current: OutboxMessage) => OutboxMessage | undefined,
  ): Promise<OutboxMessage | undefined>;
  /** The newest messages in these states, newest first. */
  recent(states: readonly OutboxMessage['state'][], limit: number): OutboxMessage[];
  counts(): { pending: number; failed: number; sent: number };
  /** Forgets sent and failed messages older than `before`; resolves with how many. */
  prune(before: number): Promise<number>;
}

export const MethodBlockSchema = z
  .object({
    username: z.string(),
    reason: z.enum(['not-me', 'suspicious-caller', 'admin']),
    detail: z.string(),
    at: z.number(),
    by: z.string(),
    /** When the block lapses by itself (a suspicious caller's block); absent: until cleared. */
    until: z.number().optional(),
  })
  .strict();
/** The help-desk method is blocked for this user until it lapses or an admin clears it. */
export type MethodBlock = z.infer<typeof MethodBlockSchema>;

export interface MethodBlockRepository {
  get(username: string): MethodBlock | undefined;
  list(): readonly MethodBlock[];
  /** Blocks the user (replacing an earlier block's details). */
  put(block: MethodBlock): Promise<void>;
  /** False when there was no block. */
  remove(username: string): Promise<boolean>;
}

/** Ids of single-use links (e.g. "This wasn't me") already used. */
export interface UsedLinkRepository {
  /**
   * Marks the link used; true the first time, false ever after (until `expiresAt`, after which the
   * link itself no longer verifies and the id may be forgotten). Atomic across callers.
   */
  use(id: string, expiresAt: number): Promise<boolean>;
}

/**
 * Times of recent events per key (`passcode:<user>`, `reveal:<agent id>`, `request:<user>`), for the
 * caps and the risk signals that count events in a window.
 */
export interface ActivityRepository {
  /** The key's recorded times at or after `since`, oldest first. */
  since(key: string, since: number): readonly number[];
  /**
   * Records an event at `at` when fewer than `limit` are recorded at or after `windowStart`, and
   * forgets the key's times before it: true when recorded. Atomic across callers (of N simultaneous
   * takes with room for K, exactly K are recorded). Resolves once durable.
   */
  take(key: string, at: number, windowStart: number, limit: number): Promise<boolean>;
}

export const SignInRecordSchema = z
  .object({
    at: z.number(),
    /** SHA-256 of the browser's device cookie ('' when the browser sent none). */
    deviceHash: z.string(),
    ip: z.string(),
    /** The address's network (IPv4 /24, IPv6 /48), for "a network the user signed in from before". */
    network: z.string(),
  })
  .strict();
/** A successful sign-in, as the risk signals remember it. */
export type SignInRecord = z.infer<typeof SignInRecordSchema>;

/** The last successful sign-ins of each user (the newest 20). */
export interface SignInHistoryRepository {
  /** Newest first. */
  of(username: string): readonly SignInRecord[];
  /** Adds one, forgetting the oldest beyond 20; resolves once durable. */
  add(username: string, record: SignInRecord): Promise<void>;
}

/**
 * Durable cursors of the audit export: per destination (`syslog`, `webhook`), the seq of the last
 * audit entry it confirmed, so a restart resumes after it.
 */
export interface ExportCursorRepository {
  /** The seq last set for `name`; undefined when none was. */
  get(name: string): number | undefined;
  /** Sets it (the last set wins); resolves once durable. */
  set(name: string, seq: number): Promise<void>;
}

export interface Repositories {
  readonly requests: RequestRepository;
  readonly audit: AuditLog;
  readonly history: HistoryRepository;
  readonly agents: AgentRepository;
  readonly sessions: SessionRepository;
  readonly directory: DirectoryUserRepository;
  readonly realm: RealmRepository;
  readonly keys: KeyRepository;
  readonly persistentTokens: PersistentTokenRepository;
  readonly outbox: OutboxRepository;
  readonly blocks: MethodBlockRepository;
  readonly usedLinks: UsedLinkRepository;
  readonly activity: ActivityRepository;
  readonly signIns: SignInHistoryRepository;
  readonly exportCursors: ExportCursorRepository;
}

export type StoreHealth = ServerHealth['storage'];

/** An open store: its repositories, and what only the composition root deals with. */
export interface Store extends Repositories {
  /** True when this start created the realm (first run). */
  readonly firstRun: boolean;
  health(): StoreHealth;
  /** Waits for every write, then releases the store. */
  close(): Promise<void>;
}
