// Settings → Blocked users: whose help-desk method is blocked (they said a passcode was not theirs,
// a suspicious caller, or an admin), and clearing a block with a reason for the record.
import { useEffect, useState } from 'react';
import type { MethodBlockView } from '../../../../../server/contract/mail';
import { mailSelectors, useConsole, useConsoleStore } from '../../../store';
import { Dialog } from '../../../ui/Dialog';
import { TextAreaField } from '../../../ui/Field';

export const BLOCKED_USERS_HEADING_ID = 'blocked-users-heading';

const REASON_WORDS: Record<MethodBlockView['reason'], string> = {
  'not-me': 'Said it wasn’t them',
  'suspicious-caller': 'Suspicious caller',
  admin: 'Blocked by an admin',
};

/** When a block ends: "until 3 Dec 14:00", or "until cleared" when only an admin ends it. */
export function blockUntil(until: number | null): string {
  if (until === null) return 'until cleared';
  const when = new Date(until);
  const day = when.toLocaleDateString('en-GB', { day: 'numeric', month: 'short' });
  const time = when.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });
  return `until ${day} ${time}`;
}

/** Who placed a block, as the audit names them (`user:jsmith` is the user themselves, `agent:alice` an agent). */
function byWhom(by: string): string {
  if (by.startsWith('user:')) return `${by.slice('user:'.length)} (the user)`;
  return by.startsWith('agent:') ? by.slice('agent:'.length) : by;
}

export function BlockedUsers() {
  const store = useConsoleStore();
  const blocks = useConsole(mailSelectors.blocks);
  const status = useConsole(mailSelectors.blocksStatus);
  const error = useConsole(mailSelectors.blocksError);
  const [clearing, setClearing] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  useEffect(() => {
    void store.getState().loadBlocks();
  }, [store]);

  return (
    <section className="settings-card" aria-labelledby={BLOCKED_USERS_HEADING_ID}>
      <header className="settings-card-head">
        <h2 id={BLOCKED_USERS_HEADING_ID} className="settings-card-title" tabIndex={-1}>
          Blocked users
        </h2>
        <p className="settings-card-desc">
          Users who cannot ask a help desk for a passcode until the block lapses or an admin clears
          it.
        </p>
      </header>
      <div className="settings-card-body">
        {notice ? (
          <div className="notice notice-success notice-row" role="status">
            <span>{notice}</span>
            <button type="button" className="button button-link" onClick={() => setNotice(null)}>
              Dismiss
            </button>
          </div>
        ) : null}
        {error ? (
          <p className="notice notice-error" role="alert">
            {error}
          </p>
        ) : null}
        {status === 'ready' && blocks.length === 0 ? (
          <p className="users-empty" role="status">
            Nobody is blocked.
          </p>
        ) : blocks.length > 0 ? (
          <div className="table-scroll table-scroll-short">
            <table className="data-table" aria-label="Blocked users">
              <thead>
                <tr>
                  <th scope="col">User</th>
                  <th scope="col">Why</th>
                  <th scope="col">Detail</th>
                  <th scope="col">When</th>
                  <th scope="col">Lasts</th>
                  <th scope="col">By</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {blocks.map((block) => (
                  <tr key={block.username}>
                    <td className="mono">{block.username}</td>
                    <td>{REASON_WORDS[block.reason]}</td>
                    <td>{block.detail}</td>
                    <td>{new Date(block.at).toLocaleString()}</td>
                    <td>{blockUntil(block.until)}</td>
                    <td>{byWhom(block.by)}</td>
                    <td className="row-actions">
                      <button
                        type="button"
                        className="button button-small"
                        aria-label={`Clear the block on ${block.username}…`}
                        onClick={() => setClearing(block.username)}
                      >
                        Clear…
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : status === 'loading' ? (
          <p role="status">Loading…</p>
        ) : null}
      </div>
      {clearing ? (
        <ClearBlockDialog
          username={clearing}
          onClose={() => setClearing(null)}
          onCleared={() => {
            setNotice(`Cleared the block on ${clearing}: they can ask a help desk again.`);
            setClearing(null);
          }}
        />
      ) : null}
    </section>
  );
}

function ClearBlockDialog(props: { username: string; onClose: () => void; onCleared: () => void }) {
  const store = useConsoleStore();
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const clear = async () => {
    if (reason.trim().length < 3) {
      setError('Say why, for the record (at least 3 characters).');
      return;
    }
    setBusy(true);
    const outcome = await store.getState().clearBlock(props.username, reason.trim());
    setBusy(false);
    if (outcome.ok) props.onCleared();
    else setError(outcome.fields['reason'] ?? outcome.message);
  };

  return (
    <Dialog title={`Clear the block on ${props.username}?`} onClose={props.onClose}>
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void clear();
        }}
      >
        <p>
          They will be able to ask a help desk for a passcode again. Clear it only once you know the
          earlier request was theirs or the account is safe.
        </p>
        <TextAreaField
          label="Reason"
          rows={3}
          value={reason}
          maxLength={500}
          required
          error={error ?? undefined}
          hint="Recorded in the audit log."
          onChange={(e) => setReason(e.target.value)}
        />
        <div className="dialog-actions">
          <button type="button" className="button" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" disabled={busy}>
            {busy ? 'Clearing…' : 'Clear block'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
