// The outbox as admins see it, live: what waits or failed, the last problem and the last success,
// and the recent messages in trouble (never their bodies).
import type { MailKind, OutboxEntryView } from '../../../../../server/contract/mail';
import { mailSelectors, useConsole } from '../../../store';

export const MAIL_KIND_WORDS: Record<MailKind, string> = {
  test: 'Test mail',
  'verification-code': 'Verification code',
  'passcode-issued': 'Passcode issued',
  'sign-in-completed': 'Sign-in completed',
  'desk-new-request': 'New request (desk)',
  'security-alert': 'Security alert (admins)',
};

const STATE_WORDS: Record<OutboxEntryView['state'], string> = {
  pending: 'Retrying',
  sent: 'Sent',
  failed: 'Failed',
};

const when = (at: number | null) => (at === null ? '—' : new Date(at).toLocaleString());

export function OutboxStatus() {
  const status = useConsole(mailSelectors.status);
  if (!status) return null;
  const { outbox, problems } = status;
  return (
    <section className="directory-group outbox" aria-labelledby="outbox-heading">
      <h3 id="outbox-heading" className="subsection-title">
        Outbox
      </h3>
      <dl className="outbox-counts">
        <div>
          <dt>Waiting</dt>
          <dd>{outbox.pending.toLocaleString()}</dd>
        </div>
        <div>
          <dt>Failed</dt>
          <dd className={outbox.failed > 0 ? 'text-bad' : undefined}>
            {outbox.failed.toLocaleString()}
          </dd>
        </div>
        <div>
          <dt>Last sent</dt>
          <dd>{outbox.lastSentAt === null ? 'Nothing yet' : when(outbox.lastSentAt)}</dd>
        </div>
      </dl>
      {outbox.lastError ? (
        <p className="notice notice-error">
          <strong>Last attempt failed:</strong> {outbox.lastError}
        </p>
      ) : null}
      {problems.length === 0 ? (
        <p className="field-hint">No messages waiting to be retried or failed.</p>
      ) : (
        <div className="table-scroll table-scroll-short">
          <table className="data-table" aria-label="Messages in trouble">
            <thead>
              <tr>
                <th scope="col">Mail</th>
                <th scope="col">To</th>
                <th scope="col">State</th>
                <th scope="col">Attempts</th>
                <th scope="col">Last error</th>
                <th scope="col">Next attempt</th>
              </tr>
            </thead>
            <tbody>
              {problems.map((entry) => (
                <tr key={entry.id}>
                  <td>{MAIL_KIND_WORDS[entry.kind]}</td>
                  <td className="cell-clip">{entry.to.join(', ')}</td>
                  <td>
                    <span
                      className={`badge ${entry.state === 'failed' ? 'badge-disabled' : 'badge-warn'}`}
                    >
                      {STATE_WORDS[entry.state]}
                    </span>
                  </td>
                  <td>{entry.attempts}</td>
                  <td className="cell-clip" title={entry.lastError ?? undefined}>
                    {entry.lastError ?? '—'}
                  </td>
                  <td>{entry.state === 'pending' ? when(entry.nextAttemptAt) : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
