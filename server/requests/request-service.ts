// Request use-cases: submit, agent actions, passcode entry, expiry; each persisted and audited before it returns.
import { createHash, randomInt } from 'node:crypto';
import type { HelpDeskId } from '../contract/realm-config';
import type { RequestView } from '../contract/request-view';
import { normaliseUsername } from '../contract/username';
import type { Directory, DirectoryProfile, DirectoryRefusal } from '../directory/directory';
import { DirectoryUnavailableError, directoryRefusal } from '../directory/directory';
import type { HelpRequest, OpenRequest } from '../domain/help-request';
import { isOpen } from '../domain/help-request';
import { MAILED_CODE } from '../domain/mailed-code';
import { newReferenceCode } from '../domain/reference-code';
import type { Actor, LifecycleCommand } from '../domain/request-lifecycle';
import { agentRefusal, applyCommand, deadlineOf } from '../domain/request-lifecycle';
import type { EndUserRequestStatus } from '../contract/enduser';
import { ServiceError } from '../errors';
import type { Logger } from '../logger';
import { silentLogger } from '../logger';
import type { AdminNotices } from '../agents/admin-notices';
import type { AdminAlert } from '../contract/mail';
import { assessRisk } from '../domain/risk';
import type { CodeChannel } from './code-channel';
import { maskValue } from './mask';
import { METHOD_BLOCKED_MESSAGE, inForce } from './method-blocks';
import { networkOf, riskSignalsOf } from './risk-signals';
import { toEndUserStatus, toRequestView } from './request-view';
import {
  generateOtp,
  generateVerificationCode,
  hashOtp,
  hashVerificationCode,
  otpMatches,
  verificationCodeMatches,
} from '../security/otp';
import { newId } from '../security/tokens';
import type { AuditRecordInput, HistoryRepository, Repositories } from '../store/repositories';

/**
 * A request was created or changed; `action` names the change as the audit does
 * (`request.otp-revealed`, `request.completed`, …), absent when only its view changed (a contest).
 */
export type RequestChange = {
  kind: 'created' | 'updated';
  request: HelpRequest;
  action?: string;
};
export type RequestListener = (change: RequestChange) => void;

/** An agent acting: who they are, their role and the desks they staff. */
export interface AgentActor extends Actor {
  desks: readonly HelpDeskId[];
}

export interface SubmitInput {
  username: string;
  desk: HelpDeskId;
  /** The browser session's secret; only its digest is kept on the request. */
  sessionSecret: string;
  /** The browser's long-lived device cookie, if it sent one; only its digest is kept. */
  deviceSecret?: string;
  origin: { ip: string; userAgent: string };
}

/** What the code the caller read back came to. */
export type CodeCheckResult = 'verified' | 'wrong' | 'void';

/** The help-desk method is blocked for this user (they said "This wasn't me", or an admin did). */
export class MethodBlockedError extends ServiceError {
  constructor() {
    super('forbidden', METHOD_BLOCKED_MESSAGE, undefined, { audited: true });
    this.name = 'MethodBlockedError';
  }
}

export type OtpOutcome =
  | { result: 'completed'; request: HelpRequest }
  | { result: 'wrong'; attemptsLeft: number; request: HelpRequest }
  | { result: 'expired' | 'locked'; request: HelpRequest }
  /** The user is no longer an enabled directory user: the request was ended, the code not accepted. */
  | { result: 'refused'; reason: DirectoryRefusal; request: HelpRequest };

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
/** Activity keys: the caps and the recent-requests signal count these. */
const activityKey = {
  requests: (username: string) => `request:${username}`,
  passcodes: (username: string) => `passcode:${username}`,
  reveals: (agentId: string) => `reveal:${agentId}`,
};
const RECENTLY_CLOSED_KEPT = 5_000;

/** Audit details of a change: fixed, or computed from the request after and before it. */
type Details =
  Record<string, unknown> | ((after: HelpRequest, before: OpenRequest) => Record<string, unknown>);

