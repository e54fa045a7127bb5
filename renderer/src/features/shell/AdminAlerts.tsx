// Alerts pushed to every admin console (a user said a passcode issued for them was not theirs): shown
// at the top until dismissed, with the way to the blocks list.
import type { AdminAlert } from '../../../../server/contract/mail';
import { mailSelectors, sessionSelectors, useConsole, useConsoleStore } from '../../store';
import { BLOCKED_USERS_HEADING_ID } from '../settings/mail/BlockedUsers';

/** What kind of alert it is, before the server's sentence on who and what it did about it. */
const KIND_WORDS: Record<AdminAlert['kind'], string> = {
  'not-me': '“This wasn’t me”',
};

export function AdminAlerts() {
  const store = useConsoleStore();
  const alerts = useConsole(mailSelectors.alerts);
  const isAdmin = useConsole(sessionSelectors.isAdmin);
  if (!isAdmin || alerts.length === 0) return null;

  const showBlocks = () => {
    store.getState().setScreen('settings');
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
            <span className="banner-alert-time">
              ({new Date(alert.at).toLocaleTimeString([], { hour: 'numeric', minute: '2-digit' })})
            </span>
          </p>
          <div className="banner-alert-actions">
            <button type="button" className="button button-small" onClick={showBlocks}>
              See blocked users
            </button>
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
