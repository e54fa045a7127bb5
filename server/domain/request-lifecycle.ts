// The request lifecycle as a pure state machine: every allowed transition, and a reason for every refusal.
import type { ErrorCode } from '../contract/errors';
import type { VerificationPolicy } from '../contract/realm-config';
import type { RiskPolicy, RiskSignal, RiskSignalId } from '../contract/risk';
import { normaliseUsername } from '../contract/username';
import type { AgentRef, HelpRequest, OpenRequest } from './help-request';
import { isOpen } from './help-request';
import { MAILED_CODE } from './mailed-code';
import type { ClosedState, RequestState } from './request-states';
import { isOpenState } from './request-states';
import { approvalNeeded } from './risk';
import { verificationProgress } from './verification-policy';

export interface Actor {
  ref: AgentRef;
  isAdmin: boolean;
}

export type LifecycleCommand =
  | { type: 'claim'; actor: Actor }
  | { type: 'release'; actor: Actor }
  | { type: 'take-over'; actor: Actor }
  | { type: 'verify'; actor: Actor; checkId: string; note: string; policy: VerificationPolicy }
  | { type: 'unverify'; actor: Actor; checkId: string; policy: VerificationPolicy }
  | {
      type: 'reveal';
      actor: Actor;
      otpHash: string;
      otpExpiresAt: number;
      policy: VerificationPolicy;
      riskPolicy: RiskPolicy;
    }
  | { type: 'deny'; actor: Actor; reason: string }
  /** The holder asks a second person to approve the reveal (when the risk policy needs one). */
  | {
      type: 'ask-approval';
      actor: Actor;
      note: string;
      policy: VerificationPolicy;
      riskPolicy: RiskPolicy;
    }
  /** Another agent of the desk or an admin approves the reveal… */
  | { type: 'approve'; actor: Actor; note: string }
  /** …or refuses it, which ends the request. */
  | { type: 'refuse-approval'; actor: Actor; note: string }
  /** The holder ends the request as a suspicious caller (the service blocks and alerts). */
  | { type: 'suspicious'; actor: Actor; description: string }
  /** The server noticed something more about the request (e.g. a second browser asked). */
  | { type: 'flag-risk'; signal: RiskSignal }
  /**
   * A code was mailed to the user's address on file for a mailed-code check (the caller reads it
   * back); only its keyed hash comes here. It replaces any code still outstanding.
   */
  | {
      type: 'send-code';
      actor: Actor;
      checkId: string;
      codeHash: string;
      sentTo: string;
      expiresAt: number;
      policy: VerificationPolicy;
    }
  /** The code the caller read back, as judged by the server against the outstanding one. */
  | { type: 'check-code'; actor: Actor; valid: boolean; policy: VerificationPolicy }
  | { type: 'cancel'; reason: string }
  /** The server ends the request itself (e.g. the user was disabled in the directory meanwhile). */
  | { type: 'deny-by-system'; reason: string }
  | { type: 'submit-otp'; valid: boolean; maxAttempts: number }
  | { type: 'expire' };

export type CommandType = LifecycleCommand['type'];
/** The commands an agent runs (the others come from the user, the server or the clock). */
export type AgentCommand = Extract<LifecycleCommand, { actor: Actor }>;
export type AgentCommandType = AgentCommand['type'];
export const AGENT_COMMAND_TYPES = [
  'claim',
  'release',
  'take-over',
  'verify',
  'unverify',
  'reveal',
  'deny',
  'send-code',
  'check-code',
  'ask-approval',
  'approve',
  'refuse-approval',
  'suspicious',
] as const satisfies readonly AgentCommandType[];

/** What the server records for a mailed-code check whose code the caller read back correctly. */
export const MAILED_CODE_NOTE = 'Code mailed to the address on file, read back by the caller';

export interface LifecycleError {
  code: ErrorCode;
  message: string;
}

