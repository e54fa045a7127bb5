// History (every agent): closed requests of the agent's desks (an admin's: every desk), searched and
// paged on the server, newest first; a request opened shows its summary and whole trail.
import { useEffect, useRef } from 'react';
import { historySelectors, sessionSelectors, useConsole, useConsoleStore } from '../../store';
import { HistoryRequest } from './HistoryRequest';
import { HistoryResults, openButtonId } from './HistoryResults';
import { HistorySearchForm } from './HistorySearchForm';

export function HistoryPage() {
  const store = useConsoleStore();
  const isAdmin = useConsole(sessionSelectors.isAdmin);
  const detail = useConsole(historySelectors.detail);
  const opened = detail.step === 'closed' ? null : detail.requestId;
  const lastOpened = useRef<string | null>(null);

  // Fresh results on arrival (requests close all day), on the page the agent left.
  useEffect(() => {
    const state = store.getState();
    void state.searchHistory(state.historyFilters, state.historyOffset);
  }, [store]);

  // Back from a request: focus returns to the row it was opened from.
  useEffect(() => {
    if (opened) {
      lastOpened.current = opened;
      return;
    }
    const from = lastOpened.current;
    lastOpened.current = null;
    if (from) document.getElementById(openButtonId(from))?.focus();
  }, [opened]);

  return (
    <main className="records" aria-labelledby="history-heading">
      <div className="records-inner">
        <h1 id="history-heading" className="page-title">
          History
        </h1>
        <p className="page-lede">
          Closed requests {isAdmin ? 'of every desk' : 'of your desks'}, newest first. Open one to
          see its whole trail from the audit log.
        </p>
        {opened ? (
          <HistoryRequest />
        ) : (
          <>
            <HistorySearchForm />
            <HistoryResults />
          </>
        )}
      </div>
    </main>
  );
}
