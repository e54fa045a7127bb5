// Approvals: requests whose holder asked for a second person's approval of the reveal, kept live from
// the server's list, its `approval:requested` pushes and the requests' updates.
import type { RequestView } from '../../../server/contract/request-view';
import type { Actor } from '../../../server/domain/request-lifecycle';
import { agentRefusal } from '../../../server/domain/request-lifecycle';
import { isOpenState } from '../../../server/domain/request-states';
import type { ApprovalSlice } from './approval-state';
import type { ConsoleState, SliceCreator } from './state';
import type { ConsoleRuntime } from './types';

const waiting = (request: RequestView) =>
  isOpenState(request.state) && request.approval?.state === 'requested';

export function createApprovalSlice(runtime: ConsoleRuntime): SliceCreator<ApprovalSlice> {
  return (set, get) => ({
    approvals: new Map(),

    async loadApprovals() {
      try {
        const { requests } = await runtime.request('approvals:list', {});
        set({ approvals: new Map(requests.filter(waiting).map((r) => [r.id, r])) });
      } catch {
        // The pushes still arrive; the next reconnection asks again.
      }
    },

    applyApproval(request) {
      const approvals = get().approvals;
      const known = approvals.get(request.id);
      if (known && known.updatedAt > request.updatedAt) return;
      if (waiting(request)) {
        set({ approvals: new Map(approvals).set(request.id, request) });
      } else if (known) {
        const rest = new Map(approvals);
        rest.delete(request.id);
        set({ approvals: rest });
      }
    },
  });
}

interface DecidableMemo {
  approvals: ReadonlyMap<string, RequestView>;
  me: string | null;
  list: RequestView[];
}
let decidableMemo: DecidableMemo | undefined;

/**
 * The waiting approvals this agent may decide on (never their own request, never their own account),
 * by the domain's rule, oldest asked first.
 */
function decidable(s: ConsoleState): RequestView[] {
  const me = s.session?.agent.id ?? null;
  if (decidableMemo && decidableMemo.approvals === s.approvals && decidableMemo.me === me)
    return decidableMemo.list;
  const session = s.session;
  const actor: Actor | null = session
    ? {
        ref: { id: session.agent.id, username: session.agent.username },
        isAdmin: session.role === 'admin',
      }
    : null;
  const list = actor
    ? [...s.approvals.values()]
        .filter(
          (r) => !agentRefusal({ ...r, riskSignals: r.risk.signals }, actor, { type: 'approve' }),
        )
        .sort((a, b) => (a.approval?.requestedAt ?? 0) - (b.approval?.requestedAt ?? 0))
    : [];
  decidableMemo = { approvals: s.approvals, me, list };
  return list;
}

export const approvalSelectors = {
  decidable,
  count: (s: ConsoleState) => decidable(s).length,
};
