// The History filters: reference, username, agent, desk, outcome and the days it closed on; sent on
// Search (or Enter in any field), cleared with Clear.
import { useState, type FormEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { HELP_DESK_IDS, type HelpDeskId } from '../../../../server/contract/realm-config';
import { CLOSED_STATES, type ClosedState } from '../../../../server/domain/request-states';
import {
  historySelectors,
  sessionSelectors,
  settingsSelectors,
  useConsole,
  useConsoleStore,
} from '../../store';
import { rangeProblem } from '../../store/history-slice';
import { NO_HISTORY_FILTERS, type HistoryFilters } from '../../store/history-state';
import { TextField } from '../../ui/Field';
import { DayRangeFields } from './records-ui';

export const OUTCOME_LABELS: Record<ClosedState, string> = {
  completed: 'Completed',
  denied: 'Denied',
  cancelled: 'Cancelled',
  expired: 'Expired',
  locked: 'Locked',
};

export function HistorySearchForm() {
  const store = useConsoleStore();
  const applied = useConsole(historySelectors.filters);
  const status = useConsole(historySelectors.status);
  const isAdmin = useConsole(sessionSelectors.isAdmin);
  const myDesks = useConsole(sessionSelectors.desks);
  const deskNames = useConsole(useShallow(settingsSelectors.deskNames));
  const [form, setForm] = useState<HistoryFilters>(applied);
  const [rangeError, setRangeError] = useState<string | null>(null);
  const desks: ReadonlyArray<HelpDeskId> = isAdmin ? HELP_DESK_IDS : myDesks;

  const edit = (patch: Partial<HistoryFilters>) => setForm((f) => ({ ...f, ...patch }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const problem = rangeProblem(form.fromDay, form.toDay);
    setRangeError(problem);
    if (!problem) void store.getState().searchHistory(form, 0);
  };
  const clear = () => {
    setForm(NO_HISTORY_FILTERS);
    setRangeError(null);
    void store.getState().searchHistory(NO_HISTORY_FILTERS, 0);
  };

  return (
    <form
      className="records-filters history-filters"
      aria-label="Search closed requests"
      noValidate
      onSubmit={submit}
    >
      <TextField
        label="Reference"
        value={form.reference}
        placeholder="K7M-4QX"
        autoComplete="off"
        spellCheck={false}
        className="field-mono records-field-short"
        onChange={(e) => edit({ reference: e.target.value })}
      />
      <TextField
        label="Username"
        value={form.username}
        autoComplete="off"
        spellCheck={false}
        onChange={(e) => edit({ username: e.target.value })}
      />
      <TextField
        label="Agent"
        value={form.agent}
        autoComplete="off"
        spellCheck={false}
        onChange={(e) => edit({ agent: e.target.value })}
      />
      <div className="field">
        <label htmlFor="history-desk">Desk</label>
        <select
          id="history-desk"
          value={form.desk}
          onChange={(e) => edit({ desk: e.target.value as HelpDeskId | '' })}
        >
          <option value="">{isAdmin || desks.length > 1 ? 'All desks' : 'Any'}</option>
          {desks.map((desk) => (
            <option key={desk} value={desk}>
              {deskNames[desk]}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="history-outcome">Outcome</label>
        <select
          id="history-outcome"
          value={form.outcome}
          onChange={(e) => edit({ outcome: e.target.value as ClosedState | '' })}
        >
          <option value="">Any outcome</option>
          {CLOSED_STATES.map((state) => (
            <option key={state} value={state}>
              {OUTCOME_LABELS[state]}
            </option>
          ))}
        </select>
      </div>
      <DayRangeFields
        fromLabel="Closed from"
        toLabel="Closed to"
        fromDay={form.fromDay}
        toDay={form.toDay}
        error={rangeError ?? undefined}
        onChange={(range) => {
          setRangeError(null);
          edit(range);
        }}
      />
      <div className="records-filter-actions">
        <button type="submit" className="button button-primary" disabled={status === 'loading'}>
          Search
        </button>
        <button type="button" className="button" onClick={clear}>
          Clear
        </button>
      </div>
    </form>
  );
}
