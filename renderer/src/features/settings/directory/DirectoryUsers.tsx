// The embedded directory's users: search (as you type), a paged table, and add, edit, disable or
// enable, reset a password (shown once) and delete (cancelling their open request).
import { useEffect, useRef, useState } from 'react';
import type { DirectoryUserView } from '../../../../../server/contract/directory';
import { directorySelectors, useConsole, useConsoleStore } from '../../../store';
import { USERS_PAGE_SIZE } from '../../../store/directory-state';
import { Dialog } from '../../../ui/Dialog';
import { TextField } from '../../../ui/Field';
import { NO_USERS_YET } from './empty-directory';
import { UserDialog } from './UserDialog';
import { UserPasswordDialog } from './UserPasswordDialog';

/** Typing pauses this long before the server is asked. */
export const SEARCH_DELAY_MS = 250;

export function DirectoryUsers() {
  const store = useConsoleStore();
  const users = useConsole(directorySelectors.users);
  const total = useConsole(directorySelectors.usersTotal);
  const offset = useConsole(directorySelectors.usersOffset);
  const status = useConsole(directorySelectors.usersStatus);
  const error = useConsole(directorySelectors.usersError);
  const notice = useConsole(directorySelectors.userNotice);
  const searched = useConsole(directorySelectors.usersQuery);
  const ldapIsSource = useConsole((s) => s.config?.directory.source === 'ldap');
  const [query, setQuery] = useState(() => store.getState().usersQuery);
  const [adding, setAdding] = useState(false);
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);

  useEffect(() => {
    void store.getState().searchUsers(store.getState().usersQuery, 0);
    return () => clearTimeout(timer.current);
  }, [store]);

  const search = (value: string) => {
    setQuery(value);
    clearTimeout(timer.current);
    timer.current = setTimeout(() => void store.getState().searchUsers(value, 0), SEARCH_DELAY_MS);
  };
  const page = (to: number) => void store.getState().searchUsers(searched, to);
  const first = total === 0 ? 0 : offset + 1;
  const last = Math.min(total, offset + users.length);

  return (
    <section className="settings-card" aria-labelledby="directory-users-heading">
      <header className="settings-card-head settings-card-head-row">
        <div>
          <h2 id="directory-users-heading" className="settings-card-title">
            Directory users
          </h2>
          <p className="settings-card-desc">
            The users of the embedded directory. New and reset passwords are shown once.
          </p>
        </div>
        <button type="button" className="button button-primary" onClick={() => setAdding(true)}>
          Add user
        </button>
      </header>
      <div className="settings-card-body">
        {ldapIsSource ? (
          <p className="notice notice-info">
            LDAP / Active Directory is the source: these users are not used for sign-ins or lookups
            while it is. They are kept in case you switch back.
          </p>
        ) : null}
        {notice ? (
          <div className="notice notice-success notice-row" role="status">
            <span>{notice}</span>
            <button
              type="button"
              className="button button-link"
              onClick={() => store.getState().dismissUserNotice()}
            >
              Dismiss
            </button>
          </div>
        ) : null}
        {error ? (
          <p className="notice notice-error" role="alert">
            {error}
          </p>
        ) : null}
        <div className="users-toolbar">
          <TextField
            className="field-grow"
            label="Search users"
            type="search"
            value={query}
            placeholder="Username, name, email, employee ID or department"
            autoComplete="off"
            spellCheck={false}
            onChange={(e) => search(e.target.value)}
          />
          <p className="users-count" aria-live="polite">
            {status === 'loading'
              ? 'Searching…'
              : total === 0
                ? ''
                : `${first.toLocaleString()}–${last.toLocaleString()} of ${total.toLocaleString()}`}
          </p>
        </div>
        {status === 'ready' && total === 0 ? (
          <p className="users-empty" role="status">
            {searched.trim()
              ? `No user matches “${searched.trim()}”.`
              : ldapIsSource
                ? 'The embedded directory holds nobody; users come from LDAP / Active Directory.'
                : NO_USERS_YET}
          </p>
        ) : (
          <div className="table-scroll">
            <table className="data-table users-table" aria-label="Directory users">
              <thead>
                <tr>
                  <th scope="col">User</th>
                  <th scope="col">Email</th>
                  <th scope="col">Phone</th>
                  <th scope="col">Department</th>
                  <th scope="col">Status</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {users.map((user) => (
                  <UserRow key={user.username} user={user} />
                ))}
              </tbody>
            </table>
          </div>
        )}
        {total > USERS_PAGE_SIZE ? (
          <nav className="pager" aria-label="Pages of users">
            <span className="users-count">
              {first.toLocaleString()}–{last.toLocaleString()} of {total.toLocaleString()}
            </span>
            <button
              type="button"
              className="button button-small"
              disabled={offset === 0 || status === 'loading'}
              onClick={() => page(Math.max(0, offset - USERS_PAGE_SIZE))}
            >
              Previous
            </button>
            <button
              type="button"
              className="button button-small"
              disabled={offset + USERS_PAGE_SIZE >= total || status === 'loading'}
              onClick={() => page(offset + USERS_PAGE_SIZE)}
            >
              Next
            </button>
          </nav>
        ) : null}
      </div>
      {adding ? <UserDialog mode="add" onClose={() => setAdding(false)} /> : null}
      <UserPasswordDialog />
    </section>
  );
}

