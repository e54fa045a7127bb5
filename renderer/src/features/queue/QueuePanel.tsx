// The queue's column: counts, desk filter and search above the live, virtualised list.
import { useShallow } from 'zustand/react/shallow';
import {
  queueSelectors,
  sessionSelectors,
  settingsSelectors,
  useConsole,
  useConsoleStore,
} from '../../store';
import type { DeskFilter } from '../../store/queue-state';
import { QUEUE_SEARCH_ID } from '../shell/shortcuts';
import { QueueList } from './QueueList';

export function QueuePanel() {
  const store = useConsoleStore();
  const desks = useConsole(sessionSelectors.desks);
  const deskNames = useConsole(useShallow(settingsSelectors.deskNames));
  const deskFilter = useConsole(queueSelectors.deskFilter);
  const search = useConsole(queueSelectors.search);
  const openCount = useConsole(queueSelectors.openCount);
  const pending = useConsole(queueSelectors.pendingCount);
  const shown = useConsole((s) => queueSelectors.visibleIds(s).length);
  const status = useConsole(queueSelectors.status);
  const error = useConsole(queueSelectors.error);

  return (
    <section className="queue-panel" aria-labelledby="queue-heading">
      <div className="queue-head">
        <h1 id="queue-heading" className="panel-title">
          Queue
        </h1>
        <p className="queue-counts" aria-live="polite">
          {pending} waiting · {openCount} open
          {shown !== openCount ? ` · ${shown} shown` : ''}
        </p>
      </div>
      <div className="queue-filters">
        <div className="field field-grow">
          <label htmlFor={QUEUE_SEARCH_ID} className="visually-hidden">
            Search
          </label>
          <input
            id={QUEUE_SEARCH_ID}
            type="search"
            aria-keyshortcuts="/"
            placeholder="Search reference or username"
            autoComplete="off"
            spellCheck={false}
            value={search}
            onChange={(e) => store.getState().setSearch(e.target.value)}
          />
        </div>
        {desks.length > 1 ? (
          <div className="field">
            <label htmlFor="queue-desk" className="visually-hidden">
              Desk
            </label>
            <select
              id="queue-desk"
              value={deskFilter}
              onChange={(e) => store.getState().setDeskFilter(e.target.value as DeskFilter)}
            >
              <option value="all">All my desks</option>
              {desks.map((desk) => (
                <option key={desk} value={desk}>
                  {deskNames[desk]}
                </option>
              ))}
            </select>
          </div>
        ) : null}
      </div>
      {status === 'error' ? (
        <p className="notice notice-error" role="alert">
          The queue could not be loaded: {error}{' '}
          <button
            type="button"
            className="button button-link"
            onClick={() => void store.getState().loadQueue()}
          >
            Try again
          </button>
        </p>
      ) : null}
      <QueueList />
      <p className="queue-keys" aria-hidden="true">
        <kbd>↑</kbd>
        <kbd>↓</kbd> move · <kbd>Enter</kbd> open · <kbd>C</kbd> claim · <kbd>/</kbd> search ·{' '}
        <kbd>?</kbd> all keys
      </p>
    </section>
  );
}
