// The request lifecycle as a pure state machine: every allowed transition, and a reason for every refusal.
import type { ErrorCode } from '../contract/errors';
import type { VerificationPolicy } from '../contract/realm-config';
import type { AgentRef, ClosedState, HelpRequest, OpenRequest } from './help-request';
import { isOpen } from './help-request';
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
    }
  | { type: 'deny'; actor: Actor; reason: string }
  | { type: 'cancel'; reason: string }
  /** The server ends the request itself (e.g. the user was disabled in the directory meanwhile). */
  | { type: 'deny-by-system'; reason: string }
  | { type: 'submit-otp'; valid: boolean; maxAttempts: number }
  | { type: 'expire' };

export type CommandType = LifecycleCommand['type'];

export interface LifecycleError {
  code: ErrorCode;
  message: string;
}

export type TransitionResult =
  { ok: true; request: HelpRequest } | { ok: false; error: LifecycleError };

const fail = (code: ErrorCode, message: string): TransitionResult => ({
  ok: false,
  error: { code, message },
});
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
  const { otp: _otp, ...rest } = request as OpenRequest & { otp?: unknown };
  return {
    ...rest,
    state,
    updatedAt: now,
    closedAt: now,
    closedReason,
    ...(closedBy ? { closedBy } : {}),
  } as HelpRequest;
}

type HeldRequest = Exclude<OpenRequest, { state: 'queued' }>;

/** The request narrowed to a held one when the actor holds it, else the refusal to return. */
function heldBy(request: OpenRequest, actor: Actor): HeldRequest | TransitionResult {
  if (request.state === 'queued') return fail('invalid-state', 'Claim the request first.');
  if (request.claimedBy.id !== actor.ref.id)
    return fail('not-claimed-by-you', `This request is claimed by ${request.claimedBy.username}.`);
  return request;
}

const isRefusal = (x: HeldRequest | TransitionResult): x is TransitionResult => 'ok' in x;

export function applyCommand(
  request: HelpRequest,
  command: LifecycleCommand,
  now: number,
): TransitionResult {
  if (!isOpen(request)) return fail('invalid-state', `The request is already ${request.state}.`);

  switch (command.type) {
    case 'claim': {
      if (request.state !== 'queued') {
        return request.claimedBy.id === command.actor.ref.id
          ? fail('invalid-state', 'You already hold this request.')
          : fail(
              'already-claimed',
              `${request.claimedBy.username} is already handling this request.`,
            );
      }
      return ok({ ...request, state: 'claimed', claimedBy: command.actor.ref, updatedAt: now });
    }

    case 'release': {
      const held = heldBy(request, command.actor);
      if (isRefusal(held)) return held;
      if (held.state === 'otp-issued')
        return fail(
          'invalid-state',
          'A passcode is out; deny the request instead of releasing it.',
        );
      const { claimedBy: _holder, ...rest } = held;
      return ok({ ...rest, state: 'queued', verification: [], updatedAt: now });
    }

    case 'take-over': {
      if (!command.actor.isAdmin)
        return fail('forbidden', 'Only an admin can take over a request.');
      if (request.state === 'queued')
        return fail('invalid-state', 'Nobody holds this request; claim it.');
      if (request.claimedBy.id === command.actor.ref.id)
        return fail('invalid-state', 'You already hold this request.');
      return ok({ ...request, claimedBy: command.actor.ref, updatedAt: now });
    }

    case 'verify':
    case 'unverify': {
      const held = heldBy(request, command.actor);
      if (isRefusal(held)) return held;
      if (held.state === 'otp-issued')
        return fail(
          'invalid-state',
          'The passcode is already out; verification can no longer change.',
        );
      if (!command.policy.checks.some((c) => c.id === command.checkId))
        return fail('unknown-check', `The realm has no check "${command.checkId}".`);
      const others = held.verification.filter((r) => r.checkId !== command.checkId);
      const verification =
        command.type === 'verify'
          ? [
              ...others,
              { checkId: command.checkId, note: command.note, by: command.actor.ref, at: now },
            ]
          : others;
      const met = verificationProgress(command.policy, verification).met;
      return ok({
        ...held,
        state: met ? 'verified' : 'claimed',
        verification,
        updatedAt: now,
      });
    }

    case 'reveal': {
      const held = heldBy(request, command.actor);
      if (isRefusal(held)) return held;
      // Nobody outside the directory (or disabled in it) can be signed in, however convincing the caller.
      if (!held.inDirectory)
        return fail(
          'forbidden',
          'This username is not an active directory user; deny the request.',
        );
      const progress = verificationProgress(command.policy, held.verification);
      if (!progress.met) {
        const missing = progress.missingRequired.length
          ? `required checks missing: ${progress.missingRequired.join(', ')}`
          : `${progress.moreNeeded} more check(s) needed`;
        return fail('verification-incomplete', `Verify the caller first (${missing}).`);
      }
      const revealCount = held.state === 'otp-issued' ? held.otp.revealCount + 1 : 1;
      return ok({
        ...held,
        state: 'otp-issued',
        otp: { hash: command.otpHash, issuedAt: now, expiresAt: command.otpExpiresAt, revealCount },
        updatedAt: now,
      });
    }

    case 'deny': {
      const held = heldBy(request, command.actor);
      if (isRefusal(held)) return held;
      return ok(close(held, 'denied', now, command.reason, command.actor.ref));
    }

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