type Confirm = 'reset' | 'disable' | 'delete';

const CONFIRMS: Record<
  Confirm,
  { title: (username: string) => string; body: string; action: string; danger: boolean }
> = {
  reset: {
    title: (username) => `Reset the password of ${username}?`,
    body: 'A new password is generated and shown to you once; the old one stops working at once.',
    action: 'Reset password',
    danger: false,
  },
  disable: {
    title: (username) => `Disable ${username}?`,
    body: 'They cannot sign in or be given a passcode until enabled again.',
    action: 'Disable',
    danger: true,
  },
  delete: {
    title: (username) => `Delete ${username}?`,
    body: 'They are removed from the directory and can no longer sign in. Their open request, if they have one, will be cancelled.',
    action: 'Delete',
    danger: true,
  },
};

function UserRow({ user }: { user: DirectoryUserView }) {
  const store = useConsoleStore();
  const [editing, setEditing] = useState(false);
  const [confirm, setConfirm] = useState<Confirm | null>(null);
  const { username } = user;

  const confirmed = (what: Confirm) => {
    setConfirm(null);
    const state = store.getState();
    void (what === 'reset'
      ? state.resetUserPassword(username)
      : what === 'disable'
        ? state.setUserEnabled(username, false)
        : state.deleteUser(username));
  };

  return (
    <tr className={user.enabled ? undefined : 'is-disabled'}>
      <th scope="row">
        <span className="user-name">{user.displayName}</span>
        <span className="user-username mono">{username}</span>
      </th>
      <td className="cell-clip" title={user.email}>
        {user.email || <span className="muted">—</span>}
      </td>
      <td className="mono">{user.phone || <span className="muted">—</span>}</td>
      <td>{user.department || <span className="muted">—</span>}</td>
      <td className="user-status">
        <span className={`badge ${user.enabled ? 'badge-enabled' : 'badge-disabled'}`}>
          {user.enabled ? 'Enabled' : 'Disabled'}
        </span>
        {user.privileged ? <span className="badge badge-privileged">Privileged</span> : null}
      </td>
      <td className="row-actions">
        <button
          type="button"
          className="button button-small"
          aria-label={`Edit ${username}`}
          onClick={() => setEditing(true)}
        >
          Edit
        </button>
        {user.enabled ? (
          <button
            type="button"
            className="button button-small"
            aria-label={`Disable ${username}`}
            onClick={() => setConfirm('disable')}
          >
            Disable
          </button>
        ) : (
          <button
            type="button"
            className="button button-small"
            aria-label={`Enable ${username}`}
            onClick={() => void store.getState().setUserEnabled(username, true)}
          >
            Enable
          </button>
        )}
        <button
          type="button"
          className="button button-small"
          aria-label={`Reset password of ${username}`}
          onClick={() => setConfirm('reset')}
        >
          Reset password
        </button>
        <button
          type="button"
          className="button button-small button-danger-quiet"
          aria-label={`Delete ${username}`}
          onClick={() => setConfirm('delete')}
        >
          Delete
        </button>
        {editing ? <UserDialog mode="edit" user={user} onClose={() => setEditing(false)} /> : null}
        {confirm ? (
          <Dialog title={CONFIRMS[confirm].title(username)} onClose={() => setConfirm(null)}>
            <p>{CONFIRMS[confirm].body}</p>
            <div className="dialog-actions">
              <button type="button" className="button" onClick={() => setConfirm(null)}>
                Cancel
              </button>
              <button
                type="button"
                className={`button ${CONFIRMS[confirm].danger ? 'button-danger' : 'button-primary'}`}
                onClick={() => confirmed(confirm)}
              >
                {CONFIRMS[confirm].action}
              </button>
            </div>
          </Dialog>
        ) : null}
      </td>
    </tr>
  );
}
