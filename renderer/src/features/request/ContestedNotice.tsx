// Two browsers asked for this user: names the other request and says what the agent must do first.
import { useShallow } from 'zustand/react/shallow';
import { isOpenState } from '../../../../server/domain/request-states';
import { useConsole } from '../../store';

export function ContestedNotice() {
  const { contested, others, username } = useConsole(
    useShallow((s) => ({
      contested: !!s.detail && isOpenState(s.detail.state) && s.detail.contested,
      others: s.detail?.contestedWith.join(', ') ?? '',
      username: s.detail?.username ?? '',
    })),
  );
  // Always present, so a contest that starts while the request is open is announced.
  return (
    <div role="status" className="contested-slot">
      {contested ? (
        <div className="notice notice-warn notice-contested">
          <p>
            <strong>Contested: two browsers asked for {username}.</strong> The other request is{' '}
            <span className="mono">{others}</span>.
          </p>
          <p>
            Ask the caller for the reference on their screen, then deny the request that is not
            theirs. No passcode can be revealed while both are open.
          </p>
        </div>
      ) : null}
    </div>
  );
}
