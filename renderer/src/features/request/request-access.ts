// What the signed-in agent may do with the open request right now (the server checks again).
import type { ConsoleState } from '../../store';
import { isOpenState } from '../../store/queue-slice';

export interface RequestAccess {
  isOpen: boolean;
  heldByMe: boolean;
  holder: string | null;
  canClaim: boolean;
  canRelease: boolean;
  canDeny: boolean;
  canTakeOver: boolean;
  canEditChecks: boolean;
  /** Two browsers asked for this user: no passcode until the other request has ended. */
  contested: boolean;
  canReveal: boolean;
}

/** A selector for useShallow: every field is a primitive. */
export function requestAccess(s: ConsoleState): RequestAccess {
  const d = s.detail;
  const me = s.session?.agent.id;
  const isOpen = !!d && isOpenState(d.state);
  const heldByMe = !!d?.claimedBy && d.claimedBy.id === me;
  const state = d?.state;
  const contested = isOpen && !!d?.contested;
  return {
    isOpen,
    heldByMe,
    holder: d?.claimedBy?.username ?? null,
    canClaim: state === 'queued',
    canRelease: heldByMe && (state === 'claimed' || state === 'verified'),
    canDeny: heldByMe && isOpen,
    canTakeOver: s.session?.role === 'admin' && isOpen && !!d?.claimedBy && !heldByMe,
    canEditChecks: heldByMe && (state === 'claimed' || state === 'verified'),
    contested,
    // The server's answer decides: it moves the request to `verified` once the policy is met.
    canReveal: heldByMe && !contested && (state === 'verified' || state === 'otp-issued'),
  };
}
