// Projections of a stored request: what agents see, and what the end-user's own page may see.
import type { EndUserPhase, EndUserRequestStatus } from '../contract/enduser';
import type { RealmConfig } from '../contract/realm-config';
import type { RiskPolicy } from '../contract/risk';
import type { RequestView } from '../contract/request-view';
import type { HelpRequest } from '../domain/help-request';
import { isOpen } from '../domain/help-request';
import { MAILED_CODE } from '../domain/mailed-code';
import { deadlineOf } from '../domain/request-lifecycle';
import { approvalNeeded, assessRisk } from '../domain/risk';
import { maskValue } from './mask';

/**
 * What agents see of a request. `contestedWith` holds the references of the user's other open
 * requests (from the open set; the caller looks them up), so a contest ends by itself. Its risk is
 * weighed by the realm's current policy.
 */
export function toRequestView(
  request: HelpRequest,
  contestedWith: readonly string[],
  riskPolicy: RiskPolicy,
): RequestView {
  return {
    id: request.id,
    reference: request.reference,
    desk: request.desk,
    username: request.username,
    displayName: request.displayName,
    inDirectory: request.inDirectory,
    state: request.state,
    createdAt: request.createdAt,
    updatedAt: request.updatedAt,
    expiresAt: request.state === 'otp-issued' ? request.otp.expiresAt : request.expiresAt,
    claimedBy: 'claimedBy' in request && request.claimedBy ? request.claimedBy : null,
    verification: request.verification,
    mailedCode:
      isOpen(request) && request.mailedCode
        ? {
            checkId: request.mailedCode.checkId,
            sentTo: maskValue('email', request.mailedCode.sentTo),
            sentAt: request.mailedCode.sentAt,
            expiresAt: request.mailedCode.expiresAt,
            attemptsLeft: Math.max(0, MAILED_CODE.maxWrong - request.mailedCode.wrong),
            sendsLeft: Math.max(0, MAILED_CODE.maxSends - request.mailedCode.sends),
          }
        : null,
    otp:
      request.state === 'otp-issued'
        ? {
            issuedAt: request.otp.issuedAt,
            expiresAt: request.otp.expiresAt,
            revealCount: request.otp.revealCount,
          }
        : null,
    failedAttempts: request.failedAttempts,
    closedReason: 'closedReason' in request ? request.closedReason : null,
    origin: request.origin,
    contested: contestedWith.length > 0,
    contestedWith: [...contestedWith],
    risk: assessRisk(request.riskSignals, riskPolicy),
    approvalNeeded: approvalNeeded(request.riskSignals, riskPolicy),
    approval: request.approval ?? null,
  };
}

function endUserPhase(request: HelpRequest): EndUserPhase {
  switch (request.state) {
    case 'queued':
      return 'waiting';
    case 'claimed':
    case 'verified':
      return 'verifying';
    case 'otp-issued':
      return 'code-ready';
    default:
      return request.state;
  }
}

/**
 * What the end-user's own page and socket see of their request. One past its deadline reads as
 * expired already, before the sweep closes it, so the page and the socket agree.
 */
export function toEndUserStatus(
  request: HelpRequest,
  config: RealmConfig,
  attemptsLeft: number | null,
  now: number,
): EndUserRequestStatus {
  const desk = config.helpDesks[request.desk];
  const lapsed = isOpen(request) && deadlineOf(request) <= now;
  return {
    id: request.id,
    reference: request.reference,
    phase: lapsed ? 'expired' : endUserPhase(request),
    desk: { id: request.desk, name: desk.name, phone: desk.phone, email: desk.email },
    otpExpiresAt: request.state === 'otp-issued' ? request.otp.expiresAt : null,
    attemptsLeft,
  };
}
