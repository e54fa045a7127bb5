// The shape of the approvals slice: the requests waiting for a second approver this agent may decide on.
import type { RequestView } from '../../../server/contract/request-view';

export interface ApprovalSlice {
  /** Waiting for a second approver, by id (the server's list, then its pushes and updates). */
  approvals: ReadonlyMap<string, RequestView>;

  /** Asks the server for the waiting approvals (after sign-in and every reconnection). */
  loadApprovals(): Promise<void>;
  /** Folds a newer view of a request in: kept while it waits for approval, dropped once it does not. */
  applyApproval(request: RequestView): void;
}
