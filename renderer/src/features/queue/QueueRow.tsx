// One queue row: reference, state, risk, age (amber, then red, while unclaimed), user, desk, holder.
import { memo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { formatAge } from '../../lib/otp-format';
import { queueSelectors, sessionSelectors, settingsSelectors, useConsole } from '../../store';
import { urgencyOf, type Urgency } from '../../store/queue-slice';
import { RiskBadge } from '../../ui/RiskBadge';
import { StateBadge } from '../../ui/StateBadge';
import { useServerNow } from './use-server-now';

/** The row's element id, which the listbox names as its active descendant. */
export const optionId = (requestId: string) => `queue-option-${requestId}`;

interface QueueRowProps {
  id: string;
  position: number;
  setSize: number;
  top: number;
  active: boolean;
  open: boolean;
  onPick: () => void;
}

export const QueueRow = memo(function QueueRow(props: QueueRowProps) {
  const { id, position, setSize, top, active, open, onPick } = props;
  const request = useConsole(queueSelectors.request(id));
  const me = useConsole(sessionSelectors.agentId);
  const deskNames = useConsole(useShallow(settingsSelectors.deskNames));
  if (!request) return null;

  const holder = request.claimedBy
    ? request.claimedBy.id === me
      ? 'You'
      : request.claimedBy.username
    : null;
  return (
    <div
      id={optionId(id)}
      role="option"
      aria-selected={active}
      aria-posinset={position}
      aria-setsize={setSize}
      className={`queue-row${active ? ' is-active' : ''}${open ? ' is-open' : ''}${
        !request.inDirectory ? ' is-unknown' : ''
      }`}
      style={{ transform: `translateY(${top}px)` }}
      onClick={onPick}
    >
      <div className="queue-row-line">
        <span className="queue-ref mono">{request.reference}</span>
        <StateBadge state={request.state} />
        <RiskBadge level={request.risk.level} score={request.risk.score} compact />
        {request.approval?.state === 'requested' ? (
          <span className="badge badge-approval" title="Waiting for a second approver">
            Approval asked
          </span>
        ) : null}
        {request.contested ? (
          <span
            className="badge badge-warn"
            title={`Two browsers asked for ${request.username}; also ${request.contestedWith.join(', ')}`}
          >
            Contested
          </span>
        ) : null}
        {!request.inDirectory ? <span className="badge badge-warn">Not in directory</span> : null}
        <Age since={request.createdAt} unclaimed={request.state === 'queued'} />
      </div>
      <div className="queue-row-line queue-row-sub">
        <span className="queue-user">
          {request.displayName ? (
            <>
              <span className="queue-name">{request.displayName}</span>{' '}
              <span className="queue-username">{request.username}</span>
            </>
          ) : (
            <span className="queue-name">{request.username}</span>
          )}
        </span>
        <span className="queue-desk">{deskNames[request.desk]}</span>
        <span className={`queue-holder${holder === 'You' ? ' is-me' : ''}`}>
          {holder ? (
            <>
              <span className="visually-hidden">held by </span>
              {holder}
            </>
          ) : (
            'Unclaimed'
          )}
        </span>
      </div>
    </div>
  );
});

/** Words and a shape beside the colour, so the urgency does not rest on colour alone. */
const URGENCY_MARKS: Record<Urgency, { shape: string; words: string } | null> = {
  fresh: null,
  warn: { shape: '◆', words: 'waiting long' },
  urgent: { shape: '▲', words: 'urgent' },
};

/** How long the caller has waited; amber then red past the realm's thresholds while nobody holds it. */
function Age({ since, unclaimed }: { since: number; unclaimed: boolean }) {
  const now = useServerNow();
  const thresholds = useConsole(queueSelectors.urgencyThresholds);
  const urgency = unclaimed ? urgencyOf(now - since, thresholds) : 'fresh';
  const mark = URGENCY_MARKS[urgency];
  return (
    <span
      className={`queue-age queue-age-${urgency}`}
      title={`Submitted ${new Date(since).toLocaleString()}`}
    >
      {mark ? (
        <span className="queue-age-shape" aria-hidden="true">
          {mark.shape}
        </span>
      ) : null}
      <span className="visually-hidden">waiting </span>
      {formatAge(now - since)}
      {mark ? <span className="visually-hidden">, {mark.words}</span> : null}
    </span>
  );
}
