// The request's reference (what the caller reads out), caller, state, desk, age and holder; it stays
// in view (sticky) while the panel scrolls, so the reference and caller are there beside the passcode.
import { useShallow } from 'zustand/react/shallow';
import { isOpenState } from '../../../../server/domain/request-states';
import { formatAge } from '../../lib/otp-format';
import { useServerNow } from '../queue/use-server-now';
import { sessionSelectors, settingsSelectors, useConsole } from '../../store';
import { StateBadge } from '../../ui/StateBadge';

export function RequestHeader() {
  const view = useConsole(
    useShallow((s) => ({
      reference: s.detail?.reference ?? '',
      state: s.detail?.state ?? 'queued',
      deskName: s.detail ? settingsSelectors.deskName(s.detail.desk)(s) : '',
      createdAt: s.detail?.createdAt ?? 0,
      updatedAt: s.detail?.updatedAt ?? 0,
      holder: s.detail?.claimedBy ?? null,
      username: s.detail?.username ?? '',
      displayName: s.detail?.displayName ?? '',
    })),
  );
  const me = useConsole(sessionSelectors.agentId);
  const now = useServerNow();
  const holder = view.holder ? (view.holder.id === me ? 'you' : view.holder.username) : null;

  return (
    <header className="request-header">
      <div>
        <p className="request-kicker">
          {view.deskName} ·{' '}
          {isOpenState(view.state)
            ? `waiting ${formatAge(now - view.createdAt)}`
            : `closed after ${formatAge(view.updatedAt - view.createdAt)}`}
        </p>
        <h2 id="request-heading" className="request-title">
          <span className="mono request-ref">{view.reference}</span>
          <span className="request-who">
            {view.displayName || view.username}
            {view.displayName ? <span className="request-username"> {view.username}</span> : null}
          </span>
        </h2>
      </div>
      <div className="request-header-end">
        <StateBadge state={view.state} />
        <p className="request-holder">{holder ? `Held by ${holder}` : 'Nobody holds it yet'}</p>
      </div>
    </header>
  );
}
