// A mailed-code check: the server mails a 6-digit code to the address on file, the caller reads it
// back, the agent types it and the server checks it. The agent never sees the code.
import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { AgentPayloads } from '../../../../server/contract/agent-events';
import type { VerificationCheck } from '../../../../server/contract/realm-config';
import { formatCountdown } from '../../lib/otp-format';
import { useServerNow } from '../queue/use-server-now';
import { requestSelectors, useConsole, useConsoleStore } from '../../store';
import { requestAccess } from './request-access';
import { VerificationRecordLine } from './VerificationRecordLine';

/** The server's own rule for a typed code, so the console refuses exactly what it would. */
const TypedCodeSchema = AgentPayloads['request:check-code'].shape.code;

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

export function MailedCodeCheck({
  check,
  required,
}: {
  check: VerificationCheck;
  required: boolean;
}) {
  const record = useConsole((s) => s.detail?.verification.find((r) => r.checkId === check.id));
  const boxId = `check-${check.id}`;
  return (
    <li className={`check check-mailed ${record ? 'is-done' : ''}`}>
      <div className="check-main">
        <span className="check-kind" aria-hidden="true">
          ✉
        </span>
        <span className="check-label" id={`${boxId}-label`}>
          {check.label}
          {required ? <span className="tag tag-required">required</span> : null}
        </span>
      </div>
      {check.help ? (
        <p id={`${boxId}-help`} className="check-help">
          {check.help}
        </p>
      ) : null}
      {record ? <VerificationRecordLine record={record} /> : <CodeExchange check={check} />}
    </li>
  );
}

function CodeExchange({ check }: { check: VerificationCheck }) {
  const store = useConsoleStore();
  const access = useConsole(useShallow(requestAccess));
  const busy = useConsole(requestSelectors.busy);
  const outcome = useConsole(requestSelectors.codeCheck);
  const sent = useConsole((s) =>
    s.detail?.mailedCode?.checkId === check.id ? s.detail.mailedCode : null,
  );
  const now = useServerNow();
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const inputId = `mailed-code-${check.id}`;

  const canAct = access.heldByMe && access.canEditChecks;
  const expired = sent !== null && now >= sent.expiresAt;
  const used = sent !== null && sent.attemptsLeft <= 0;
  const isVoid = outcome === 'void' || used;
  const live = sent !== null && !expired && !isVoid;
  const sendsLeft = sent?.sendsLeft ?? null;

  const send = () => {
    setCode('');
    setError(null);
    void store.getState().sendCode(check.id);
  };
  const submit = () => {
    const digits = code.replace(/\s/g, '');
    if (!TypedCodeSchema.safeParse(digits).success) {
      setError('Type the six digits the caller reads out.');
      return;
    }
    setError(null);
    void store
      .getState()
      .checkCode(digits)
      .then((result) => {
        if (result.ok) setCode('');
        else if (result.fields['code']) setError(result.fields['code']);
      });
  };

  if (!sent)
    return (
      <div className="mailed-code">
        <p className="field-hint">
          Mails a one-time code to the address on file; the caller reads it back to you and the
          server checks it.
        </p>
        <button
          id={`mailed-code-send-${check.id}`}
          type="button"
          className="button"
          disabled={!canAct || busy !== null}
          onClick={send}
          aria-describedby={`check-${check.id}-label`}
        >
          {busy === 'send-code' ? 'Sending…' : 'Send code'}
        </button>
        {outcome === 'void' ? (
          <p className="field-error" role="status">
            That code is void after too many wrong tries: send a new code.
          </p>
        ) : null}
      </div>
    );

  return (
    <div className="mailed-code">
      <p className="mailed-code-sent" role="status">
        Sent to <strong className="mono">{sent.sentTo}</strong> at{' '}
        {new Date(sent.sentAt).toLocaleTimeString([], { hour: 'numeric', minute: '2-digit' })}
        {expired ? (
          <>
            , <span className="text-bad">expired: send a new code.</span>
          </>
        ) : isVoid ? (
          <>
            , <span className="text-bad">void after too many wrong tries: send a new code.</span>
          </>
        ) : (
          <>, expires in {formatCountdown((sent.expiresAt - now) / 1000)}</>
        )}
      </p>
      {live ? (
        <form
          className="mailed-code-form"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            submit();
          }}
        >
          <div className="field">
            <label htmlFor={inputId}>Code the caller reads back</label>
            <input
              id={inputId}
              className="mailed-code-input mono"
              inputMode="numeric"
              autoComplete="off"
              spellCheck={false}
              maxLength={7}
              placeholder="6 digits"
              value={code}
              disabled={!canAct}
              aria-invalid={error || outcome === 'wrong' ? true : undefined}
              aria-describedby={`${inputId}-outcome`}
              onChange={(e) => setCode(e.target.value.replace(/[^\d ]/g, ''))}
            />
          </div>
          <button
            type="submit"
            className="button button-primary"
            disabled={!canAct || busy !== null}
          >
            {busy === 'check-code' ? 'Checking…' : 'Check code'}
          </button>
        </form>
      ) : null}
      <p id={`${inputId}-outcome`} className="mailed-code-outcome" aria-live="polite">
        {error ? (
          <span className="field-error">{error}</span>
        ) : live && outcome === 'wrong' ? (
          <span className="field-error">
            Wrong code: {plural(sent.attemptsLeft, 'attempt', 'attempts')} left.
          </span>
        ) : null}
      </p>
      <button
        type="button"
        className={live ? 'button button-small button-quiet' : 'button'}
        disabled={!canAct || busy !== null || sendsLeft === 0}
        onClick={send}
      >
        {busy === 'send-code'
          ? 'Sending…'
          : sendsLeft === 0
            ? 'No more codes can be sent'
            : `${live ? 'Resend code' : 'Send a new code'} (${sendsLeft} left)`}
      </button>
    </div>
  );
}
