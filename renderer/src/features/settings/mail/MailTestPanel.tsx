// Send test mail: the form's settings (saved or not) to one address, and what the SMTP server said,
// or where it stopped in an admin's words, so they know what to fix.
import { useState } from 'react';
import type { MailSettings, MailTestStage } from '../../../../../server/contract/mail';
import { mailSelectors, useConsole, useConsoleStore } from '../../../store';
import { TextField } from '../../../ui/Field';

/** Where a test stopped, in the words an admin looks for. */
export const MAIL_STAGE_WORDS: Record<MailTestStage, string> = {
  settings: 'Settings',
  dns: 'DNS',
  connect: 'Connection',
  tls: 'TLS',
  auth: 'Authentication',
  sender: 'Sender refused',
  recipient: 'Recipient refused',
  timeout: 'Timeout',
  other: 'Failed',
};

export function MailTestPanel(props: { settings: MailSettings; password: string | undefined }) {
  const store = useConsoleStore();
  const test = useConsole(mailSelectors.test);
  const [to, setTo] = useState('');
  const running = test.step === 'running';

  const run = () => {
    if (running) return;
    void store.getState().testMail({
      settings: props.settings,
      to: to.trim(),
      ...(props.password !== undefined ? { password: props.password } : {}),
    });
  };

  return (
    <fieldset className="directory-group directory-test">
      <legend>Send test mail</legend>
      <p className="field-hint">
        Sends one mail with the settings above, saved or not. Nothing is saved or queued.
      </p>
      <div className="field-row field-row-end">
        <TextField
          label="Send the test to"
          type="email"
          value={to}
          placeholder="you@example.com"
          autoComplete="off"
          spellCheck={false}
          error={test.step === 'refused' ? test.fields['to'] : undefined}
          onChange={(e) => setTo(e.target.value)}
          onKeyDown={(e) => {
            // Enter sends the test; it must not save the whole form.
            if (e.key === 'Enter') {
              e.preventDefault();
              run();
            }
          }}
        />
        <button type="button" className="button" disabled={running} onClick={run}>
          {running ? 'Sending…' : 'Send test mail'}
        </button>
      </div>
      <div aria-live="polite">
        {test.step === 'done' ? (
          test.result.ok ? (
            <div className="notice notice-success test-result">
              <p>
                <strong>Sent to {test.to}</strong> in {test.result.elapsedMs} ms. Check that it
                arrived.
              </p>
              <p className="field-hint">
                The server answered: <span className="mono">{test.result.response}</span>
              </p>
            </div>
          ) : (
            <p className="notice notice-error">
              <strong>{MAIL_STAGE_WORDS[test.result.stage]}:</strong> {test.result.message}
            </p>
          )
        ) : null}
        {test.step === 'refused' ? (
          <p className="notice notice-error">
            <strong>Not sent:</strong> {test.message}
          </p>
        ) : null}
      </div>
    </fieldset>
  );
}
