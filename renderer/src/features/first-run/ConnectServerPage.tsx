// First run of the desktop app with no server set by the organisation (or the agent's "Change
// server…" from the tray): asks for the help desk server's address, has the app check that Help
// Desk OTP answers there, and hands over to it.
import { useRef, useState, type FormEvent } from 'react';
import { ServerUrlSchema } from '../../../../main/server-url';
import type { ChooseServerResult, ServerChoice } from './server-choice';

type Step =
  | { step: 'editing' }
  | { step: 'checking' }
  | { step: 'failed'; message: string }
  | { step: 'connected'; serverUrl: string };

/** `helpdesk.example.com` means https://helpdesk.example.com; a typed scheme is kept as typed. */
function withScheme(typed: string): string {
  const address = typed.trim();
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(address) || address === ''
    ? address
    : `https://${address}`;
}

function failureMessage(serverUrl: string, result: Extract<ChooseServerResult, { ok: false }>) {
  switch (result.reason) {
    case 'fixed':
      return result.detail === 'managed'
        ? 'Your organisation has set the server address; it cannot be changed here.'
        : 'HELPDESK_SERVER_URL sets the server address for this launch of the app.';
    case 'unreachable':
      return `No server answered at ${serverUrl} (${result.detail}). Check the address, and that this computer can reach it.`;
    case 'not-help-desk':
      return `Something answered at ${serverUrl}, but not a Help Desk OTP server. Check the address with your IT team.`;
  }
}

export function ConnectServerPage({
  choice,
  current,
  onCancel,
}: {
  choice: ServerChoice;
  /** The server in use when the agent changes it; none at first run. */
  current?: string;
  /** Back to the console on `current`. */
  onCancel?: () => void;
}) {
  const [address, setAddress] = useState(current ?? '');
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [state, setState] = useState<Step>({ step: 'editing' });
  const input = useRef<HTMLInputElement>(null);
  const busy = state.step === 'checking' || state.step === 'connected';

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    // The rule main applies again when it receives the address.
    const parsed = ServerUrlSchema.safeParse(withScheme(address));
    if (!parsed.success) {
      setFieldError(
        address.trim() === ''
          ? 'Enter the address of your help desk server.'
          : (parsed.error.issues[0]?.message ?? 'This is not a server address.'),
      );
      setState({ step: 'editing' });
      input.current?.focus();
      return;
    }
    setFieldError(null);
    setState({ step: 'checking' });
    try {
      const result = await choice.choose(parsed.data);
      setState(
        result.ok
          ? { step: 'connected', serverUrl: result.serverUrl }
          : { step: 'failed', message: failureMessage(parsed.data, result) },
      );
    } catch (error) {
      setState({
        step: 'failed',
        message: `The app could not check ${parsed.data}: ${(error as Error).message}`,
      });
    }
  };

  return (
    <main className="auth-page">
      <div className="auth-card auth-card-wide">
        <h1 className="auth-title">Connect to your help desk server</h1>
        {current ? (
          <p className="auth-subtitle">
            The app uses <span className="mono">{current}</span> now. Enter the address of the
            server to use instead.
          </p>
        ) : (
          <p className="auth-subtitle">
            Help Desk OTP works with your organisation&apos;s help desk server. Enter its address;
            your IT team can tell you what it is.
          </p>
        )}
        {state.step === 'failed' ? (
          <p className="notice notice-error" role="alert">
            {state.message}
          </p>
        ) : null}
        {state.step === 'connected' ? (
          <p className="notice notice-success" role="status">
            Connected to <span className="mono">{state.serverUrl}</span>. Opening the console…
          </p>
        ) : null}
        <form onSubmit={(event) => void submit(event)} noValidate>
          <div className="field">
            <label htmlFor="server-address">Server address</label>
            <input
              id="server-address"
              ref={input}
              name="serverUrl"
              type="url"
              inputMode="url"
              autoComplete="url"
              autoCapitalize="none"
              spellCheck={false}
              placeholder="https://helpdesk.example.com"
              required
              autoFocus
              readOnly={busy}
              value={address}
              onChange={(e) => setAddress(e.target.value)}
              aria-invalid={fieldError ? true : undefined}
              aria-describedby={fieldError ? 'server-address-error' : 'server-address-hint'}
            />
            {fieldError ? (
              <p id="server-address-error" className="field-error">
                {fieldError}
              </p>
            ) : (
              <p id="server-address-hint" className="field-hint">
                For example https://helpdesk.example.com. The app checks that a Help Desk OTP server
                answers there before it saves the address.
              </p>
            )}
          </div>
          <button type="submit" className="button button-primary button-block" disabled={busy}>
            {state.step === 'checking' ? 'Checking…' : 'Connect'}
          </button>
          {onCancel ? (
            <button
              type="button"
              className="button button-block"
              disabled={busy}
              onClick={onCancel}
            >
              Cancel
            </button>
          ) : null}
        </form>
      </div>
    </main>
  );
}
