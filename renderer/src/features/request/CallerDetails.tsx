// Who the request is for: its risk and signals, the directory record (masked where the policy says),
// whether the user is privileged, and the impostor signals; or that the directory does not answer.
import { Fragment } from 'react';
import type { MaskableField } from '../../../../server/contract/realm-config';
import { isOpenState } from '../../../../server/domain/request-states';
import { formatCountdown } from '../../lib/otp-format';
import { describeUserAgent } from '../../lib/user-agent';
import { useServerNow } from '../queue/use-server-now';
import { requestSelectors, settingsSelectors, useConsole } from '../../store';
import { RiskSummary } from './RiskSummary';

const DIRECTORY_FIELDS: Array<{ key: MaskableField | 'displayName'; label: string }> = [
  { key: 'displayName', label: 'Name' },
  { key: 'email', label: 'Email' },
  { key: 'phone', label: 'Phone on file' },
  { key: 'employeeId', label: 'Employee ID' },
  { key: 'department', label: 'Department' },
  { key: 'manager', label: 'Manager' },
];

export function CallerDetails() {
  const detail = useConsole(requestSelectors.detail);
  const policy = useConsole(settingsSelectors.verificationPolicy);
  if (!detail) return null;
  const masked = new Set<string>(policy?.maskedFields ?? []);
  const { directory } = detail;

  return (
    <div className="caller">
      <RiskSummary />
      <h3 className="section-title caller-title">
        Caller
        {directory?.privileged ? (
          <span className="badge badge-privileged">Privileged user</span>
        ) : null}
      </h3>
      {detail.directoryUnavailable ? (
        <div className="signal signal-warn" role="status">
          <p className="signal-title">Directory unavailable</p>
          <p>
            The directory did not answer, so the record of{' '}
            <strong className="mono">{detail.username}</strong> cannot be shown and no passcode can
            be revealed until it answers. This is not a sign against the caller.
          </p>
        </div>
      ) : !detail.inDirectory || !directory ? (
        <div className="signal signal-danger">
          <p className="signal-title">Not in the directory</p>
          <p>
            No user called <strong className="mono">{detail.username}</strong> exists in the
            directory. A call about an unknown account is a typical impostor signal: do not reveal a
            passcode; deny the request.
          </p>
        </div>
      ) : null}
      {directory?.privileged ? (
        <p className="field-hint privileged-note">
          A member of the directory’s privileged group: impostors aim for these accounts, so be
          strict with every check.
        </p>
      ) : null}
      {directory && !directory.enabled ? (
        <div className="signal signal-danger">
          <p className="signal-title">Account disabled</p>
          <p>This account is disabled in the directory.</p>
        </div>
      ) : null}
      {detail.recentFailures > 0 ? (
        <div className="signal signal-warn">
          <p className="signal-title">
            {detail.recentFailures} wrong passcode{detail.recentFailures === 1 ? '' : 's'} in the
            last 24 hours
          </p>
          <p>Someone has been guessing codes for this user. Be strict with the checks.</p>
        </div>
      ) : null}
      {detail.failedAttempts > 0 ? (
        <div className="signal signal-warn">
          <p className="signal-title">
            {detail.failedAttempts} wrong attempt{detail.failedAttempts === 1 ? '' : 's'} on this
            request
          </p>
        </div>
      ) : null}

      {directory ? (
        <dl className="facts">
          <dt>Username</dt>
          <dd className="mono">{detail.username}</dd>
          {DIRECTORY_FIELDS.map(({ key, label }) => (
            <Fragment key={key}>
              <dt>
                {label}
                {masked.has(key) ? <span className="tag">masked</span> : null}
              </dt>
              <dd className={key === 'phone' || key === 'employeeId' ? 'mono' : undefined}>
                {directory[key] || <span className="muted">not on file</span>}
              </dd>
            </Fragment>
          ))}
        </dl>
      ) : null}
      {masked.size > 0 && directory ? (
        <p className="field-hint facts-note">
          Masked fields are for comparing with what the caller says: ask, do not read them out.
        </p>
      ) : null}

      <h3 className="section-title">Where the request came from</h3>
      <dl className="facts">
        <dt>Client IP</dt>
        <dd className="mono">{detail.origin.ip || 'unknown'}</dd>
        <dt>Browser</dt>
        <dd className="facts-ua">
          <BrowserName userAgent={detail.origin.userAgent} />
        </dd>
        <dt>Submitted</dt>
        <dd>{new Date(detail.createdAt).toLocaleString()}</dd>
        <Expiry />
      </dl>
    </div>
  );
}

/** The parsed browser and system, with the string the browser sent on demand (for the record). */
function BrowserName({ userAgent }: { userAgent: string }) {
  if (!userAgent) return <span className="muted">unknown</span>;
  const named = describeUserAgent(userAgent);
  return (
    <details className="ua">
      <summary>
        {named ?? 'Not recognised'}
        <span className="visually-hidden"> (show the user-agent string)</span>
      </summary>
      <p className="ua-raw mono">{userAgent}</p>
    </details>
  );
}

function Expiry() {
  const detail = useConsole(requestSelectors.detail);
  const now = useServerNow();
  // Once a passcode is out, its own countdown (in the passcode box) is what runs.
  if (!detail || !isOpenState(detail.state) || detail.state === 'otp-issued') return null;
  return (
    <>
      <dt>Expires in</dt>
      <dd>{formatCountdown((detail.expiresAt - now) / 1000)}</dd>
    </>
  );
}
