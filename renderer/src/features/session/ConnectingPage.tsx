// Shown while a saved or new session waits for the server to confirm it.
import { connectionSelectors, sessionSelectors, useConsole, useConsoleStore } from '../../store';

export function ConnectingPage() {
  const store = useConsoleStore();
  const status = useConsole(connectionSelectors.status);
  const serverUrl = useConsole(sessionSelectors.serverUrl);
  const phase = useConsole(sessionSelectors.phase);
  return (
    <main className="auth-page">
      <div className="auth-card" aria-busy="true">
        <h1 className="auth-title">Help Desk OTP</h1>
        <p role="status" className="auth-subtitle">
          {phase === 'starting'
            ? 'Starting…'
            : status === 'reconnecting' || status === 'offline'
              ? `Cannot reach ${serverUrl}; retrying…`
              : 'Connecting to the server…'}
        </p>
        {phase === 'connecting' ? (
          <button type="button" className="button" onClick={() => void store.getState().signOut()}>
            Sign out
          </button>
        ) : null}
      </div>
    </main>
  );
}
