// Where the request ended up, once it is closed: completed, denied, cancelled, expired or locked.
import { useShallow } from 'zustand/react/shallow';
import { useConsole } from '../../store';

export function ClosedNotice() {
  const { state, reason, who } = useConsole(
    useShallow((s) => ({
      state: s.detail?.state,
      reason: s.detail?.closedReason ?? '',
      who: s.detail ? s.detail.displayName || s.detail.username : '',
    })),
  );
  const text =
    state === 'completed'
      ? { tone: 'success', title: 'Completed', body: `${who} signed in with the passcode.` }
      : state === 'locked'
        ? { tone: 'error', title: 'Locked', body: reason || 'Too many wrong passcodes.' }
        : state === 'expired'
          ? { tone: 'warn', title: 'Expired', body: reason || 'The request expired.' }
          : state === 'denied'
            ? { tone: 'warn', title: 'Denied', body: reason }
            : state === 'cancelled'
              ? { tone: 'info', title: 'Cancelled', body: reason || 'The user cancelled it.' }
              : null;
  return (
    <div role="status" className="closed-slot">
      {text ? (
        <p className={`notice notice-${text.tone} notice-closed`}>
          <strong>{text.title}.</strong> {text.body}
        </p>
      ) : null}
    </div>
  );
}
