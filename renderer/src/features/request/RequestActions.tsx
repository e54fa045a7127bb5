// Claim, release, deny (with a reason), report a suspicious caller and, for admins, take over.
import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { requestSelectors, useConsole, useConsoleStore } from '../../store';
import { ConfirmDialog } from '../../ui/Dialog';
import { DenyDialog } from './DenyDialog';
import { requestAccess } from './request-access';
import { SuspiciousDialog } from './SuspiciousDialog';

export function RequestActions() {
  const store = useConsoleStore();
  const access = useConsole(useShallow(requestAccess));
  const busy = useConsole(requestSelectors.busy);
  const [dialog, setDialog] = useState<'deny' | 'suspicious' | 'take-over' | null>(null);

  if (!access.isOpen) return null;
  const anyBusy = busy !== null;

  return (
    <div className="request-actions" role="group" aria-label="Request actions">
      {access.canClaim ? (
        <button
          type="button"
          className="button button-primary"
          disabled={anyBusy}
          onClick={() => void store.getState().claim()}
        >
          {busy === 'claim' ? 'Claiming…' : 'Claim'}
        </button>
      ) : null}
      {access.canRelease ? (
        <button
          type="button"
          className="button"
          disabled={anyBusy}
          onClick={() => void store.getState().release()}
        >
          Release
        </button>
      ) : null}
      {access.canDeny ? (
        <button
          type="button"
          className="button button-danger-quiet"
          disabled={anyBusy}
          onClick={() => setDialog('deny')}
        >
          Deny…
        </button>
      ) : null}
      {access.canReportSuspicious ? (
        <button
          type="button"
          className="button button-danger-quiet"
          disabled={anyBusy}
          onClick={() => setDialog('suspicious')}
        >
          Suspicious caller…
        </button>
      ) : null}
      {access.canTakeOver ? (
        <button
          type="button"
          className="button"
          disabled={anyBusy}
          onClick={() => setDialog('take-over')}
        >
          Take over…
        </button>
      ) : null}
      {access.claimRefusal ? <p className="request-actions-note">{access.claimRefusal}</p> : null}
      {!access.heldByMe && access.holder && !access.canTakeOver ? (
        <p className="request-actions-note">
          {access.holder} is handling this request; only they (or an admin) can act on it.
        </p>
      ) : null}
      {dialog === 'deny' ? <DenyDialog onClose={() => setDialog(null)} /> : null}
      {dialog === 'suspicious' ? <SuspiciousDialog onClose={() => setDialog(null)} /> : null}
      {dialog === 'take-over' ? (
        <ConfirmDialog
          title="Take over this request?"
          confirmLabel="Take over"
          onConfirm={() => void store.getState().takeOver()}
          onClose={() => setDialog(null)}
        >
          <p>
            {access.holder} holds it now. Taking over moves it to you; {access.holder} can no longer
            act on it. The take-over is recorded in the audit log.
          </p>
        </ConfirmDialog>
      ) : null}
    </div>
  );
}
