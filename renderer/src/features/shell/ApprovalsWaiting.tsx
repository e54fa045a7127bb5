// Requests whose holder asked for a second approver, live for the desk's other agents and the admins:
// each opens the request, where its checks are read and the reveal approved or refused.
import { useShallow } from 'zustand/react/shallow';
import { approvalSelectors, settingsSelectors, useConsole, useConsoleStore } from '../../store';

export function ApprovalsWaiting() {
  const store = useConsoleStore();
  const approvals = useConsole(approvalSelectors.decidable);
  const deskNames = useConsole(useShallow(settingsSelectors.deskNames));
  if (approvals.length === 0) return null;

  return (
    <section className="approvals-waiting" aria-labelledby="approvals-heading">
      <h2 id="approvals-heading" className="approvals-waiting-title">
        Approvals waiting ({approvals.length})
      </h2>
      <ul>
        {approvals.map((request) => {
          const approval = request.approval!;
          const who = request.displayName
            ? `${request.displayName} (${request.username})`
            : request.username;
          return (
            <li key={request.id}>
              <span className="approvals-waiting-text">
                <span className="mono">{request.reference}</span> · {who} ·{' '}
                {deskNames[request.desk]} · asked by {approval.requestedBy.username} at{' '}
                {new Date(approval.requestedAt).toLocaleTimeString([], {
                  hour: 'numeric',
                  minute: '2-digit',
                })}
                {approval.requestNote ? (
                  <span className="approvals-waiting-note">
                    {' — '}
                    <q>{approval.requestNote}</q>
                  </span>
                ) : null}
              </span>
              <button
                type="button"
                className="button button-small"
                aria-label={`Open ${request.reference} to approve or refuse`}
                onClick={() => void store.getState().openRequest(request.id)}
              >
                Open
              </button>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
