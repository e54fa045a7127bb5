// Adding a directory user (password optional: the server generates one, shown once) or editing one,
// with the server's field messages beside the fields.
import { useState, type FormEvent } from 'react';
import type {
  DirectoryUserInput,
  DirectoryUserView,
} from '../../../../../server/contract/directory';
import { useConsole, useConsoleStore } from '../../../store';
import { Dialog } from '../../../ui/Dialog';
import { TextField } from '../../../ui/Field';

type Editable = Omit<DirectoryUserInput, 'username' | 'enabled' | 'privileged'>;

const TEXT_FIELDS: Array<{ key: keyof Editable; label: string; type?: string; mono?: boolean }> = [
  { key: 'displayName', label: 'Display name' },
  { key: 'email', label: 'Email', type: 'email' },
  { key: 'phone', label: 'Phone', type: 'tel', mono: true },
  { key: 'employeeId', label: 'Employee ID', mono: true },
  { key: 'department', label: 'Department' },
  { key: 'manager', label: 'Manager' },
];

const EMPTY: DirectoryUserInput = {
  username: '',
  displayName: '',
  email: '',
  phone: '',
  employeeId: '',
  department: '',
  manager: '',
  enabled: true,
  privileged: false,
};

export function UserDialog(
  props:
    | { mode: 'add'; onClose: () => void }
    | { mode: 'edit'; user: DirectoryUserView; onClose: () => void },
) {
  const store = useConsoleStore();
  const editing = props.mode === 'edit' ? props.user : null;
  const [user, setUser] = useState<DirectoryUserInput>(() =>
    editing
      ? {
          username: editing.username,
          displayName: editing.displayName,
          email: editing.email,
          phone: editing.phone,
          employeeId: editing.employeeId,
          department: editing.department,
          manager: editing.manager,
          enabled: editing.enabled,
          privileged: editing.privileged,
        }
      : EMPTY,
  );
  const [password, setPassword] = useState('');
  const country = useConsole((s) => s.config?.directory.phoneCountry ?? '');
  const [busy, setBusy] = useState(false);
  const [fields, setFields] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<string | null>(null);
  /** The server names fields by their path in the payload: `user.email`, `changes.email`. */
  const errorOf = (key: string) => fields[`${editing ? 'changes' : 'user'}.${key}`];
  const change = (patch: Partial<DirectoryUserInput>) => setUser((u) => ({ ...u, ...patch }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setFailure(null);
    const state = store.getState();
    const { username: _username, ...changes } = user;
    const outcome = editing
      ? await state.updateUser(editing.username, changes)
      : await state.addUser(user, password || undefined);
    setBusy(false);
    if (outcome.ok) {
      props.onClose();
      return;
    }
    setFields(outcome.fields);
    setFailure(
      Object.keys(outcome.fields).length > 0
        ? 'Not saved: correct the fields marked below.'
        : outcome.message,
    );
  };

  const id = editing ? `user-edit-${editing.username}` : 'user-add';
  return (
    <Dialog title={editing ? `Edit ${editing.username}` : 'Add a user'} onClose={props.onClose}>
      <form className="user-form" onSubmit={(e) => void submit(e)} noValidate>
        {failure ? (
          <p className="notice notice-error" role="alert">
            {failure}
          </p>
        ) : null}
        {editing ? null : (
          <TextField
            label="Username"
            value={user.username}
            autoComplete="off"
            spellCheck={false}
            error={errorOf('username')}
            hint="What they type to sign in: letters, digits and . _ @ + -"
            onChange={(e) => change({ username: e.target.value })}
          />
        )}
        <div className="user-form-grid">
          {TEXT_FIELDS.map(({ key, label, type, mono }) => (
            <TextField
              key={key}
              label={label}
              type={type ?? 'text'}
              className={mono ? 'field-mono' : undefined}
              value={user[key]}
              autoComplete="off"
              error={errorOf(key)}
              hint={
                key === 'phone' && country ? `Local numbers are read as ${country}.` : undefined
              }
              onChange={(e) => change({ [key]: e.target.value })}
            />
          ))}
        </div>
        <div className="field field-check">
          <input
            id={`${id}-enabled`}
            type="checkbox"
            checked={user.enabled}
            onChange={(e) => change({ enabled: e.target.checked })}
          />
          <label htmlFor={`${id}-enabled`}>Enabled (can sign in and ask for help)</label>
        </div>
        <div className="field field-check">
          <input
            id={`${id}-privileged`}
            type="checkbox"
            checked={user.privileged}
            onChange={(e) => change({ privileged: e.target.checked })}
          />
          <label htmlFor={`${id}-privileged`}>Privileged (agents are warned to be stricter)</label>
        </div>
        {editing ? null : (
          <TextField
            label="Password"
            type="password"
            value={password}
            autoComplete="new-password"
            error={fields['password']}
            hint="Optional, at least 12 characters. Leave empty to have one generated and shown to you once."
            onChange={(e) => setPassword(e.target.value)}
          />
        )}
        <div className="dialog-actions">
          <button type="button" className="button" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" disabled={busy}>
            {busy ? 'Saving…' : editing ? 'Save changes' : 'Add user'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