function digestSession(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/**
 * What the request service keeps and reads: requests with their audit entries, the realm, the
 * passcode key, and the users for whom the method is blocked.
 */
export type RequestRepositories = Pick<
  Repositories,
  'requests' | 'audit' | 'realm' | 'keys' | 'blocks' | 'activity' | 'signIns'
>;

export interface RequestServiceOptions {
  /** How a verification code reaches the contact on file (mail); without it none is sent. */
  codeChannel?: CodeChannel;
  /** Where admins' alerts go (a cap reached, a suspicious caller, a refused approval). */
  notices?: AdminNotices;
  logger?: Logger;
  /**
   * Closed requests, for `recall`: with a store several server processes share, a request may
   * have been closed by another process, which this one's `recentlyClosed` never saw.
   */
  history?: HistoryRepository;
  /**
   * How long `recall` waits for a request no store read knows yet (made by another process a
   * moment ago; the shared store's cache lags its commits by a few ms). 0: it does not wait.
   */
  recallWaitMs?: number;
}

/** How often `recall` looks again while it waits. */
const RECALL_POLL_MS = 10;

export class RequestService {
  private readonly listeners = new Set<RequestListener>();
  /** Closed requests stay readable here for a while so the end-user's page can show how it ended. */
  private readonly recentlyClosed = new Map<string, HelpRequest>();
  private readonly otpKey: Buffer;
  private readonly codeChannel: CodeChannel | undefined;
  private readonly notices: AdminNotices | undefined;
  private readonly logger: Logger;
  private readonly history: HistoryRepository | undefined;
  private readonly recallWaitMs: number;

  constructor(
    private readonly repos: RequestRepositories,
    private readonly directory: Directory,
    private readonly now: () => number,
    options: RequestServiceOptions = {},
  ) {
    this.otpKey = Buffer.from(repos.keys.otpKey, 'hex');
    this.codeChannel = options.codeChannel;
    this.notices = options.notices;
    this.logger = options.logger ?? silentLogger();
    this.history = options.history;
    this.recallWaitMs = options.recallWaitMs ?? 0;
  }

  onChange(listener: RequestListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  openRequests(): readonly OpenRequest[] {
    return this.repos.requests.all;
  }

  find(id: string): HelpRequest | undefined {
    return this.repos.requests.get(id) ?? this.recentlyClosed.get(id);
  }

  /**
   * The request as `find` reads it, or when this process does not know it — closed by another
   * server process, or made there a moment ago — as the store has it. A closed one found is kept
   * with the recently closed, so the synchronous readers after this (pages, the end-user socket)
   * see it too. `wait` (up to `recallWaitMs` for a request made elsewhere a moment ago) only for
   * ids the server itself issued (a signed cookie's), never for a client's guess.
   */
  async recall(id: string, { wait }: { wait: boolean }): Promise<HelpRequest | undefined> {
    const known = this.find(id);
    if (known || !this.history) return known;
    const fromHistory = async () => {
      const closed = await this.history?.get(id);
      if (!closed) return undefined;
      // It may have closed here meanwhile: what this process holds is at least as new.
      const local = this.find(id);
      if (local) return local;
      this.rememberClosed(closed);
      return closed;
    };
    const closed = await fromHistory();
    if (closed || !wait) return closed ?? this.find(id);
    // Not closed, not known here: made elsewhere a moment ago, on its way to this cache.
    const deadline = Date.now() + this.recallWaitMs;
    while (Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, RECALL_POLL_MS));
      const arrived = this.find(id);
      if (arrived) return arrived;
    }
    return (await fromHistory()) ?? this.find(id);
  }

  /**
   * The user's other open requests, oldest first: while there is one, two browsers have asked for
   * this user and the request is contested. Computed from the open set, so it ends by itself.
   */
  contestedWith(request: HelpRequest): OpenRequest[] {
    if (!isOpen(request)) return [];
    return this.repos.requests
      .ofUser(request.username)
      .filter((other) => other.id !== request.id)
      .sort((a, b) => a.createdAt - b.createdAt);
  }

  /** What agents see of a request, with whether (and with which requests) it is contested. */
  view(request: HelpRequest): RequestView {
    return toRequestView(
      request,
      this.contestedWith(request).map((other) => other.reference),
      this.repos.realm.config.riskPolicy,
    );
  }

  /** The request bound to this browser session, or nothing (never someone else's). */
  findForSession(id: string, sessionSecret: string): HelpRequest | undefined {
    const request = this.find(id);
    return request && request.sessionHash === digestSession(sessionSecret) ? request : undefined;
  }

  recentFailures(username: string): number {
    const since = this.now() - DAY;
    return this.repos.requests.failuresOf(username).filter((t) => t > since).length;
  }

  /**
   * How many wrong passcodes this request may still take: the realm's limit, lowered for a user who
   * keeps guessing across fresh requests (twice the limit in 24 hours locks them out too).
   */
  private effectiveMaxAttempts(request: HelpRequest): number {
    const { maxAttempts } = this.repos.realm.config.otpPolicy;
    const userBudget = maxAttempts * 2 - this.recentFailures(request.username);
    return Math.min(maxAttempts, request.failedAttempts + Math.max(userBudget, 1));
  }

  /**
   * The end-user's view of their request, with the attempts they really have left; past its
   * deadline it reads as expired. The pages and the end-user socket both show this.
   */
  endUserStatus(request: HelpRequest): EndUserRequestStatus {
    const attemptsLeft =
      request.state === 'otp-issued'
        ? Math.max(0, this.effectiveMaxAttempts(request) - request.failedAttempts)
        : null;
    return toEndUserStatus(request, this.repos.realm.config, attemptsLeft, this.now());
  }

  /**
   * A new request for the user. A newer request from the same browser supersedes the older one; one
   * from another browser leaves the first open and both become contested, with at most two open per
   * user (a third browser's request supersedes the newest other one, never the oldest).
   */
  submit(input: SubmitInput): Promise<HelpRequest> {
    const username = normaliseUsername(input.username);
    // Whatever is awaited inside (the directory, the cancellations), one user's submissions never
    // interleave, whichever process of the store takes them.
    return this.repos.requests.exclusive(username, () => this.submitFor(username, input));
  }

  /** Whether the help-desk method is blocked for this user (until it lapses or an admin clears it). */
  methodBlocked(username: string): boolean {
    const block = this.repos.blocks.get(normaliseUsername(username));
    return block !== undefined && inForce(block, this.now());
  }

  private async submitFor(username: string, input: SubmitInput): Promise<HelpRequest> {
    if (this.methodBlocked(username)) {
      await this.repos.audit.record({
        actor: `user:${username}`,
        action: 'request.refused',
        details: { reason: 'method-blocked', desk: input.desk, ip: input.origin.ip },
      });
      throw new MethodBlockedError();
    }
    const config = this.repos.realm.config;
    const desk = config.helpDesks[input.desk];
    if (!desk.enabled) throw new ServiceError('invalid-state', `${desk.name} is not available.`);
    const profile = await this.directory.findUser(username);

    const sessionHash = digestSession(input.sessionSecret);
    const open = this.repos.requests.ofUser(username).sort((a, b) => a.createdAt - b.createdAt);
    const sameBrowser = open.filter((r) => r.sessionHash === sessionHash);
    const [partner, ...newerOthers] = open.filter((r) => r.sessionHash !== sessionHash);
    const superseded = [
      ...sameBrowser.map((r) => ({ request: r, reason: 'Superseded by a newer request.' })),
      ...newerOthers.map((r) => ({
        request: r,
        reason: 'Superseded by a newer request from another browser.',
      })),
    ];
    for (const { request: old, reason } of superseded) {
      await this.transition(old.id, { type: 'cancel', reason }, 'system', 'request.superseded', {
        sameBrowser: old.sessionHash === sessionHash,
      });
    }

    let reference = newReferenceCode(randomInt);
    while (this.repos.requests.hasReference(reference)) reference = newReferenceCode(randomInt);

    const now = this.now();
    const deviceHash = input.deviceSecret ? digestSession(input.deviceSecret) : undefined;
    const riskSignals = riskSignalsOf(
      {
        desk: input.desk,
        profile,
        deviceHash,
        ip: input.origin.ip,
        signIns: this.repos.signIns.of(username),
        recentRequests: this.repos.activity.since(activityKey.requests(username), now - DAY).length,
        recentWrongPasscodes: this.recentFailures(username),
        contestedWith: partner?.reference,
        now,
      },
      config,
    );
    const risk = assessRisk(riskSignals, config.riskPolicy);
    const request: HelpRequest = {
      id: newId(),
      reference,
      desk: input.desk,
      username,
      displayName: profile?.displayName ?? '',
      inDirectory: profile?.enabled === true,
      sessionHash,
      createdAt: now,
      updatedAt: now,
      expiresAt: now + config.requestTtlMinutes * 60_000,
      verification: [],
      failedAttempts: 0,
      origin: input.origin,
      riskSignals,
      ...(deviceHash ? { deviceHash } : {}),
      state: 'queued',
    };
    const submitted: AuditRecordInput = {
      actor: `user:${username}`,
      action: 'request.submitted',
      requestId: request.id,
      details: {
        desk: input.desk,
        reference,
        inDirectory: request.inDirectory,
        ip: input.origin.ip,
        ...(partner ? { contestedWith: partner.reference } : {}),
        risk: { level: risk.level, score: risk.score, signals: riskSignals.map((r) => r.id) },
      },
    };
    // Two browsers asked for this user: neither gets a passcode until an agent ends one of them.
    const contested: AuditRecordInput[] = partner
      ? [
          {
            actor: `user:${username}`,
            action: 'request.contested',
            requestId: request.id,
            details: { with: partner.reference, ip: input.origin.ip },
          },
        ]
      : [];
    await Promise.all([
      this.repos.requests.commit(request, [submitted, ...contested]),
      // Counted for the user's next requests (recent-requests), never refused: no limit here.
      this.repos.activity.take(activityKey.requests(username), now, now - DAY, Infinity),
    ]);
    this.emit({ kind: 'created', request, action: 'request.submitted' });
    // The first browser's request was contested too, from now on: its risk says so.
    if (partner && !partner.riskSignals.some((signal) => signal.id === 'contested'))
      await this.transition(
        partner.id,
        {
          type: 'flag-risk',
          signal: {
            id: 'contested',
            detail: `Another browser asked for this user at the same time (${reference}).`,
          },
        },
        'system',
        'request.risk-flagged',
        { signal: 'contested', with: reference },
      ).catch((error: unknown) => {
        // Closed meanwhile: nothing to flag.
        if (!(error instanceof ServiceError)) throw error;
      });
    return request;
  }

  claim(id: string, actor: AgentActor) {
    return this.agentCommand(id, actor, { type: 'claim', actor }, 'request.claimed');
  }

  release(id: string, actor: AgentActor) {
    return this.agentCommand(id, actor, { type: 'release', actor }, 'request.released');
  }

  takeOver(id: string, actor: AgentActor) {
    return this.agentCommand(
      id,
      actor,
      { type: 'take-over', actor },
      'request.taken-over',
      (_after, before) => ({
        from: 'claimedBy' in before ? before.claimedBy?.username : undefined,
      }),
    );
  }

  verify(id: string, actor: AgentActor, checkId: string, note: string) {
    const policy = this.repos.realm.config.verificationPolicy;
    return this.agentCommand(
      id,
      actor,
      { type: 'verify', actor, checkId, note, policy },
      'request.check-recorded',
      {
        checkId,
        note,
      },
    );
  }

  unverify(id: string, actor: AgentActor, checkId: string) {
    const policy = this.repos.realm.config.verificationPolicy;
    return this.agentCommand(
      id,
      actor,
      { type: 'unverify', actor, checkId, policy },
      'request.check-removed',
      {
        checkId,
      },
    );
  }

  deny(id: string, actor: AgentActor, reason: string) {
    return this.agentCommand(id, actor, { type: 'deny', actor, reason }, 'request.denied', {
      reason,
    });
  }

  /** The holder asks a second person to approve the reveal; the desk's agents and admins hear it. */
  askApproval(id: string, actor: AgentActor, note: string) {
    const { verificationPolicy: policy, riskPolicy } = this.repos.realm.config;
    return this.agentCommand(
      id,
      actor,
      { type: 'ask-approval', actor, note, policy, riskPolicy },
      'request.approval-requested',
      { note },
    );
  }

  /** Another agent of the desk, or an admin, approves the reveal (never the holder or the user). */
  approve(id: string, actor: AgentActor, note: string) {
    return this.agentCommand(
      id,
      actor,
      { type: 'approve', actor, note },
      'request.approved',
      (after) => ({ note, holder: 'claimedBy' in after ? after.claimedBy?.username : undefined }),
      { admins: true },
    );
  }

  /** …or refuses it: the request ends, denied, and admins are alerted. */
  async refuseApproval(id: string, actor: AgentActor, note: string): Promise<HelpRequest> {
    const after = await this.agentCommand(
      id,
      actor,
      { type: 'refuse-approval', actor, note },
      'request.approval-refused',
      (r) => ({ note, holder: 'claimedBy' in r ? r.claimedBy?.username : undefined }),
      { admins: true },
    );
    this.alert({
      kind: 'approval-refused',
      username: after.username,
      reference: after.reference,
      message: `${actor.ref.username} refused to approve the reveal for ${after.username} (request ${after.reference}): ${note}`,
    });
    return after;
  }

  /** Requests waiting for a second approver that this agent may decide on: their desks (admins: all). */
  awaitingApproval(actor: AgentActor): OpenRequest[] {
    return this.openRequests().filter(
      (r) =>
        r.approval?.state === 'requested' &&
        (actor.isAdmin || actor.desks.includes(r.desk)) &&
        !('claimedBy' in r && r.claimedBy.id === actor.ref.id),
    );
  }

  /**
   * The holder ends the request as a suspicious caller. Held against the user's submissions: the
   * request ends with the evidence in the audit log (the agent's description, the origin, the checks
   * and notes, the risk), the help-desk method is blocked for the realm's time, and the user's other
   * open requests end, so no new request slips in between. Then admins are alerted.
   */
  async reportSuspicious(id: string, actor: AgentActor, description: string): Promise<HelpRequest> {
    const request = this.find(id);
    if (!request) throw new ServiceError('not-found', 'No such request.');
    const username = request.username;
    const {
      request: ended,
      until,
      others,
    } = await this.repos.requests.exclusive(username, async () => {
      const closed = await this.agentCommand(
        id,
        actor,
        { type: 'suspicious', actor, description },
        'request.suspicious-caller',
        (_after, before) => this.evidence(before, description),
      );
      const blockedUntil =
        this.now() + this.repos.realm.config.riskPolicy.suspiciousBlockHours * HOUR;
      await Promise.all([
        this.repos.blocks.put({
          username,
          reason: 'suspicious-caller',
          detail: `${actor.ref.username} reported a suspicious caller on request ${closed.reference}: ${description}`,
          at: this.now(),
          by: `agent:${actor.ref.username}`,
          until: blockedUntil,
        }),
        this.repos.audit.record({
          actor: `agent:${actor.ref.username}`,
          action: 'block.added',
          requestId: id,
          details: { username, reason: 'suspicious-caller', until: blockedUntil },
        }),
      ]);
      const ended = await this.endOpenRequests(
        username,
        'A help-desk agent reported a suspicious caller for this account.',
        `agent:${actor.ref.username}`,
        'request.ended-suspicious-caller',
        { reporter: actor.ref.username, reference: closed.reference },
      );
      return { request: closed, until: blockedUntil, others: ended };
    });
    this.alert({
      kind: 'suspicious-caller',
      username,
      reference: ended.reference,
      message: `${actor.ref.username} reported a suspicious caller for ${username} (request ${ended.reference}): ${/[.!?]$/.test(description) ? description : `${description}.`} Help-desk sign-in is blocked for the account until ${new Date(until).toISOString().slice(0, 16).replace('T', ' ')} UTC${others > 0 ? `; ${others} other open request(s) were ended` : ''}.`,
    });
    return ended;
  }

  /** What a suspicious-caller report keeps in the audit log about the request as it was. */
  private evidence(request: OpenRequest, description: string): Record<string, unknown> {
    const risk = assessRisk(request.riskSignals, this.repos.realm.config.riskPolicy);
    return {
      description,
      reference: request.reference,
      desk: request.desk,
      username: request.username,
      origin: request.origin,
      submittedAt: request.createdAt,
      checks: request.verification.map((r) => ({
        checkId: r.checkId,
        note: r.note,
        by: r.by.username,
        method: r.method,
      })),
      risk: { level: risk.level, score: risk.score, signals: request.riskSignals },
      ...(request.approval ? { approval: request.approval } : {}),
    };
  }

  /**
   * The holder's console shows the revealed passcode again (it hid itself): recorded, so every time
   * a passcode is on an agent's screen is in the audit log, not only every time one is issued.
   */
  async passcodeShown(id: string, actor: AgentActor): Promise<{ shownAt: number }> {
    const request = this.heldBy(this.find(id), actor);
    if (!request || request.state !== 'otp-issued')
      throw new ServiceError('invalid-state', 'No passcode of yours is out on this request.');
    const shownAt = this.now();
    await this.repos.audit.record({
      actor: `agent:${actor.ref.username}`,
      action: 'request.passcode-shown',
      requestId: id,
      details: { revealCount: request.otp.revealCount },
    });
    return { shownAt };
  }

  private alert(alert: Omit<AdminAlert, 'id' | 'at'>): void {
    this.notices?.alert({ ...alert, id: newId(), at: this.now() });
  }

  /**
   * Mails a new code for a mailed-code check to the user's address in the directory, read now (never
   * one the caller gives). The code leaves only in the mail: the request keeps its keyed hash, the
   * audit the masked address. Committed first, then queued; a new send voids the previous code.
   */
  async sendCode(id: string, actor: AgentActor, checkId: string): Promise<HelpRequest> {
    const request = this.find(id);
    if (!request) throw new ServiceError('not-found', 'No such request.');
    if (!actor.desks.includes(request.desk))
      throw new ServiceError(
        'forbidden',
        `This request is for Help Desk ${request.desk}, which you do not staff.`,
      );
    // Only the holder gets as far as the directory and the mail settings.
    const refused = agentRefusal(request, actor, { type: 'send-code' });
    if (refused) throw new ServiceError(refused.code, refused.message);
    const channel = this.codeChannel;
    const config = this.repos.realm.config;
    const off = channel
      ? channel.unavailable(config)
      : 'No way to send a verification code is set up on this server.';
    if (!channel || off) throw new ServiceError('invalid-state', off ?? '');
    const profile = await this.directory.findUser(request.username);
    if (!profile || directoryRefusal(profile))
      throw new ServiceError(
        'forbidden',
        `${request.username} is not an active directory user; deny the request.`,
      );
    const sentTo = channel.contactOf(profile);
    if (sentTo === '')
      throw new ServiceError(
        'invalid-state',
        `${request.username} has no ${channel.contact} in the directory, so no code can be sent. Verify the caller another way.`,
      );

    const code = generateVerificationCode(MAILED_CODE.digits);
    const after = await this.agentCommand(
      id,
      actor,
      {
        type: 'send-code',
        actor,
        checkId,
        codeHash: hashVerificationCode(this.otpKey, id, code),
        sentTo,
        expiresAt: this.now() + MAILED_CODE.ttlMs,
        policy: config.verificationPolicy,
      },
      'request.code-sent',
      (r) => ({
        checkId,
        sentTo: maskValue('email', sentTo),
        sends: isOpen(r) ? r.mailedCode?.sends : undefined,
      }),
    );
    try {
      await channel.deliver({ to: sentTo, code, request: after, realm: config });
    } catch (error) {
      // Never the code: only what went wrong handing it over.
      this.logger.error(`could not send the verification code of request ${id}`, error);
      throw new ServiceError(
        'unavailable',
        error instanceof ServiceError
          ? `The code could not be sent by ${channel.name}: ${error.message}`
          : `The code could not be sent by ${channel.name}; try Send code again.`,
      );
    }
    return after;
  }

  /**
   * Checks the code the caller read back against the one outstanding, as committed when the change
   * is made (so of simultaneous right answers one verifies). Three wrong codes void it.
   */
  async checkCode(
    id: string,
    actor: AgentActor,
    code: string,
  ): Promise<{ result: CodeCheckResult; request: HelpRequest }> {
    const policy = this.repos.realm.config.verificationPolicy;
    const judged = { valid: false };
    const resultOf = (after: HelpRequest): CodeCheckResult =>
      judged.valid
        ? 'verified'
        : isOpen(after) && (after.mailedCode?.wrong ?? 0) >= MAILED_CODE.maxWrong
          ? 'void'
          : 'wrong';
    const request = await this.agentCommand(
      id,
      actor,
      (current) => {
        judged.valid =
          current.mailedCode !== undefined &&
          verificationCodeMatches(this.otpKey, id, current.mailedCode.hash, code);
        return { type: 'check-code', actor, valid: judged.valid, policy };
      },
      'request.code-checked',
      (after, before) => ({ checkId: before.mailedCode?.checkId, result: resultOf(after) }),
    );
    return { result: resultOf(request), request };
  }

  /**
   * Issues a new passcode; returns it once, for the agent to read out. Only its hash is kept.
   * Refused while the request is contested, and when the directory, read now, no longer has the
   * user enabled (both refusals audited).
   */
  async reveal(id: string, actor: AgentActor): Promise<{ otp: string; request: HelpRequest }> {
    // Only the holder's reveal is checked further; anyone else hears the lifecycle's own refusal.
    const current = this.heldBy(this.find(id), actor);
    if (current?.inDirectory) await this.refuseRevealIfNotInDirectory(current, actor);
    // Whether the request is contested is a rule over the user's open requests: it is checked
    // holding the user against submissions (whichever process takes them), so a request that
    // arrives meanwhile either counts here or arrives contested with the one revealed.
    return current
      ? this.repos.requests.exclusive(current.username, () => this.revealIfSole(id, actor))
      : this.revealIfSole(id, actor);
  }

  private async revealIfSole(
    id: string,
    actor: AgentActor,
  ): Promise<{ otp: string; request: HelpRequest }> {
    // Read again with no await between it and the transition, so a request that arrived meanwhile counts.
    const latest = this.heldBy(this.find(id), actor);
    const others = latest ? this.contestedWith(latest) : [];
    if (latest && others.length > 0) await this.refuseContestedReveal(latest, others, actor);
    const { otpPolicy, verificationPolicy: policy, riskPolicy } = this.repos.realm.config;
    // The caps count only reveals the rule would allow: anything else is refused as before.
    const allowed =
      latest && !agentRefusal(latest, actor, { type: 'reveal', policy, riskPolicy })
        ? latest
        : undefined;
    if (allowed) await this.takeRevealCaps(allowed, actor);
    const otp = generateOtp(otpPolicy.length);
    const otpHash = hashOtp(this.otpKey, id, otp);
    const now = this.now();
    const otpExpiresAt = now + otpPolicy.ttlMinutes * 60_000;
    const [request] = await Promise.all([
      this.agentCommand(
        id,
        actor,
        { type: 'reveal', actor, otpHash, otpExpiresAt, policy, riskPolicy },
        'request.otp-revealed',
        (r) => ({
          revealCount: r.state === 'otp-issued' ? r.otp.revealCount : 0,
          otpExpiresAt,
          ...(r.approval?.approvedBy ? { approvedBy: r.approval.approvedBy.username } : {}),
        }),
      ).catch((error: unknown) => this.auditRevealRefusal(id, actor, error)),
      // Counted beside the commit, not after it (one write less on the agent's wait). Held for the
      // user, only a change of the request racing this one can refuse it after the rule above let
      // it through; then the user's day counts one passcode more than issued, never fewer.
      allowed
        ? this.repos.activity.take(
            activityKey.passcodes(allowed.username),
            now,
            now - DAY,
            Infinity,
          )
        : undefined,
    ]);
    return { otp, request };
  }

  /** A reveal the rule refused (not yet recorded elsewhere) is recorded with why, then refused. */
  private async auditRevealRefusal(id: string, actor: AgentActor, error: unknown): Promise<never> {
    // `forbidden` is recorded as authz.denied where it is answered; an unknown id has no request.
    if (
      error instanceof ServiceError &&
      !error.audited &&
      !['forbidden', 'not-found'].includes(error.code)
    ) {
      await this.repos.audit.record({
        actor: `agent:${actor.ref.username}`,
        action: 'request.reveal-refused',
        requestId: id,
        details: { reason: error.code },
      });
      throw new ServiceError(error.code, error.message, error.fields, { audited: true });
    }
    throw error;
  }

  /**
   * The realm's caps on passcodes: per user in any 24 hours (checked holding the user, so exact) and
   * per agent in any hour (taken atomically, so of simultaneous reveals only the cap's worth pass).
   * Crossing one refuses the reveal, audited, and alerts admins.
   */
  private async takeRevealCaps(request: OpenRequest, actor: AgentActor): Promise<void> {
    const { caps } = this.repos.realm.config.riskPolicy;
    const now = this.now();
    const issued = this.repos.activity.since(activityKey.passcodes(request.username), now - DAY);
    if (issued.length >= caps.passcodesPerUserPerDay)
      await this.refuseOverCap(request, actor, 'user-cap', issued.length, {
        message: `${request.username} has had ${issued.length} passcode(s) in the last 24 hours, this realm's limit. Deny the request; an admin has been alerted.`,
        alert: `${request.username} reached the limit of ${caps.passcodesPerUserPerDay} passcode(s) a day (request ${request.reference}, agent ${actor.ref.username}); the reveal was refused.`,
      });
    const taken = await this.repos.activity.take(
      activityKey.reveals(actor.ref.id),
      now,
      now - HOUR,
      caps.revealsPerAgentPerHour,
    );
    if (!taken)
      await this.refuseOverCap(request, actor, 'agent-cap', caps.revealsPerAgentPerHour, {
        message: `You have revealed ${caps.revealsPerAgentPerHour} passcode(s) in the last hour, this realm's limit for one agent. Hand the call to a colleague; an admin has been alerted.`,
        alert: `${actor.ref.username} reached the limit of ${caps.revealsPerAgentPerHour} reveal(s) an hour (request ${request.reference} for ${request.username}); the reveal was refused.`,
      });
  }

  private async refuseOverCap(
    request: OpenRequest,
    actor: AgentActor,
    reason: 'user-cap' | 'agent-cap',
    count: number,
    words: { message: string; alert: string },
  ): Promise<never> {
    await this.repos.audit.record({
      actor: `agent:${actor.ref.username}`,
      action: 'request.reveal-refused',
      requestId: request.id,
      details: { reason, count },
    });
    this.alert({
      kind: 'cap-reached',
      username: request.username,
      reference: request.reference,
      message: words.alert,
    });
    throw new ServiceError('rate-limited', words.message, undefined, { audited: true });
  }

  /** The request when it is open and this agent holds it on a desk they staff. */
  private heldBy(request: HelpRequest | undefined, actor: AgentActor): OpenRequest | undefined {
    if (!request || !isOpen(request) || request.state === 'queued') return undefined;
    if (request.claimedBy.id !== actor.ref.id || !actor.desks.includes(request.desk))
      return undefined;
    return request;
  }

  private async refuseContestedReveal(
    request: OpenRequest,
    others: readonly OpenRequest[],
    actor: AgentActor,
  ): Promise<never> {
    await this.repos.audit.record({
      actor: `agent:${actor.ref.username}`,
      action: 'request.reveal-refused',
      requestId: request.id,
      details: { reason: 'contested', with: others.map((r) => r.reference) },
    });
    throw new ServiceError(
      'contested',
      `Two browsers asked for ${request.username}. Ask the caller for their reference, then deny the other request before revealing.`,
    );
  }

  private async refuseRevealIfNotInDirectory(
    request: OpenRequest,
    actor: AgentActor,
  ): Promise<void> {
    let profile: DirectoryProfile | undefined;
    try {
      profile = await this.directory.findUser(request.username);
    } catch (error) {
      if (!(error instanceof DirectoryUnavailableError)) throw error;
      // Fail closed: no passcode on a directory that cannot say the user is still enabled.
      await this.repos.audit.record({
        actor: `agent:${actor.ref.username}`,
        action: 'request.reveal-refused',
        requestId: request.id,
        details: { reason: 'directory-unavailable' },
      });
      throw new ServiceError(
        'unavailable',
        'The directory is unavailable, so no passcode can be revealed now. Try again when it answers.',
        undefined,
        { audited: true },
      );
    }
    const reason = directoryRefusal(profile);
    if (!reason) return;
    await this.repos.audit.record({
      actor: `agent:${actor.ref.username}`,
      action: 'request.reveal-refused',
      requestId: request.id,
      details: { reason },
    });
    throw new ServiceError(
      'forbidden',
      reason === 'directory-disabled'
        ? `${request.username} is disabled in the directory; deny the request.`
        : `${request.username} is no longer in the directory; deny the request.`,
      undefined,
      { audited: true },
    );
  }

  /**
   * Ends every open request of a user the directory no longer has as it was (deleted by an admin):
   * held against their submissions, so none slips in between. Resolves with how many were ended.
   */
  endRequestsOf(
    username: string,
    reason: string,
    actor: string,
    action = 'request.ended-by-directory',
  ): Promise<number> {
    const user = normaliseUsername(username);
    return this.repos.requests.exclusive(user, () =>
      this.endOpenRequests(user, reason, actor, action, { reason }),
    );
  }

  /** Ends the user's open requests (the caller holds the user); resolves with how many ended. */
  private async endOpenRequests(
    username: string,
    reason: string,
    actor: string,
    action: string,
    details: Record<string, unknown>,
  ): Promise<number> {
    let ended = 0;
    for (const request of this.repos.requests.ofUser(username)) {
      try {
        await this.transition(
          request.id,
          { type: 'deny-by-system', reason },
          actor,
          action,
          details,
        );
        ended += 1;
      } catch (error) {
        // Closed meanwhile (expired, completed): nothing left to end.
        if (!(error instanceof ServiceError)) throw error;
      }
    }
    return ended;
  }

  async cancelByUser(id: string, sessionSecret: string): Promise<HelpRequest> {
    const request = this.findForSession(id, sessionSecret);
    if (!request) throw new ServiceError('not-found', 'No such request for this browser.');
    return this.transition(
      id,
      { type: 'cancel', reason: 'Cancelled by the user.' },
      `user:${request.username}`,
      'request.cancelled',
    );
  }

  async submitOtp(id: string, sessionSecret: string, typed: string): Promise<OtpOutcome> {
    const request = this.findForSession(id, sessionSecret);
    if (!request) throw new ServiceError('not-found', 'No such request for this browser.');
    if (!isOpen(request)) {
      const state = request.state;
      if (state === 'expired' || state === 'locked') return { result: state, request };
      throw new ServiceError('invalid-state', `The request is already ${state}.`);
    }
    const actor = `user:${request.username}`;
    if (request.state === 'otp-issued') {
      // The directory is read now, not trusted from submission: a user disabled or removed since then
      // does not get in with a passcode, and the request ends (the code, right or wrong, is not counted).
      const reason = directoryRefusal(await this.directory.findUser(request.username));
      if (reason) {
        const ended = await this.transition(
          id,
          {
            type: 'deny-by-system',
            reason:
              reason === 'directory-disabled'
                ? 'The account is disabled in the directory.'
                : 'The account is no longer in the directory.',
          },
          'system',
          'signin.refused',
          { reason, step: 'code' },
        );
        return { result: 'refused', reason, request: ended };
      }
    }
    // Judged against the request as committed when the change is made, not as read here.
    const judged = { valid: false, maxAttempts: 0 };
    const after = await this.transition(
      id,
      (current) => {
        judged.valid =
          current.state === 'otp-issued' && otpMatches(this.otpKey, id, current.otp.hash, typed);
        judged.maxAttempts = this.effectiveMaxAttempts(current);
        return { type: 'submit-otp', valid: judged.valid, maxAttempts: judged.maxAttempts };
      },
      actor,
      (r) =>
        r.state === 'completed'
          ? 'request.completed'
          : r.state === 'expired'
            ? 'request.expired'
            : r.state === 'locked'
              ? 'request.locked'
              : 'otp.wrong',
    );
    if (after.state === 'completed') {
      // This browser and network are the user's from now on (the risk signals remember them).
      await this.repos.signIns.add(after.username, {
        at: after.closedAt,
        deviceHash: after.deviceHash ?? '',
        ip: after.origin.ip,
        network: networkOf(after.origin.ip),
      });
      return { result: 'completed', request: after };
    }
    if (after.state === 'expired' || after.state === 'locked') {
      if (!judged.valid && after.state === 'locked') await this.noteFailure(request.username);
      return { result: after.state, request: after };
    }
    await this.noteFailure(request.username);
    return {
      result: 'wrong',
      attemptsLeft: judged.maxAttempts - after.failedAttempts,
      request: after,
    };
  }

  /** Expires every open request whose deadline has passed; returns how many. */
  async expireDue(): Promise<number> {
    const now = this.now();
    const due = this.openRequests().filter((r) => deadlineOf(r) <= now);
    await Promise.all(
      due.map((r) =>
        this.transition(r.id, { type: 'expire' }, 'system', 'request.expired').catch(
          () => undefined,
        ),
      ),
    );
    return due.length;
  }

  private async noteFailure(username: string): Promise<void> {
    const since = this.now() - DAY;
    const recent = this.repos.requests.failuresOf(username).filter((t) => t > since);
    await this.repos.requests.setFailures(username, [...recent, this.now()]);
  }

  private agentCommand(
    id: string,
    actor: AgentActor,
    command: LifecycleCommand | ((current: OpenRequest) => LifecycleCommand),
    action: string,
    details?: Details,
    /** Admins may act on any desk's request (a second approver). */
    options: { admins?: boolean } = {},
  ): Promise<HelpRequest> {
    const request = this.find(id);
    if (!request) throw new ServiceError('not-found', 'No such request.');
    if (!actor.desks.includes(request.desk) && !(options.admins && actor.isAdmin))
      throw new ServiceError(
        'forbidden',
        `This request is for Help Desk ${request.desk}, which you do not staff.`,
      );
    return this.transition(id, command, `agent:${actor.ref.username}`, action, details);
  }

  /**
   * Applies the command to the request as committed, inside the repository's atomic change, so
   * concurrent commands (in this process or another) see each other's result; answers once the
   * change and its audit entry are durable. A request past its deadline is expired instead and the
   * command refused, unless the command judges a lapsed request itself. `command` may be computed
   * from the current request.
   */
  private async transition(
    id: string,
    command: LifecycleCommand | ((current: OpenRequest) => LifecycleCommand),
    actor: string,
    action: string | ((after: HelpRequest) => string),
    details?: Details,
  ): Promise<HelpRequest> {
    // What the last call of the change function decided (a store may call it more than once).
    const decided: { request?: HelpRequest; lapsed?: boolean; action?: string } = {};
    let after: HelpRequest | undefined;
    try {
      after = await this.repos.requests.change(id, (current) => {
        if (!current) throw this.noLongerOpen(id);
        const now = this.now();
        const wanted = typeof command === 'function' ? command(current) : command;
        // Expiry, the passcode check and the system's refusal decide on a lapsed request themselves.
        const judgesLapsed = ['expire', 'submit-otp', 'deny-by-system', 'flag-risk'].includes(
          wanted.type,
        );
        const lapsed = !judgesLapsed && deadlineOf(current) <= now;
        const result = applyCommand(current, lapsed ? { type: 'expire' } : wanted, now);
        if (!result.ok) throw new ServiceError(result.error.code, result.error.message);
        const next = result.request;
        decided.request = next;
        decided.lapsed = lapsed;
        // Readable as closed from the moment it leaves the open set (forgotten again if it fails).
        if (!isOpen(next)) this.rememberClosed(next);
        const change = { from: current.state, to: next.state };
        decided.action = lapsed
          ? 'request.expired'
          : typeof action === 'function'
            ? action(next)
            : action;
        return {
          request: next,
          audit: lapsed
            ? { actor: 'system', action: 'request.expired', requestId: id, details: change }
            : {
                actor,
                action: decided.action,
                requestId: id,
                details: {
                  ...change,
                  ...(typeof details === 'function' ? details(next, current) : details),
                },
              },
        };
      });
    } catch (error) {
      if (decided.request && this.recentlyClosed.get(id) === decided.request)
        this.recentlyClosed.delete(id);
      throw error;
    }
    if (!after) throw new Error(`The change of request ${id} committed nothing.`);
    this.emit({ kind: 'updated', request: after, action: decided.action });
    if (decided.lapsed) throw new ServiceError('invalid-state', 'The request has expired.');
    return after;
  }

  /** Why a request that is not open cannot be changed. */
  private noLongerOpen(id: string): ServiceError {
    const closed = this.recentlyClosed.get(id);
    return closed
      ? new ServiceError('invalid-state', `The request is already ${closed.state}.`)
      : new ServiceError('not-found', 'No such request.');
  }

  private rememberClosed(request: HelpRequest): void {
    this.recentlyClosed.set(request.id, request);
    if (this.recentlyClosed.size > RECENTLY_CLOSED_KEPT) {
      const oldest = this.recentlyClosed.keys().next().value;
      if (oldest !== undefined) this.recentlyClosed.delete(oldest);
    }
  }

  private emit(change: RequestChange): void {
    const changes = [change];
    // Whether a request is contested depends on the user's other open requests: when one arrives or
    // ends, each other one's view has changed too, and agents hear it.
    if (change.kind === 'created' || !isOpen(change.request)) {
      for (const other of this.repos.requests.ofUser(change.request.username))
        if (other.id !== change.request.id) changes.push({ kind: 'updated', request: other });
    }
    for (const each of changes) for (const listener of this.listeners) listener(each);
  }
}
