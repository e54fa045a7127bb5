// One line on the sign-in screen: which server, whether it answers, its version and storage health.
import { useEffect, useState } from 'react';
import { checkServerStatus, type ServerStatus } from '../../server-status';
import type { ServerSetting } from '../first-run/server-choice';

export function ServerStatusLine({
  serverUrl,
  source = null,
}: {
  serverUrl: string;
  /** The desktop app's: a server the organisation set is named as such (the agent cannot change it). */
  source?: ServerSetting['source'];
}) {
  const [status, setStatus] = useState<ServerStatus | null>(null);
  useEffect(() => {
    let current = true;
    void checkServerStatus().then((answer) => {
      if (current) setStatus(answer);
    });
    return () => {
      current = false;
    };
  }, [serverUrl]);

  const health = status?.state === 'up' ? status.health : null;
  const healthy = health?.status === 'ok' && health.storage.status === 'ok';
  return (
    <p className="auth-server">
      Server <span className="mono">{serverUrl || '—'}</span>
      {source === 'managed' ? ' (set by your organisation)' : null}
      {' · '}
      {status === null ? (
        'checking…'
      ) : health ? (
        <span className={healthy ? 'text-good' : 'text-bad'}>
          {healthy ? 'up' : health.status}, version {health.version}
        </span>
      ) : (
        <span className="text-bad">
          {status.state === 'unreachable' ? 'unreachable' : 'not a Help Desk OTP server'}
        </span>
      )}
    </p>
  );
}
