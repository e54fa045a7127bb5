// The sign-in screen: username and password, the authenticator code when the server asks for it.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { ServerSetting } from '../first-run/server-choice';
import { sessionSelectors, useConsole, useConsoleStore } from '../../store';
import { ServerStatusLine } from './ServerStatusLine';

export function SignInPage({
  serverSource = null,
}: {
  /** Where the desktop app's server address comes from; null in a browser. */
  serverSource?: ServerSetting['source'];
}) {
  const store = useConsoleStore();
  const phase = useConsole(sessionSelectors.phase);
  const error = useConsole(sessionSelectors.signInError);
  const totpNeeded = useConsole(sessionSelectors.totpNeeded);
  const ended = useConsole(sessionSelectors.endedMessage);
  const serverUrl = useConsole(sessionSelectors.serverUrl);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [totp, setTotp] = useState('');
  const totpInput = useRef<HTMLInputElement>(null);
  const busy = phase === 'signing-in';

  useEffect(() => {
    if (totpNeeded) totpInput.current?.focus();
  }, [totpNeeded]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void store.getState().signIn({
      username,
      password,
      ...(totpNeeded && totp ? { totp: totp.replace(/\s/g, '') } : {}),
    });
  };

  const fieldError = (name: string) => error?.fields[name];

  return (
    <main className="auth-page">
      <div className="auth-card">
        <h1 className="auth-title">Help Desk OTP</h1>
        <p className="auth-subtitle">Agent console — sign in</p>
        {ended ? (
          <p className="notice notice-info" role="status">
            {ended}
          </p>
        ) : null}
        {error?.code === 'totp-required' ? (
          // Not a mistake: the next step of signing in.
          <p className="notice notice-info" role="alert">
            {error.message}
          </p>
        ) : error ? (
          <p className="notice notice-error" role="alert">
            {error.message}
          </p>
        ) : null}
        <form onSubmit={submit} noValidate>
          <div className="field">
            <label htmlFor="signin-username">Username</label>
            <input
              id="signin-username"
              name="username"
              autoComplete="username"
              autoCapitalize="none"
              spellCheck={false}
              required
              value={username}
              onChange={(e) => setUsername(e.target.value)}
              aria-invalid={fieldError('username') ? true : undefined}
            />
          </div>
          <div className="field">
            <label htmlFor="signin-password">Password</label>
            <input
              id="signin-password"
              name="password"
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              aria-invalid={fieldError('password') ? true : undefined}
            />
          </div>
          {totpNeeded ? (
            <div className="field">
              <label htmlFor="signin-totp">Authenticator code</label>
              <input
                id="signin-totp"
                ref={totpInput}
                name="totp"
                inputMode="numeric"
                autoComplete="one-time-code"
                pattern="\d{6}"
                maxLength={7}
                value={totp}
                onChange={(e) => setTotp(e.target.value)}
                aria-describedby="signin-totp-hint"
              />
              <p id="signin-totp-hint" className="field-hint">
                The six digits your authenticator app shows now.
              </p>
            </div>
          ) : null}
          <button type="submit" className="button button-primary button-block" disabled={busy}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
        <ServerStatusLine serverUrl={serverUrl} source={serverSource} />
      </div>
    </main>
  );
}
