// A request's state as a short coloured label.
import type { RequestStateName } from '../../../server/contract/request-view';

const STATE_LABELS: Record<RequestStateName, string> = {
  queued: 'Waiting',
  claimed: 'Claimed',
  verified: 'Verified',
  'otp-issued': 'Code issued',
  completed: 'Completed',
  denied: 'Denied',
  cancelled: 'Cancelled',
  expired: 'Expired',
  locked: 'Locked',
};

export function StateBadge({ state }: { state: RequestStateName }) {
  return <span className={`badge badge-${state}`}>{STATE_LABELS[state]}</span>;
}
