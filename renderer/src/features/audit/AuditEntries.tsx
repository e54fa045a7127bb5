// One page of audit entries, newest first: when, who, what and the entry in words, its details (and
// its place in the chain) on demand; the count and the pager.
import { Fragment, useState } from 'react';
import type { AuditEntryView } from '../../../../server/contract/history';
import { auditSelectors, useConsole, useConsoleStore } from '../../store';
import { AUDIT_PAGE_SIZE, NO_AUDIT_FILTERS, type AuditFilters } from '../../store/audit-state';
import { formatMomentExact, RecordsResults } from '../history/records-ui';

const filtered = (filters: AuditFilters) =>
  (Object.keys(NO_AUDIT_FILTERS) as Array<keyof AuditFilters>).some(
    (key) => filters[key].trim() !== '',
  );

export function AuditEntries() {
  const store = useConsoleStore();
  const entries = useConsole(auditSelectors.entries);
  const total = useConsole(auditSelectors.total);
  const offset = useConsole(auditSelectors.offset);
  const status = useConsole(auditSelectors.status);
  const error = useConsole(auditSelectors.error);
  const filters = useConsole(auditSelectors.filters);
  const [expanded, setExpanded] = useState<ReadonlySet<number>>(new Set());
  const busy = status === 'loading';

  const page = (to: number) => {
    setExpanded(new Set());
    void store.getState().searchAudit(filters, to);
  };
  const toggle = (seq: number) =>
    setExpanded((open) => {
      const next = new Set(open);
      if (!next.delete(seq)) next.add(seq);
      return next;
    });

  return (
    <RecordsResults
      id="audit-results-heading"
      title="Entries"
      status={status}
      error={error}
      offset={offset}
      shown={entries.length}
      total={total}
      pageSize={AUDIT_PAGE_SIZE}
      pagerLabel="Pages of audit entries"
      emptyText={filtered(filters) ? 'No entry matches these filters.' : 'The audit log is empty.'}
      searchingText="Searching the audit log…"
      onPage={page}
    >
      <table
        className="data-table records-table audit-table"
        aria-label="Audit entries"
        aria-busy={busy}
      >
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Actor</th>
            <th scope="col">Action</th>
            <th scope="col">What happened</th>
            <th scope="col">
              <span className="visually-hidden">Details</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {entries.map((entry) => (
            <AuditRow
              key={entry.seq}
              entry={entry}
              open={expanded.has(entry.seq)}
              onToggle={() => toggle(entry.seq)}
            />
          ))}
        </tbody>
      </table>
    </RecordsResults>
  );
}

function AuditRow({
  entry,
  open,
  onToggle,
}: {
  entry: AuditEntryView;
  open: boolean;
  onToggle(): void;
}) {
  const detailsId = `audit-details-${entry.seq}`;
  return (
    <Fragment>
      <tr className={open ? 'is-expanded' : undefined}>
        <td className="records-when">
          <time dateTime={entry.at}>{formatMomentExact(entry.at)}</time>
        </td>
        <td className="mono audit-actor">{entry.actor}</td>
        <td className="mono audit-action">{entry.action}</td>
        <th scope="row" className="audit-words">
          {entry.words}
        </th>
        <td className="row-actions">
          <button
            type="button"
            className="button button-small"
            aria-expanded={open}
            aria-controls={open ? detailsId : undefined}
            aria-label={`Details of entry #${entry.seq}`}
            onClick={onToggle}
          >
            Details{' '}
            <span aria-hidden="true" className="audit-caret">
              {open ? '▾' : '▸'}
            </span>
          </button>
        </td>
      </tr>
      {open ? (
        <tr className="audit-details-row">
          <td colSpan={5} id={detailsId}>
            <dl className="audit-details">
              <div>
                <dt>Entry</dt>
                <dd className="mono">#{entry.seq}</dd>
              </div>
              <div>
                <dt>At (UTC)</dt>
                <dd className="mono">{entry.at}</dd>
              </div>
              {entry.requestId ? (
                <div>
                  <dt>Request</dt>
                  <dd className="mono">{entry.requestId}</dd>
                </div>
              ) : null}
              {Object.entries(entry.details).map(([key, value]) => (
                <div key={key}>
                  <dt>{key}</dt>
                  <dd className="mono">{detailText(key, value)}</dd>
                </div>
              ))}
            </dl>
          </td>
        </tr>
      ) : null}
    </Fragment>
  );
}

/** A detail as text; a moment (`…At` in ms) also in the reader's own time. */
function detailText(key: string, value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && /At$/.test(key) && value > 1e12)
    return `${new Date(value).toISOString()} (${formatMomentExact(value)})`;
  if (value === null || value === undefined) return '—';
  return JSON.stringify(value);
}
