// History: closed requests searched and paged on the server (never all loaded), newest first, and one
// opened with its trail; stale answers are dropped, and everything is forgotten when the session ends.
import type { HistorySearch } from '../../../server/contract/history';
import type { HistoryFilters, HistorySlice } from './history-state';
import { HISTORY_PAGE_SIZE, NO_HISTORY_FILTERS } from './history-state';
import type { ConsoleState, SliceCreator } from './state';
import type { ConsoleRuntime } from './types';
import { messageOf } from './types';

/** The start of a `YYYY-MM-DD` day in the local time zone, in ms; undefined for none or a bad one. */
export function dayStart(day: string, plusDays = 0): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day.trim());
  if (!match) return undefined;
  const at = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]) + plusDays);
  return Number.isNaN(at.getTime()) ? undefined : at.getTime();
}

/** The range two day inputs mean: from the start of the first to the end of the second, inclusive. */
export function dayRange(fromDay: string, toDay: string): { from?: number; to?: number } {
  const from = dayStart(fromDay);
  const to = dayStart(toDay, 1);
  return { ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) };
}

/** Why two day inputs make no range, or null when they do. */
export function rangeProblem(fromDay: string, toDay: string): string | null {
  const { from, to } = dayRange(fromDay, toDay);
  return from !== undefined && to !== undefined && from >= to
    ? 'The last day is before the first.'
    : null;
}

/** The wire's search for the form's filters: empty fields left out, text trimmed. */
export function historySearchOf(filters: HistoryFilters, offset: number): HistorySearch {
  const text = (value: string) => value.trim() || undefined;
  const search: HistorySearch = { offset, limit: HISTORY_PAGE_SIZE };
  const reference = text(filters.reference);
  const username = text(filters.username);
  const agent = text(filters.agent);
  if (reference) search.reference = reference;
  if (username) search.username = username;
  if (agent) search.agent = agent;
  if (filters.desk) search.desk = filters.desk;
  if (filters.outcome) search.outcome = filters.outcome;
  return { ...search, ...dayRange(filters.fromDay, filters.toDay) };
}

const EMPTY = {
  historyFilters: NO_HISTORY_FILTERS,
  historyRows: [],
  historyTotal: 0,
  historyOffset: 0,
  historyStatus: 'idle',
  historyError: null,
  historyDetail: { step: 'closed' },
} satisfies Partial<HistorySlice>;

export function createHistorySlice(runtime: ConsoleRuntime): SliceCreator<HistorySlice> {
  return (set, get, api) => {
    /** Only the newest search's and the newest opening's answers are shown. */
    let searchSerial = 0;
    let openSerial = 0;

    api.subscribe((state, before) => {
      // What one agent looked up is not left behind for the next to sign in on this window.
      if (before.session && !state.session) {
        searchSerial++;
        openSerial++;
        set(EMPTY);
        return;
      }
      // Back after a lost connection: the page on screen is asked for again.
      if (
        state.recoveredAt !== null &&
        state.recoveredAt !== before.recoveredAt &&
        state.screen === 'history' &&
        state.historyStatus !== 'idle'
      )
        void state.searchHistory(state.historyFilters, state.historyOffset);
    });

    return {
      ...EMPTY,

      async searchHistory(filters, offset = 0) {
        const serial = ++searchSerial;
        const problem = rangeProblem(filters.fromDay, filters.toDay);
        if (problem) {
          set({ historyStatus: 'error', historyError: problem });
          return;
        }
        set({
          historyFilters: filters,
          historyOffset: offset,
          historyStatus: 'loading',
          historyError: null,
        });
        try {
          const { rows, total } = await runtime.request(
            'history:search',
            historySearchOf(filters, offset),
          );
          if (serial !== searchSerial) return;
          set({ historyRows: rows, historyTotal: total, historyStatus: 'ready' });
        } catch (error) {
          if (serial !== searchSerial) return;
          set({ historyStatus: 'error', historyError: messageOf(error) });
        }
      },

      async openHistory(requestId) {
        const serial = ++openSerial;
        set({ historyDetail: { step: 'loading', requestId } });
        try {
          const detail = await runtime.request('history:get', { requestId });
          if (serial !== openSerial) return;
          set({ historyDetail: { step: 'ready', requestId, detail } });
        } catch (error) {
          if (serial !== openSerial) return;
          set({ historyDetail: { step: 'error', requestId, message: messageOf(error) } });
        }
      },

      closeHistory() {
        openSerial++;
        set({ historyDetail: { step: 'closed' } });
      },
    };
  };
}

export const historySelectors = {
  filters: (s: ConsoleState) => s.historyFilters,
  rows: (s: ConsoleState) => s.historyRows,
  total: (s: ConsoleState) => s.historyTotal,
  offset: (s: ConsoleState) => s.historyOffset,
  status: (s: ConsoleState) => s.historyStatus,
  error: (s: ConsoleState) => s.historyError,
  detail: (s: ConsoleState) => s.historyDetail,
};
