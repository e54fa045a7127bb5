// What the signed-in agent may do with the open request right now: the domain's rule of who may act,
// asked of the request as the console sees it (the server applies the same rule when they act).
import type { ErrorCode } from '../../../../server/contract/errors';
import type { Actor } from '../../../../server/domain/request-lifecycle';
import { agentRefusal, allowedCommands } from '../../../../server/domain/request-lifecycle';
import { isOpenState } from '../../../../server/domain/request-states';
import type { ConsoleState } from '../../store';

export interface RequestAccess {
  isOpen: boolean;
  heldByMe: boolean;
  holder: string | null;
  canClaim: boolean;
  canRelease: boolean;
  canDeny: boolean;
  canTakeOver: boolean;
  canEditChecks: boolean;
  /** The holder may end the request as a suspicious caller. */
  canReportSuspicious: boolean;
  /** The holder may ask a second person to approve the reveal (needed, checks recorded, not asked). */
  canAskApproval: boolean;
  /** This agent may approve or refuse the reveal someone else asked approval for. */
  canDecideApproval: boolean;
  /** The realm's risk policy wants a second approver for this request. */
  approvalNeeded: boolean;
  /** Two browsers asked for this user: no passcode until the other request has ended. */
  contested: boolean;
  /** The directory did not answer when the request was read: the server refuses a reveal. */
  directoryUnavailable: boolean;
  canReveal: boolean;
  /** Why the rule refuses a reveal (contest aside), once the realm's policy is known. */
  revealRefusalCode: ErrorCode | null;
  revealRefusal: string | null;
  /** Why nobody-holds-it yet this agent may not claim it (e.g. it is for their own account). */
  claimRefusal: string | null;
}

const NOTHING: ReadonlySet<string> = new Set();

/** A selector for useShallow: every field is a primitive. */
export function requestAccess(s: ConsoleState): RequestAccess {
  const d = s.detail;
  const session = s.session;
  const policies = s.config
    ? { policy: s.config.verificationPolicy, riskPolicy: s.config.riskPolicy }
    : null;
  const actor: Actor | null = session
    ? {
        ref: { id: session.agent.id, username: session.agent.username },
        isAdmin: session.role === 'admin',
      }
    : null;
  // The domain judges a request by its signals; the view carries them inside its risk.
  const standing = d ? { ...d, riskSignals: d.risk.signals } : null;
  const allowed = standing && actor ? allowedCommands(standing, actor, policies) : NOTHING;
  const revealRefusal =
    standing && actor && policies
      ? agentRefusal(standing, actor, { type: 'reveal', ...policies })
      : undefined;
  const claimRefusal =
    standing && actor && !standing.claimedBy && isOpenState(standing.state)
      ? agentRefusal(standing, actor, { type: 'claim' })
      : undefined;
  const isOpen = !!d && isOpenState(d.state);
  const contested = isOpen && !!d?.contested;
  const directoryUnavailable = isOpen && !!d?.directoryUnavailable;
  return {
    isOpen,
    heldByMe: !!d?.claimedBy && d.claimedBy.id === actor?.ref.id,
    holder: d?.claimedBy?.username ?? null,
    canClaim: allowed.has('claim'),
    canRelease: allowed.has('release'),
    canDeny: allowed.has('deny'),
    canTakeOver: allowed.has('take-over'),
    canEditChecks: allowed.has('verify'),
    canReportSuspicious: allowed.has('suspicious'),
    canAskApproval: allowed.has('ask-approval') && !contested && !directoryUnavailable,
    canDecideApproval: allowed.has('approve'),
    // The server's word for the request as it was read; the domain's rule agrees on the same policy.
    approvalNeeded: isOpen && !!d?.approvalNeeded,
    contested,
    directoryUnavailable,
    // The server also refuses a reveal while another request of the user is open, and while the
    // directory does not answer; the view says so.
    canReveal: allowed.has('reveal') && !contested && !directoryUnavailable,
    revealRefusalCode: revealRefusal?.code ?? null,
    revealRefusal: revealRefusal?.message ?? null,
    claimRefusal: claimRefusal?.message ?? null,
  };
}