export type TransitionResult =
  { ok: true; request: HelpRequest } | { ok: false; error: LifecycleError };

const refusal = (code: ErrorCode, message: string): LifecycleError => ({ code, message });
const fail = (code: ErrorCode, message: string): TransitionResult => ({
  ok: false,
  error: refusal(code, message),
});
const alreadyClosed = (state: RequestState) =>
  refusal('invalid-state', `The request is already ${state}.`);
const ok = (request: HelpRequest): TransitionResult => ({ ok: true, request });

/** The moment an open request lapses: the passcode's expiry once one is out, else the request's own. */
export function deadlineOf(request: OpenRequest): number {
  return request.state === 'otp-issued' ? request.otp.expiresAt : request.expiresAt;
}

function close(
  request: OpenRequest,
  state: ClosedState,
  now: number,
  closedReason: string,
  closedBy?: AgentRef,
): HelpRequest {
  const { otp: _otp, mailedCode: _code, ...rest } = request as OpenRequest & { otp?: unknown };
  return {
    ...rest,
    state,
    updatedAt: now,
    closedAt: now,
    closedReason,
    ...(closedBy ? { closedBy } : {}),
  } as HelpRequest;
}

type QueuedRequest = Extract<OpenRequest, { state: 'queued' }>;
type HeldRequest = Exclude<OpenRequest, { state: 'queued' }>;

/**
 * What the rule of who may act needs to know of a request: the server's record has it, and so has
 * the view an agent's console is sent.
 */
export interface RequestStanding {
  state: RequestState;
  username: string;
  claimedBy?: AgentRef | null | undefined;
  inDirectory: boolean;
  verification: readonly { checkId: string }[];
  riskSignals: readonly { id: RiskSignalId }[];
  approval?: { state: 'requested' | 'approved' } | null | undefined;
}

/** The realm's policies a reveal (and asking for approval) is judged against. */
export interface Policies {
  policy: VerificationPolicy;
  riskPolicy: RiskPolicy;
}

/** An agent's command as far as the rule looks at it: a reveal is judged against the policies. */
export type AgentAttempt =
  | { type: Exclude<AgentCommandType, 'reveal' | 'ask-approval'> }
  | ({ type: 'reveal' | 'ask-approval' } & Policies);

/** Nobody handles, or approves, a request for their own account. */
function ownAccount(request: RequestStanding, actor: Actor): LifecycleError | undefined {
  return normaliseUsername(actor.ref.username) === request.username
    ? refusal('forbidden', 'This request is for your own account: another agent must handle it.')
    : undefined;
}

/** Why the checks recorded do not meet the policy yet, if they do not. */
function checksMissing(request: RequestStanding, policy: VerificationPolicy) {
  const progress = verificationProgress(policy, request.verification);
  if (progress.met) return undefined;
  const missing = progress.missingRequired.length
    ? `required checks missing: ${progress.missingRequired.join(', ')}`
    : `${progress.moreNeeded} more check(s) needed`;
  return refusal('verification-incomplete', `Verify the caller first (${missing}).`);
}

/** Whether recording this check needs a note saying what was confirmed. */
export function noteRequired(policy: VerificationPolicy, checkId: string): boolean {
  return (
    policy.notesRequired === 'all' ||
    (policy.notesRequired === 'required' && policy.required.includes(checkId))
  );
}

/** Why the actor may not act on the request as its holder, if they may not. */
function notHolder(request: RequestStanding, actor: Actor): LifecycleError | undefined {
  if (!request.claimedBy) return refusal('invalid-state', 'Claim the request first.');
  if (request.claimedBy.id !== actor.ref.id)
    return refusal(
      'not-claimed-by-you',
      `This request is claimed by ${request.claimedBy.username}.`,
    );
  return undefined;
}

/**
 * Why this agent may not run this command on the request now, or undefined when they may: the
 * lifecycle refuses with it, and the console offers only what it allows.
 */
