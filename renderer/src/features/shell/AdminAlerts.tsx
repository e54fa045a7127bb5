// Alerts pushed to every admin console (a user said a passcode issued for them was not theirs, an agent
// reported a suspicious caller, a cap was reached, a second approver refused): shown at the top until
// dismissed, with the way to the blocks list when the alert placed a block.
import type { AdminAlert } from '../../../../server/contract/mail';
import { mailSelectors, sessionSelectors, useConsole, useConsoleStore } from '../../store';
import { BLOCKED_USERS_HEADING_ID } from '../settings/mail/BlockedUsers';

/** What kind of alert it is, before the server's sentence on who and what it did about it. */
const KIND_WORDS: Record<AdminAlert['kind'], string> = {
  'not-me': '“This wasn’t me”',
  'suspicious-caller': 'Suspicious caller',
  'cap-reached': 'Limit reached',
  'approval-refused': 'Approval refused',
  'audit-export-stopped': 'Audit export stopped',
};

/** The kinds that blocked the user's help-desk method, so the blocks list is where to act. */
const BLOCKS: ReadonlySet<AdminAlert['kind']> = new Set(['not-me', 'suspicious-caller']);

export function AdminAlerts() {
  const store = useConsoleStore();
  const alerts = useConsole(mailSelectors.alerts);
  const isAdmin = useConsole(sessionSelectors.isAdmin);
  if (!isAdmin || alerts.length === 0) return null;

  const showBlocks = () => {
    store.getState().openSettings('blocked-users');
    // After Settings has rendered: bring the list into view and focus its heading.
    requestAnimationFrame(() => {
      const heading = document.getElementById(BLOCKED_USERS_HEADING_ID);
      heading?.scrollIntoView({ block: 'start' });
      heading?.focus();
    });
  };

  return (
    <section className="admin-alerts" aria-label="Alerts">
      {alerts.map((alert) => (
        <div key={alert.id} className="banner banner-alert" role="alert">
          <p className="banner-alert-text">
            <strong>{KIND_WORDS[alert.kind]}:</strong> {alert.message}{' '}
            {alert.reference && !alert.message.includes(alert.reference) ? (
              <>
                (request <span className="mono">{alert.reference}</span>){' '}
              </>
            ) : null}
            <span className="banner-alert-time">
              ({new Date(alert.at).toLocaleTimeString([], { hour: 'numeric', minute: '2-digit' })})
            </span>
          </p>
          <div className="banner-alert-actions">
            {BLOCKS.has(alert.kind) ? (
              <button type="button" className="button button-small" onClick={showBlocks}>
                See blocked users
              </button>
            ) : null}
            <button
              type="button"
              className="button button-small button-quiet"
              aria-label={`Dismiss the alert about ${alert.username}`}
              onClick={() => store.getState().dismissAlert(alert.id)}
            >
              Dismiss
            </button>
          </div>
        </div>
      ))}
    </section>
  );
}
