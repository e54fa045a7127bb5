// The second approver: when the realm's risk policy wants one, the holder asks (once the checks are
// recorded), another agent of the desk or an admin approves or refuses, and who did what stays shown.
import { useState, type FormEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { Approval } from '../../../../server/contract/risk';
import { requestSelectors, useConsole, useConsoleStore } from '../../store';
import { Dialog } from '../../ui/Dialog';
import { TextAreaField } from '../../ui/Field';
import { requestAccess } from './request-access';

const at = (time: number | undefined) =>
  time === undefined
    ? ''
    : new Date(time).toLocaleTimeString([], { hour: 'numeric', minute: '2-digit' });

/** Why this request needs a second approver, as the policy sees it. */
function useWhyNeeded(): string {
  return useConsole((s) => {
    const risk = s.detail?.risk;
    const policy = s.config?.riskPolicy;
    if (!risk) return '';
    if (policy?.secondApprover.privileged && risk.signals.some((x) => x.id === 'privileged'))
      return 'the user is privileged';
    return `the risk is ${risk.level}`;
  });
}

export function ApprovalBox() {
  const access = useConsole(useShallow(requestAccess));
  const approval = useConsole((s) => s.detail?.approval ?? null);
  const why = useWhyNeeded();
  const [deciding, setDeciding] = useState<'approve' | 'refuse' | null>(null);

  if (!approval && !(access.isOpen && access.approvalNeeded)) return null;
  const approved = approval?.state === 'approved';

  return (
    <section
      className={`approval${approved ? ' is-approved' : ''}`}
      aria-labelledby="approval-heading"
    >
      <h3 id="approval-heading" className="section-title">
        Second approver
      </h3>
      {!access.isOpen ? null : approved ? (
        <p>The reveal is approved.</p>
      ) : approval && access.canDecideApproval ? (
        <p>
          {approval.requestedBy.username} asks you to approve the reveal: {why}. Look at the caller
          and the checks recorded, then decide.
        </p>
      ) : (
        <p>No passcode until another agent of the desk or an admin approves: {why}.</p>
      )}
      {approval ? <ApprovalRecord approval={approval} /> : null}
      <div role="status">
        {approval?.state === 'requested' && access.heldByMe ? (
          <p className="field-hint">
            Waiting: the desk’s other agents and the admins see it under Approvals. Keep the caller
            on the line or call them back once it is decided.
          </p>
        ) : null}
      </div>
      {!approval && access.isOpen ? <AskForApproval /> : null}
      {approval?.state === 'requested' && access.canDecideApproval ? (
        <div className="approval-actions">
          <button
            type="button"
            className="button button-primary"
            onClick={() => setDeciding('approve')}
          >
            Approve…
          </button>
          <button
            type="button"
            className="button button-danger-quiet"
            onClick={() => setDeciding('refuse')}
          >
            Refuse…
          </button>
        </div>
      ) : null}
      {deciding ? <DecisionDialog decision={deciding} onClose={() => setDeciding(null)} /> : null}
    </section>
  );
}

function ApprovalRecord({ approval }: { approval: Approval }) {
  return (
    <>
      <p className="approval-record">
        Asked by <strong>{approval.requestedBy.username}</strong> at {at(approval.requestedAt)}
        {approval.requestNote ? (
          <>
            {' — '}
            <q>{approval.requestNote}</q>
          </>
        ) : null}
      </p>
      {approval.state === 'approved' && approval.approvedBy ? (
        <p className="approval-record">
          Approved by <strong>{approval.approvedBy.username}</strong> at {at(approval.approvedAt)}
          {approval.note ? (
            <>
              {' — '}
              <q>{approval.note}</q>
            </>
          ) : null}
        </p>
      ) : null}
    </>
  );
}

function AskForApproval() {
  const store = useConsoleStore();
  const access = useConsole(useShallow(requestAccess));
  const busy = useConsole(requestSelectors.busy);
  const [note, setNote] = useState('');
  if (!access.heldByMe)
    return (
      <p className="field-hint">
        {access.holder
          ? `${access.holder} asks for approval once the checks are recorded.`
          : 'Whoever claims it asks for approval once the checks are recorded.'}
      </p>
    );
  if (!access.canAskApproval)
    return (
      <p className="field-hint">
        Record the checks first; then ask for approval here. The approver decides on the checks as
        you recorded them.
      </p>
    );
  return (
    <form
      className="approval-ask"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void store
          .getState()
          .askApproval(note.trim())
          .then((outcome) => outcome.ok && setNote(''));
      }}
    >
      <TextAreaField
        label="Note for the approver (optional)"
        rows={2}
        maxLength={500}
        value={note}
        hint="E.g. what the caller said, anything unusual."
        onChange={(e) => setNote(e.target.value)}
      />
      <button type="submit" className="button button-primary" disabled={busy !== null}>
        {busy === 'ask-approval' ? 'Asking…' : 'Ask for approval'}
      </button>
    </form>
  );
}

const DECISIONS = {
  approve: {
    title: 'Approve the reveal?',
    body: 'You confirm that the checks recorded are enough to reveal a passcode to this caller. Your name and note are recorded with the approval.',
    action: 'Approve reveal',
    busy: 'Approving…',
    className: 'button button-primary',
  },
  refuse: {
    title: 'Refuse the reveal?',
    body: 'The request ends, denied, and admins are alerted. The user must ask again.',
    action: 'Refuse and end request',
    busy: 'Refusing…',
    className: 'button button-danger',
  },
} as const;

function DecisionDialog({
  decision,
  onClose,
}: {
  decision: 'approve' | 'refuse';
  onClose: () => void;
}) {
  const store = useConsoleStore();
  const words = DECISIONS[decision];
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (note.trim().length < 3) {
      setError('Say why, for the record (at least 3 characters).');
      return;
    }
    setBusy(true);
    const state = store.getState();
    const outcome = await (decision === 'approve'
      ? state.approve(note.trim())
      : state.refuseApproval(note.trim()));
    setBusy(false);
    if (outcome.ok) onClose();
    else setError(outcome.fields['note'] ?? outcome.message);
  };

  return (
    <Dialog title={words.title} onClose={onClose}>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <p>{words.body}</p>
        <TextAreaField
          label="Note"
          rows={3}
          maxLength={500}
          required
          value={note}
          error={error ?? undefined}
          hint="Recorded in the audit log."
          onChange={(e) => {
            setNote(e.target.value);
            setError(null);
          }}
        />
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className={words.className} disabled={busy}>
            {busy ? words.busy : words.action}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
