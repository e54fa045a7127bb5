// The shape of the history slice: closed requests as an agent searches and pages through them, and the
// one opened with its whole trail from the audit log.
import type { HelpDeskId } from '../../../server/contract/realm-config';
import type { HistoryDetail, HistoryRow } from '../../../server/contract/history';
import type { ClosedState } from '../../../server/domain/request-states';

/** Closed requests shown per page; the server never sends more than 200. */
export const HISTORY_PAGE_SIZE = 50;

/** The History form as typed: text as entered, dates as `YYYY-MM-DD` in the agent's time zone. */
export interface HistoryFilters {
  reference: string;
  username: string;
  agent: string;
  desk: HelpDeskId | '';
  outcome: ClosedState | '';
  /** Closed on or after this day… */
  fromDay: string;
  /** …up to the end of this day. */
  toDay: string;
}

export const NO_HISTORY_FILTERS: HistoryFilters = {
  reference: '',
  username: '',
  agent: '',
  desk: '',
  outcome: '',
  fromDay: '',
  toDay: '',
};

export type ListStatus = 'idle' | 'loading' | 'ready' | 'error';

export type HistoryDetailState =
  | { step: 'closed' }
  | { step: 'loading'; requestId: string }
  | { step: 'ready'; requestId: string; detail: HistoryDetail }
  | { step: 'error'; requestId: string; message: string };

export interface HistorySlice {
  /** The filters of the search shown (not the form's unsent edits). */
  historyFilters: HistoryFilters;
  historyRows: HistoryRow[];
  /** How many closed requests match in all. */
  historyTotal: number;
  historyOffset: number;
  historyStatus: ListStatus;
  historyError: string | null;
  historyDetail: HistoryDetailState;

  /** Asks the server for one page of closed requests matching `filters`, newest first. */
  searchHistory(filters: HistoryFilters, offset?: number): Promise<void>;
  /** Opens a request's summary and trail. */
  openHistory(requestId: string): Promise<void>;
  /** Back to the results. */
  closeHistory(): void;
}
