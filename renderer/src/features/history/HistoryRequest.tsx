// A closed request opened from History: what it was and how it ended, the checks recorded with their
// notes, and its whole trail from the audit log in words, oldest first.
import { useEffect, useRef } from 'react';
import type { AuditEntryView } from '../../../../server/contract/history';
import type { RequestView } from '../../../../server/contract/request-view';
import { isOpenState } from '../../../../server/domain/request-states';
import {
  historySelectors,
  sessionSelectors,
  settingsSelectors,
  useConsole,
  useConsoleStore,
} from '../../store';
import { NO_AUDIT_FILTERS } from '../../store/audit-state';
import { riskWords } from '../../ui/RiskBadge';
import { StateBadge } from '../../ui/StateBadge';
import { formatMoment, formatMomentExact } from './records-ui';

export function HistoryRequest() {
  const store = useConsoleStore();
  const detail = useConsole(historySelectors.detail);
  const isAdmin = useConsole(sessionSelectors.isAdmin);
  const heading = useRef<HTMLHeadingElement>(null);
  const back = () => store.getState().closeHistory();
  /** Admins: the request's entries in the Audit view, with their details and the export. */
  const inAudit = (reference: string) => {
    const state = store.getState();
    state.setScreen('audit');
    void state.searchAudit({ ...NO_AUDIT_FILTERS, request: reference }, 0);
  };
  const ready = detail.step === 'ready';

  // Opening a request moves the reader to it.
  useEffect(() => {
    if (ready) heading.current?.focus();
  }, [ready]);

  return (
    <section
      className="history-request"
      aria-labelledby="history-request-heading"
      onKeyDown={(event) => {
        // Escape goes back to the results here (elsewhere it goes back to the queue).
        if (event.key !== 'Escape' || event.defaultPrevented) return;
        event.preventDefault();
        back();
      }}
    >
      <button type="button" className="button button-quiet records-back" onClick={back}>
        <span aria-hidden="true">←</span> Back to results
      </button>
      {detail.step === 'loading' ? (
        <p role="status" className="records-empty">
          Loading the request and its trail…
        </p>
      ) : detail.step === 'error' ? (
        <div className="notice notice-error notice-row" role="alert">
          <span>{detail.message}</span>
          <button
            type="button"
            className="button button-small"
            onClick={() => void store.getState().openHistory(detail.requestId)}
          >
            Try again
          </button>
        </div>
      ) : detail.step === 'ready' ? (
        <>
          <header className="history-request-head">
            <h2 id="history-request-heading" ref={heading} tabIndex={-1}>
              <span className="mono">{detail.detail.request.reference}</span> ·{' '}
              <span className="history-request-who">
                {detail.detail.request.displayName || detail.detail.request.username}
              </span>
            </h2>
            <StateBadge state={detail.detail.request.state} />
            {isAdmin ? (
              <button
                type="button"
                className="button button-small history-request-audit"
                onClick={() => inAudit(detail.detail.request.reference)}
              >
                Open in the audit log
              </button>
            ) : null}
          </header>
          <RequestSummary request={detail.detail.request} trail={detail.detail.trail} />
          <Trail trail={detail.detail.trail} />
        </>
      ) : null}
    </section>
  );
}

function RequestSummary({ request, trail }: { request: RequestView; trail: AuditEntryView[] }) {
  const desk = useConsole(settingsSelectors.deskName(request.desk));
  const checks = useConsole((s) => s.config?.verificationPolicy.checks);
  const checkLabel = (id: string) => checks?.find((c) => c.id === id)?.label ?? id;
  const closed = !isOpenState(request.state);
  // A closed request no longer carries its passcode's record: the trail counts the reveals.
  const reveals = Math.max(
    request.otp?.revealCount ?? 0,
    trail.filter((entry) => entry.action === 'request.otp-revealed').length,
  );

  return (
    <div className="history-summary">
      <dl className="facts history-facts" aria-label="Summary">
        <div>
          <dt>User</dt>
          <dd>
            {request.displayName || request.username}{' '}
            <span className="mono muted">{request.username}</span>
            {request.inDirectory ? null : (
              <span className="badge badge-warn">Not in directory</span>
            )}
          </dd>
        </div>
        <div>
          <dt>Desk</dt>
          <dd>{desk}</dd>
        </div>
        <div>
          <dt>Asked</dt>
          <dd>{formatMomentExact(request.createdAt)}</dd>
        </div>
        <div>
          <dt>{closed ? 'Closed' : 'Last change'}</dt>
          <dd>{formatMomentExact(request.updatedAt)}</dd>
        </div>
        <div>
          <dt>Outcome</dt>
          <dd>{request.closedReason ?? '—'}</dd>
        </div>
        <div>
          <dt>Held by</dt>
          <dd>{request.claimedBy?.username ?? <span className="muted">nobody</span>}</dd>
        </div>
        <div>
          <dt>Passcodes revealed</dt>
          <dd>{reveals}</dd>
        </div>
        <div>
          <dt>Wrong passcodes entered</dt>
          <dd>{request.failedAttempts}</dd>
        </div>
        <div>
          <dt>Risk</dt>
          <dd>
            {riskWords(request.risk.level)} (score {request.risk.score})
          </dd>
        </div>
        {request.approval ? (
          <div>
            <dt>Second approver</dt>
            <dd>
              {request.approval.state === 'approved' && request.approval.approvedBy
                ? `Approved by ${request.approval.approvedBy.username}`
                : `Asked by ${request.approval.requestedBy.username}, not approved`}
            </dd>
          </div>
        ) : null}
      </dl>
      <div className="history-checks">
        <h3 className="section-title">Checks recorded</h3>
        {request.verification.length === 0 ? (
          <p className="muted">No check was recorded.</p>
        ) : (
          <ul className="history-check-list">
            {request.verification.map((record) => (
              <li key={`${record.checkId}-${record.at}`}>
                <span className="history-check-label">{checkLabel(record.checkId)}</span>
                <span className="muted">
                  {record.method === 'server-verified'
                    ? ` — code read back to ${record.by.username}, checked by the server`
                    : ` — ${record.by.username}`}
                  , {formatMoment(record.at)}
                </span>
                {record.note ? <q className="history-check-note">{record.note}</q> : null}
              </li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}

function Trail({ trail }: { trail: AuditEntryView[] }) {
  return (
    <section className="history-trail" aria-labelledby="history-trail-heading">
      <h3 id="history-trail-heading" className="section-title">
        Trail ({trail.length} {trail.length === 1 ? 'entry' : 'entries'}, oldest first)
      </h3>
      {trail.length === 0 ? (
        <p className="muted">The audit log holds no entry for this request.</p>
      ) : (
        <ol className="trail">
          {trail.map((entry) => (
            <li key={entry.seq} className="trail-entry">
              <time className="trail-time mono" dateTime={entry.at}>
                {formatMomentExact(entry.at)}
              </time>
              <span className="trail-words">{entry.words}</span>
              <span className="trail-meta muted">
                {entry.actor} · {entry.action}
              </span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
