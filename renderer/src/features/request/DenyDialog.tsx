// Denying a request needs a reason for the record; the server's refusal shows next to the field.
import { useState, type FormEvent } from 'react';
import { useConsoleStore } from '../../store';
import { Dialog } from '../../ui/Dialog';

export function DenyDialog({ onClose }: { onClose: () => void }) {
  const store = useConsoleStore();
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (reason.trim().length < 3) {
      setError('Say why, for the record (at least 3 characters).');
      return;
    }
    setBusy(true);
    const outcome = await store.getState().deny(reason.trim());
    setBusy(false);
    if (outcome.ok) onClose();
    else setError(outcome.fields['reason'] ?? outcome.message);
  };

  return (
    <Dialog title="Deny this request" onClose={onClose}>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <p>
          The user is told the desk could not help; the reason stays in the audit log for the
          record.
        </p>
        <div className="field">
          <label htmlFor="deny-reason">Reason</label>
          <textarea
            id="deny-reason"
            rows={3}
            maxLength={500}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? 'deny-reason-error' : undefined}
          />
          {error ? (
            <p id="deny-reason-error" className="field-error">
              {error}
            </p>
          ) : null}
        </div>
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button button-danger" disabled={busy}>
            {busy ? 'Denying…' : 'Deny request'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