export function agentRefusal(
  request: RequestStanding,
  actor: Actor,
  attempt: AgentAttempt,
): LifecycleError | undefined {
  if (!isOpenState(request.state)) return alreadyClosed(request.state);
  switch (attempt.type) {
    case 'claim':
      if (!request.claimedBy) return ownAccount(request, actor);
      return request.claimedBy.id === actor.ref.id
        ? refusal('invalid-state', 'You already hold this request.')
        : refusal(
            'already-claimed',
            `${request.claimedBy.username} is already handling this request.`,
          );

    case 'release':
      return (
        notHolder(request, actor) ??
        (request.state === 'otp-issued'
          ? refusal('invalid-state', 'A passcode is out; deny the request instead of releasing it.')
          : undefined)
      );

    case 'take-over':
      if (!actor.isAdmin) return refusal('forbidden', 'Only an admin can take over a request.');
      if (!request.claimedBy)
        return refusal('invalid-state', 'Nobody holds this request; claim it.');
      return request.claimedBy.id === actor.ref.id
        ? refusal('invalid-state', 'You already hold this request.')
        : ownAccount(request, actor);

    case 'verify':
    case 'unverify':
    case 'send-code':
    case 'check-code':
      return (
        notHolder(request, actor) ??
        (request.state === 'otp-issued'
          ? refusal(
              'invalid-state',
              'The passcode is already out; verification can no longer change.',
            )
          : undefined)
      );

    case 'reveal': {
      const notHeld = notHolder(request, actor);
      if (notHeld) return notHeld;
      // Nobody outside the directory (or disabled in it) can be signed in, however convincing the caller.
      if (!request.inDirectory)
        return refusal(
          'forbidden',
          'This username is not an active directory user; deny the request.',
        );
      const incomplete = checksMissing(request, attempt.policy);
      if (incomplete) return incomplete;
      if (!approvalNeeded(request.riskSignals, attempt.riskPolicy)) return undefined;
      if (request.approval?.state === 'approved') return undefined;
      return refusal(
        'approval-required',
        request.approval?.state === 'requested'
          ? 'Waiting for a second approver: another agent of the desk or an admin must approve the reveal.'
          : 'This request needs a second approver before the reveal: ask for approval.',
      );
    }

    case 'ask-approval': {
      const notHeld = notHolder(request, actor);
      if (notHeld) return notHeld;
      if (request.state === 'otp-issued')
        return refusal('invalid-state', 'The passcode is already out.');
      if (!approvalNeeded(request.riskSignals, attempt.riskPolicy))
        return refusal('invalid-state', 'This request does not need a second approver.');
      if (request.approval)
        return refusal(
          'invalid-state',
          request.approval.state === 'approved'
            ? 'The reveal is already approved.'
            : 'Approval has already been asked for.',
        );
      // The approver decides on the checks as recorded: they come first.
      return checksMissing(request, attempt.policy);
    }

    case 'approve':
    case 'refuse-approval':
      if (request.approval?.state !== 'requested')
        return refusal('invalid-state', 'Nobody is waiting for approval of this request.');
      if (request.claimedBy?.id === actor.ref.id)
        return refusal(
          'forbidden',
          'You hold this request: another agent of the desk or an admin must decide.',
        );
      return ownAccount(request, actor);

    case 'deny':
    case 'suspicious':
      return notHolder(request, actor);
  }
}

/**
 * The commands this agent may run on the request now. Without the realm's verification policy
 * (not loaded yet) a reveal is not offered.
 */
export function allowedCommands(
  request: RequestStanding,
  actor: Actor,
  policies: Policies | null,
): ReadonlySet<AgentCommandType> {
  return new Set(
    AGENT_COMMAND_TYPES.filter((type) =>
      type === 'reveal' || type === 'ask-approval'
        ? policies !== null && !agentRefusal(request, actor, { type, ...policies })
        : !agentRefusal(request, actor, { type }),
    ),
  );
}

