// First sign-in where the realm requires an authenticator: scan the QR code, confirm with a code.
import { useEffect, useState, type FormEvent } from 'react';
import { sessionSelectors, useConsole, useConsoleStore } from '../../store';

/** The base32 secret in groups of four, for typing in by hand. */
function groupSecret(secret: string): string {
  return secret.replace(/(.{4})(?=.)/g, '$1 ');
}

export function TotpEnrolmentPage() {
  const store = useConsoleStore();
  const enrolment = useConsole(sessionSelectors.enrolment);
  const error = useConsole(sessionSelectors.enrolmentError);
  const agent = useConsole(sessionSelectors.agent);
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!store.getState().enrolment) void store.getState().beginTotpEnrolment();
  }, [store]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    await store.getState().confirmTotpEnrolment(code.replace(/\s/g, ''));
    setBusy(false);
  };

  return (
    <main className="auth-page">
      <div className="auth-card auth-card-wide">
        <h1 className="auth-title">Set up your authenticator app</h1>
        <p className="auth-subtitle">
          {agent ? `${agent.displayName}, your` : 'Your'} realm requires a code from an
          authenticator app at every sign-in. Scan the QR code with the app (or type the key in),
          then enter the six-digit code it shows.
        </p>
        {error ? (
          <p className="notice notice-error" role="alert">
            {error}
          </p>
        ) : null}
        {enrolment ? (
          <div className="enrol">
            <img
              className="enrol-qr"
              src={enrolment.qrDataUrl}
              alt="QR code to scan with your authenticator app"
              width={200}
              height={200}
            />
            <div className="enrol-steps">
              <p className="field-hint">Can't scan? Enter this key in the app:</p>
              <p className="enrol-secret mono" aria-label="Key for manual entry">
                {groupSecret(enrolment.secret)}
              </p>
              <form onSubmit={(e) => void submit(e)} noValidate>
                <div className="field">
                  <label htmlFor="enrol-code">Six-digit code</label>
                  <input
                    id="enrol-code"
                    inputMode="numeric"
                    autoComplete="one-time-code"
                    maxLength={7}
                    value={code}
                    onChange={(e) => setCode(e.target.value)}
                  />
                </div>
                <button type="submit" className="button button-primary" disabled={busy}>
                  {busy ? 'Checking…' : 'Confirm and continue'}
                </button>
              </form>
            </div>
          </div>
        ) : (
          <p role="status">Preparing your key…</p>
        )}
        <button
          type="button"
          className="button button-link"
          onClick={() => void store.getState().signOut()}
        >
          Sign out
        </button>
      </div>
    </main>
  );
}
