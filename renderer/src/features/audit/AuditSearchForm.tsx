// The Audit filters: who acted, what they did, which request, and the days; sent on Filter (or Enter).
import { useState, type FormEvent } from 'react';
import { auditSelectors, useConsole, useConsoleStore } from '../../store';
import { rangeProblem } from '../../store/history-slice';
import { NO_AUDIT_FILTERS, type AuditFilters } from '../../store/audit-state';
import { TextField } from '../../ui/Field';
import { DayRangeFields } from '../history/records-ui';
import { AUDIT_ACTION_GROUPS } from './audit-actions';

export function AuditSearchForm() {
  const store = useConsoleStore();
  const applied = useConsole(auditSelectors.filters);
  const status = useConsole(auditSelectors.status);
  const [form, setForm] = useState<AuditFilters>(applied);
  const [rangeError, setRangeError] = useState<string | null>(null);

  const edit = (patch: Partial<AuditFilters>) => setForm((f) => ({ ...f, ...patch }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const problem = rangeProblem(form.fromDay, form.toDay);
    setRangeError(problem);
    if (!problem) void store.getState().searchAudit(form, 0);
  };
  const clear = () => {
    setForm(NO_AUDIT_FILTERS);
    setRangeError(null);
    void store.getState().searchAudit(NO_AUDIT_FILTERS, 0);
  };
  const known = AUDIT_ACTION_GROUPS.some(
    (g) => g.prefix === form.action || g.actions.some(([action]) => action === form.action),
  );

  return (
    <form
      className="records-filters"
      aria-label="Filter the audit log"
      noValidate
      onSubmit={submit}
    >
      <TextField
        label="Actor"
        value={form.actor}
        placeholder="agent:alice"
        hint="agent:…, user:… or system"
        autoComplete="off"
        spellCheck={false}
        className="field-mono"
        onChange={(e) => edit({ actor: e.target.value })}
      />
      <div className="field">
        <label htmlFor="audit-action">Action</label>
        <select
          id="audit-action"
          value={form.action}
          onChange={(e) => edit({ action: e.target.value })}
        >
          <option value="">Any action</option>
          {!known && form.action ? <option value={form.action}>{form.action}</option> : null}
          {AUDIT_ACTION_GROUPS.map((group) => (
            <optgroup key={group.label} label={group.label}>
              {group.prefix ? (
                <option value={group.prefix}>All {group.label.toLowerCase()}</option>
              ) : null}
              {group.actions.map(([action, label]) => (
                <option key={action} value={action}>
                  {label}
                </option>
              ))}
            </optgroup>
          ))}
        </select>
      </div>
      <TextField
        label="Request"
        value={form.request}
        placeholder="K7M-4QX"
        hint="Reference code or id"
        autoComplete="off"
        spellCheck={false}
        className="field-mono records-field-short"
        onChange={(e) => edit({ request: e.target.value })}
      />
      <DayRangeFields
        fromLabel="From"
        toLabel="To"
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
          Filter
        </button>
        <button type="button" className="button" onClick={clear}>
          Clear
        </button>
      </div>
    </form>
  );
}