const isAgentCommand = (command: LifecycleCommand): command is AgentCommand => 'actor' in command;

export function applyCommand(
  request: HelpRequest,
  command: LifecycleCommand,
  now: number,
): TransitionResult {
  if (!isOpen(request)) return { ok: false, error: alreadyClosed(request.state) };

  if (isAgentCommand(command)) {
    const refused = agentRefusal(request, command.actor, command);
    if (refused) return { ok: false, error: refused };
  }
  // Past the rule above, an agent's command meets the request in the state it needs: queued for a
  // claim, held by the actor for the others.
  const queued = request as QueuedRequest;
  const held = request as HeldRequest;

  switch (command.type) {
    case 'claim':
      return ok({ ...queued, state: 'claimed', claimedBy: command.actor.ref, updatedAt: now });

    case 'release': {
      // The code went to the caller of this agent's call; whoever claims next sends their own.
      const { claimedBy: _holder, mailedCode: _code, approval: _approval, ...rest } = held;
      return ok({ ...rest, state: 'queued', verification: [], updatedAt: now });
    }

    case 'take-over': {
      // An approval was of the last holder's call: the new holder asks anew (an approver taking
      // over must not reveal on their own approval).
      const { mailedCode: _code, approval: _approval, ...rest } = held;
      return ok({ ...rest, claimedBy: command.actor.ref, updatedAt: now });
    }

    case 'verify':
    case 'unverify': {
      const check = command.policy.checks.find((c) => c.id === command.checkId);
      if (!check) return fail('unknown-check', `The realm has no check "${command.checkId}".`);
      // The agent's word is not taken for a check the server verifies; removing its record is fine.
      if (command.type === 'verify' && check.kind === 'mailed-code')
        return fail(
          'forbidden',
          `"${check.label}" is verified by the server: use Send code and type the code the caller reads back.`,
        );
      if (
        command.type === 'verify' &&
        command.note.trim() === '' &&
        noteRequired(command.policy, check.id)
      )
        return fail(
          'bad-request',
          `Say what you confirmed for "${check.label}": this realm requires a note with the check.`,
        );
      const others = held.verification.filter((r) => r.checkId !== command.checkId);
      const verification =
        command.type === 'verify'
          ? [
              ...others,
              {
                checkId: command.checkId,
                note: command.note,
                by: command.actor.ref,
                at: now,
                method: 'attested' as const,
              },
            ]
          : others;
      const met = verificationProgress(command.policy, verification).met;
      // An approval was given on the checks as they were.
      const { approval: _approval, ...rest } = held;
      return ok({
        ...rest,
        state: met ? 'verified' : 'claimed',
        verification,
        updatedAt: now,
      });
    }

    case 'send-code': {
      const check = command.policy.checks.find((c) => c.id === command.checkId);
      if (!check) return fail('unknown-check', `The realm has no check "${command.checkId}".`);
      if (check.kind !== 'mailed-code')
        return fail(
          'unknown-check',
          `"${check.label}" is recorded by the agent; no code is mailed for it.`,
        );
      const sends = (held.mailedCode?.sends ?? 0) + 1;
      if (sends > MAILED_CODE.maxSends)
        return fail(
          'rate-limited',
          `${MAILED_CODE.maxSends} codes have been sent for this request already; verify the caller another way or deny the request.`,
        );
      return ok({
        ...held,
        mailedCode: {
          checkId: command.checkId,
          hash: command.codeHash,
          sentTo: command.sentTo,
          sentAt: now,
          expiresAt: command.expiresAt,
          sends,
          wrong: 0,
        },
        updatedAt: now,
      });
    }

    case 'check-code': {
      const code = held.mailedCode;
      if (!code || code.wrong >= MAILED_CODE.maxWrong)
        return fail('invalid-state', 'No code is outstanding for this request; send one first.');
      if (now >= code.expiresAt)
        return fail('invalid-state', 'The mailed code has expired; send a new one.');
      if (!command.valid) {
        // A void code stays on the request (unusable), so the count of codes sent still holds.
        const wrong = code.wrong + 1;
        return ok({ ...held, mailedCode: { ...code, wrong }, updatedAt: now });
      }
      const check = command.policy.checks.find((c) => c.id === code.checkId);
      if (!check)
        return fail('unknown-check', `The realm no longer has the check "${code.checkId}".`);
      const { mailedCode: _code, approval: _approval, ...rest } = held;
      const verification = [
        ...held.verification.filter((r) => r.checkId !== code.checkId),
        {
          checkId: code.checkId,
          note: MAILED_CODE_NOTE,
          by: command.actor.ref,
          at: now,
          method: 'server-verified' as const,
        },
      ];
      const met = verificationProgress(command.policy, verification).met;
      return ok({
        ...rest,
        state: met ? 'verified' : 'claimed',
        verification,
        updatedAt: now,
      });
    }

    case 'reveal': {
      const revealCount = held.state === 'otp-issued' ? held.otp.revealCount + 1 : 1;
      // Verification is settled once a passcode is out: a code still outstanding is dropped.
      const { mailedCode: _code, ...rest } = held;
      return ok({
        ...rest,
        state: 'otp-issued',
        otp: { hash: command.otpHash, issuedAt: now, expiresAt: command.otpExpiresAt, revealCount },
        updatedAt: now,
      });
    }

    case 'deny':
      return ok(close(held, 'denied', now, command.reason, command.actor.ref));

    case 'ask-approval':
      return ok({
        ...held,
        approval: {
          state: 'requested',
          requestedBy: command.actor.ref,
          requestedAt: now,
          requestNote: command.note,
        },
        updatedAt: now,
      });

    case 'approve': {
      const asked = held.approval;
      if (!asked) return fail('invalid-state', 'Nobody is waiting for approval of this request.');
      return ok({
        ...held,
        approval: {
          ...asked,
          state: 'approved',
          approvedBy: command.actor.ref,
          approvedAt: now,
          note: command.note,
        },
        updatedAt: now,
      });
    }

    case 'refuse-approval':
      return ok(
        close(
          held,
          'denied',
          now,
          `The second approver refused: ${command.note}`,
          command.actor.ref,
        ),
      );

    case 'suspicious':
      return ok(
        close(held, 'denied', now, `Suspicious caller: ${command.description}`, command.actor.ref),
      );

    case 'flag-risk':
      if (request.riskSignals.some((s) => s.id === command.signal.id)) return ok(request);
      return ok({
        ...request,
        riskSignals: [...request.riskSignals, command.signal],
        updatedAt: now,
      });

    case 'cancel':
      return ok(close(request, 'cancelled', now, command.reason));

    case 'deny-by-system':
      return ok(close(request, 'denied', now, command.reason));

    case 'submit-otp': {
      if (request.state !== 'otp-issued')
        return fail('invalid-state', 'No passcode has been issued for this request yet.');
      if (now >= request.otp.expiresAt)
        return ok(close(request, 'expired', now, 'The passcode expired.'));
      if (command.valid)
        return ok(close(request, 'completed', now, 'Signed in with the passcode.'));
      const failedAttempts = request.failedAttempts + 1;
      if (failedAttempts >= command.maxAttempts)
        return ok({
          ...close(request, 'locked', now, 'Too many wrong passcodes.'),
          failedAttempts,
        });
      return ok({ ...request, failedAttempts, updatedAt: now });
    }

    case 'expire': {
      if (now < deadlineOf(request)) return fail('not-due', 'The request has not lapsed yet.');
      const what =
        request.state === 'otp-issued' ? 'The passcode expired.' : 'Nobody completed it in time.';
      return ok(close(request, 'expired', now, what));
    }
  }
}
