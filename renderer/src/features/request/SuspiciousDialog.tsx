// "Suspicious caller": the holder says what happened; the server ends the request, blocks the help-desk
// method for the user for the realm's time, alerts the admins and keeps the description as evidence.
import { useState, type FormEvent } from 'react';
import { SuspiciousCallerSchema } from '../../../../server/contract/risk';
import { useConsole, useConsoleStore } from '../../store';
import { Dialog } from '../../ui/Dialog';
import { TextAreaField } from '../../ui/Field';

/** The server's own rule for the description, so the console refuses exactly what it would. */
const DescriptionSchema = SuspiciousCallerSchema.shape.description;

/** "72 hours" as people say it: whole days where it divides. */
export function blockLength(hours: number): string {
  if (hours % 24 === 0) {
    const days = hours / 24;
    return `${days} day${days === 1 ? '' : 's'}`;
  }
  return `${hours} hour${hours === 1 ? '' : 's'}`;
}

export function SuspiciousDialog({ onClose }: { onClose: () => void }) {
  const store = useConsoleStore();
  const username = useConsole((s) => s.detail?.username ?? '');
  const hours = useConsole((s) => s.config?.riskPolicy.suspiciousBlockHours ?? null);
  const [description, setDescription] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const checked = DescriptionSchema.safeParse(description);
    if (!checked.success) {
      setError('Describe what happened, for the record (at least 10 characters).');
      return;
    }
    setBusy(true);
    const outcome = await store.getState().reportSuspicious(checked.data);
    setBusy(false);
    if (outcome.ok) onClose();
    else setError(outcome.fields['description'] ?? outcome.message);
  };

  return (
    <Dialog title="Report a suspicious caller" onClose={onClose}>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <div className="notice notice-warn suspicious-warning">
          <p>
            <strong>This ends the request.</strong> Then:
          </p>
          <ul>
            <li>
              <span className="mono">{username}</span> cannot ask a help desk for a passcode
              {hours ? ` for ${blockLength(hours)}` : ''}, unless an admin clears the block sooner;
            </li>
            <li>the admins are alerted at once;</li>
            <li>what you write is kept in the audit log as evidence.</li>
          </ul>
        </div>
        <TextAreaField
          label="What happened?"
          rows={4}
          maxLength={2000}
          required
          value={description}
          error={error ?? undefined}
          hint="E.g. could not give the employee ID, pushed to skip the callback, the voice did not match."
          onChange={(e) => {
            setDescription(e.target.value);
            setError(null);
          }}
        />
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button button-danger" disabled={busy}>
            {busy ? 'Reporting…' : 'Report and end request'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
