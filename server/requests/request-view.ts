// Projections of a stored request: what agents see, and what the end-user's own page may see.
import type { EndUserPhase } from '../contract/enduser';
import type { RequestView } from '../contract/request-view';
import type { HelpRequest } from '../domain/help-request';

export function toRequestView(request: HelpRequest): RequestView {
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
  };
}

export function endUserPhase(request: HelpRequest): EndUserPhase {
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
