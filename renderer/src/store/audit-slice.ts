// The audit log for admins: entries searched and paged on the server, newest first, and the hash
// chain's check; stale answers are dropped, and everything is forgotten when the session ends.
import type { AuditSearch } from '../../../server/contract/history';
import type { AuditFilters, AuditSlice } from './audit-state';
import { AUDIT_PAGE_SIZE, NO_AUDIT_FILTERS } from './audit-state';
import { dayRange, rangeProblem } from './history-slice';
import type { ConsoleState, SliceCreator } from './state';
import type { ConsoleRuntime } from './types';
import { messageOf } from './types';

/** The wire's filter for the form's: empty fields left out, text trimmed (the export uses it too). */
export function auditFilterOf(filters: AuditFilters): Omit<AuditSearch, 'offset' | 'limit'> {
  const filter: Omit<AuditSearch, 'offset' | 'limit'> = {};
  const actor = filters.actor.trim();
  const action = filters.action.trim();
  const request = filters.request.trim();
  if (actor) filter.actor = actor;
  if (action) filter.action = action;
  if (request) filter.request = request;
  return { ...filter, ...dayRange(filters.fromDay, filters.toDay) };
}

const EMPTY = {
  auditFilters: NO_AUDIT_FILTERS,
  auditEntries: [],
  auditTotal: 0,
  auditOffset: 0,
  auditStatus: 'idle',
  auditError: null,
  auditVerify: { step: 'idle' },
} satisfies Partial<AuditSlice>;

export function createAuditSlice(runtime: ConsoleRuntime): SliceCreator<AuditSlice> {
  return (set, _get, api) => {
    let searchSerial = 0;
    let verifySerial = 0;

    api.subscribe((state, before) => {
      if (before.session && !state.session) {
        searchSerial++;
        verifySerial++;
        set(EMPTY);
        return;
      }
      // Back after a lost connection: the page on screen is asked for again.
      if (
        state.recoveredAt !== null &&
        state.recoveredAt !== before.recoveredAt &&
        state.screen === 'audit' &&
        state.auditStatus !== 'idle'
      )
        void state.searchAudit(state.auditFilters, state.auditOffset);
    });

    return {
      ...EMPTY,

      async searchAudit(filters, offset = 0) {
        const serial = ++searchSerial;
        const problem = rangeProblem(filters.fromDay, filters.toDay);
        if (problem) {
          set({ auditStatus: 'error', auditError: problem });
          return;
        }
        set({
          auditFilters: filters,
          auditOffset: offset,
          auditStatus: 'loading',
          auditError: null,
        });
        try {
          const { entries, total } = await runtime.request('audit:search', {
            ...auditFilterOf(filters),
            offset,
            limit: AUDIT_PAGE_SIZE,
          });
          if (serial !== searchSerial) return;
          set({ auditEntries: entries, auditTotal: total, auditStatus: 'ready' });
        } catch (error) {
          if (serial !== searchSerial) return;
          set({ auditStatus: 'error', auditError: messageOf(error) });
        }
      },

      async verifyAudit() {
        const serial = ++verifySerial;
        set({ auditVerify: { step: 'running' } });
        try {
          const result = await runtime.request('audit:verify', {});
          if (serial !== verifySerial) return;
          set({ auditVerify: { step: 'done', result, at: Date.now() } });
        } catch (error) {
          if (serial !== verifySerial) return;
          set({ auditVerify: { step: 'failed', message: messageOf(error) } });
        }
      },
    };
  };
}

export const auditSelectors = {
  filters: (s: ConsoleState) => s.auditFilters,
  entries: (s: ConsoleState) => s.auditEntries,
  total: (s: ConsoleState) => s.auditTotal,
  offset: (s: ConsoleState) => s.auditOffset,
  status: (s: ConsoleState) => s.auditStatus,
  error: (s: ConsoleState) => s.auditError,
  verify: (s: ConsoleState) => s.auditVerify,
};
