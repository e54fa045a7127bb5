// One page of closed requests: reference, user, desk, outcome, agent and when it closed, newest first;
// a row opens the request (its reference is the keyboard's button), with the count and the pager.
import { useShallow } from 'zustand/react/shallow';
import type { HistoryFilters } from '../../store/history-state';
import { historySelectors, settingsSelectors, useConsole, useConsoleStore } from '../../store';
import { HISTORY_PAGE_SIZE, NO_HISTORY_FILTERS } from '../../store/history-state';
import { StateBadge } from '../../ui/StateBadge';
import { formatMoment, RecordsResults } from './records-ui';

/** The id of the button that opens a row's request (focus returns to it). */
export const openButtonId = (requestId: string) => `history-open-${requestId}`;

const filtered = (filters: HistoryFilters) =>
  (Object.keys(NO_HISTORY_FILTERS) as Array<keyof HistoryFilters>).some(
    (key) => filters[key].trim() !== '',
  );

export function HistoryResults() {
  const store = useConsoleStore();
  const rows = useConsole(historySelectors.rows);
  const total = useConsole(historySelectors.total);
  const offset = useConsole(historySelectors.offset);
  const status = useConsole(historySelectors.status);
  const error = useConsole(historySelectors.error);
  const filters = useConsole(historySelectors.filters);
  const deskNames = useConsole(useShallow(settingsSelectors.deskNames));
  const busy = status === 'loading';

  const page = (to: number) => void store.getState().searchHistory(filters, to);
  const open = (id: string) => void store.getState().openHistory(id);

  return (
    <RecordsResults
      id="history-results-heading"
      title="Closed requests"
      status={status}
      error={error}
      offset={offset}
      shown={rows.length}
      total={total}
      pageSize={HISTORY_PAGE_SIZE}
      pagerLabel="Pages of closed requests"
      emptyText={
        filtered(filters)
          ? 'No closed request matches these filters.'
          : 'No closed requests yet. Requests appear here once they are completed, denied, cancelled, expired or locked.'
      }
      searchingText="Searching the closed requests…"
      onPage={page}
    >
      <table
        className="data-table records-table history-table"
        aria-label="Closed requests"
        aria-busy={busy}
      >
        <thead>
          <tr>
            <th scope="col">Reference</th>
            <th scope="col">User</th>
            <th scope="col">Desk</th>
            <th scope="col">Outcome</th>
            <th scope="col">Agent</th>
            <th scope="col">Closed</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.id} className="records-row" onClick={() => open(row.id)}>
              <th scope="row">
                <button
                  type="button"
                  id={openButtonId(row.id)}
                  className="button button-link records-open"
                  aria-label={`Open ${row.reference}, ${row.username}`}
                  onClick={(event) => {
                    event.stopPropagation();
                    open(row.id);
                  }}
                >
                  {row.reference}
                </button>
              </th>
              <td>
                <span className="user-name">{row.displayName || row.username}</span>
                <span className="user-username mono">{row.username}</span>
              </td>
              <td>{deskNames[row.desk]}</td>
              <td>
                <StateBadge state={row.outcome} />
              </td>
              <td>{row.agent ?? <span className="muted">—</span>}</td>
              <td className="records-when">
                <time dateTime={new Date(row.closedAt).toISOString()}>
                  {formatMoment(row.closedAt)}
                </time>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </RecordsResults>
  );
}
