// Agents: who they are, their desks and role; create, edit, reset password, disable or enable.
import { useState, type FormEvent } from 'react';
import type { AgentView, Role } from '../../../../server/contract/agents';
import { useShallow } from 'zustand/react/shallow';
import type { HelpDeskId } from '../../../../server/contract/realm-config';
import { HELP_DESK_IDS } from '../../../../server/contract/realm-config';
import { sessionSelectors, settingsSelectors, useConsole, useConsoleStore } from '../../store';
import { CopyButton } from '../../ui/CopyButton';
import { Dialog } from '../../ui/Dialog';
import { TextField } from '../../ui/Field';

/** A new agent staffs the first desk unless the admin picks otherwise. */
const NEW_AGENT_DESKS: HelpDeskId[] = [HELP_DESK_IDS[0]];

export function AgentsAdmin() {
  const store = useConsoleStore();
  const agents = useConsole(settingsSelectors.agents);
  const status = useConsole(settingsSelectors.agentsStatus);
  const error = useConsole(settingsSelectors.agentsError);
  const [editing, setEditing] = useState<string | null>(null);

  return (
    <section className="settings-card" aria-labelledby="agents-heading">
      <header className="settings-card-head">
        <h2 id="agents-heading" className="settings-card-title">
          Agents
        </h2>
        <p className="settings-card-desc">
          Disabling an agent ends their sessions at once. New and reset passwords are shown once.
        </p>
      </header>
      <OneTimePasswordNotice />
      {error ? (
        <p className="notice notice-error" role="alert">
          {error}
        </p>
      ) : null}
      {status === 'loading' && agents.length === 0 ? <p role="status">Loading agents…</p> : null}
      <table className="agents-table">
        <thead>
          <tr>
            <th scope="col">Agent</th>
            <th scope="col">Role</th>
            <th scope="col">Desks</th>
            <th scope="col">Authenticator</th>
            <th scope="col">Status</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {agents.map((agent) =>
            editing === agent.id ? (
              <AgentEditor key={agent.id} agent={agent} onDone={() => setEditing(null)} />
            ) : (
              <AgentRow key={agent.id} agent={agent} onEdit={() => setEditing(agent.id)} />
            ),
          )}
        </tbody>
      </table>
      <CreateAgentForm />
      <button
        type="button"
        className="button button-link"
        onClick={() => void store.getState().loadAgents()}
      >
        Refresh the list
      </button>
    </section>
  );
}

const CONFIRMS = {
  reset: {
    title: (username: string) => `Reset the password of ${username}?`,
    body: 'A new password is generated and shown to you once; the old one stops working.',
    action: 'Reset password',
  },
  'reset-totp': {
    title: (username: string) => `Reset the authenticator of ${username}?`,
    body: 'Their sessions end at once; where the realm requires an authenticator they enrol a new one at their next sign-in.',
    action: 'Reset authenticator',
  },
  disable: {
    title: (username: string) => `Disable ${username}?`,
    body: 'Their sessions end at once and they cannot sign in until enabled again.',
    action: 'Disable',
  },
} as const;

function AgentRow({ agent, onEdit }: { agent: AgentView; onEdit: () => void }) {
  const store = useConsoleStore();
  const me = useConsole(sessionSelectors.agentId);
  const deskNames = useConsole(useShallow(settingsSelectors.deskNames));
  const [confirm, setConfirm] = useState<'reset' | 'disable' | 'reset-totp' | null>(null);
  const self = agent.id === me;

  return (
    <tr className={agent.enabled ? undefined : 'is-disabled'}>
      <th scope="row">
        <span className="agent-name">{agent.displayName}</span>
        <span className="agent-username mono">{agent.username}</span>
      </th>
      <td>{agent.role === 'admin' ? 'Admin' : 'Agent'}</td>
      <td>{agent.desks.length ? agent.desks.map((desk) => deskNames[desk]).join(', ') : 'None'}</td>
      <td>{agent.totpEnrolled ? 'Enrolled' : 'Not enrolled'}</td>
      <td>
        <span className={`badge ${agent.enabled ? 'badge-enabled' : 'badge-disabled'}`}>
          {agent.enabled ? 'Active' : 'Disabled'}
        </span>
      </td>
      <td className="agents-actions">
        <button
          type="button"
          className="button button-small"
          aria-label={`Edit ${agent.username}`}
          onClick={onEdit}
        >
          Edit
        </button>
        <button
          type="button"
          className="button button-small"
          aria-label={`Reset password of ${agent.username}`}
          onClick={() => setConfirm('reset')}
        >
          Reset password
        </button>
        {agent.totpEnrolled ? (
          <button
            type="button"
            className="button button-small"
            aria-label={`Reset authenticator of ${agent.username}`}
            onClick={() => setConfirm('reset-totp')}
          >
            Reset authenticator
          </button>
        ) : null}
        {agent.enabled ? (
          <button
            type="button"
            className="button button-small button-danger-quiet"
            aria-label={`Disable ${agent.username}`}
            disabled={self}
            title={self ? 'You cannot disable yourself' : undefined}
            onClick={() => setConfirm('disable')}
          >
            Disable
          </button>
        ) : (
          <button
            type="button"
            className="button button-small"
            aria-label={`Enable ${agent.username}`}
            onClick={() => void store.getState().updateAgent({ id: agent.id, enabled: true })}
          >
            Enable
          </button>
        )}
        {confirm ? (
          <Dialog title={CONFIRMS[confirm].title(agent.username)} onClose={() => setConfirm(null)}>
            <p>{CONFIRMS[confirm].body}</p>
            <div className="dialog-actions">
              <button type="button" className="button" onClick={() => setConfirm(null)}>
                Cancel
              </button>
              <button
                type="button"
                className={`button ${confirm === 'disable' ? 'button-danger' : 'button-primary'}`}
                onClick={() => {
                  setConfirm(null);
                  const state = store.getState();
                  void (confirm === 'reset'
                    ? state.resetAgentPassword(agent.id)
                    : confirm === 'reset-totp'
                      ? state.updateAgent({ id: agent.id, resetTotp: true })
                      : state.updateAgent({ id: agent.id, enabled: false }));
                }}
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

function DeskChoices(props: {
  idPrefix: string;
  value: HelpDeskId[];
  onChange: (desks: HelpDeskId[]) => void;
}) {
  const deskNames = useConsole(useShallow(settingsSelectors.deskNames));
  return (
    <fieldset className="checkbox-group">
      <legend>Desks</legend>
      {HELP_DESK_IDS.map((desk) => (
        <div key={desk} className="field field-check field-inline-check">
          <input
            id={`${props.idPrefix}-desk-${desk}`}
            type="checkbox"
            checked={props.value.includes(desk)}
            onChange={(e) =>
              props.onChange(
                e.target.checked
                  ? HELP_DESK_IDS.filter((d) => d === desk || props.value.includes(d))
                  : props.value.filter((d) => d !== desk),
              )
            }
          />
          <label htmlFor={`${props.idPrefix}-desk-${desk}`}>{deskNames[desk]}</label>
        </div>
      ))}
    </fieldset>
  );
}

function RoleSelect(props: { id: string; value: Role; onChange: (role: Role) => void }) {
  return (
    <div className="field">
      <label htmlFor={props.id}>Role</label>
      <select
        id={props.id}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value as Role)}
      >
        <option value="agent">Agent</option>
        <option value="admin">Admin</option>
      </select>
    </div>
  );
}

function AgentEditor({ agent, onDone }: { agent: AgentView; onDone: () => void }) {
  const store = useConsoleStore();
  const [displayName, setDisplayName] = useState(agent.displayName);
  const [role, setRole] = useState<Role>(agent.role);
  const [desks, setDesks] = useState<HelpDeskId[]>(agent.desks);
  const [busy, setBusy] = useState(false);
  const prefix = `edit-${agent.id}`;

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    const outcome = await store.getState().updateAgent({ id: agent.id, displayName, role, desks });
    setBusy(false);
    if (outcome.ok) onDone();
  };

  return (
    <tr className="agents-editing">
      <td colSpan={6}>
        <form
          className="agent-editor"
          onSubmit={(e) => void save(e)}
          aria-label={`Edit ${agent.username}`}
        >
          <TextField
            label="Display name"
            value={displayName}
            maxLength={80}
            onChange={(e) => setDisplayName(e.target.value)}
          />
          <RoleSelect id={`${prefix}-role`} value={role} onChange={setRole} />
          <DeskChoices idPrefix={prefix} value={desks} onChange={setDesks} />
          <div className="dialog-actions">
            <button type="button" className="button" onClick={onDone}>
              Cancel
            </button>
            <button type="submit" className="button button-primary" disabled={busy}>
              {busy ? 'Saving…' : `Save ${agent.username}`}
            </button>
          </div>
        </form>
      </td>
    </tr>
  );
}

function CreateAgentForm() {
  const store = useConsoleStore();
  const errors = useConsole(settingsSelectors.agentFieldErrors);
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [role, setRole] = useState<Role>('agent');
  const [desks, setDesks] = useState<HelpDeskId[]>(NEW_AGENT_DESKS);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);

  const create = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setFailure(null);
    const outcome = await store.getState().createAgent({ username, displayName, role, desks });
    setBusy(false);
    if (outcome.ok) {
      setUsername('');
      setDisplayName('');
      setRole('agent');
      setDesks(NEW_AGENT_DESKS);
    } else setFailure(outcome.message);
  };

  return (
    <form
      className="agent-create"
      onSubmit={(e) => void create(e)}
      noValidate
      aria-labelledby="agent-create-heading"
    >
      <h3 id="agent-create-heading" className="section-title">
        Add an agent
      </h3>
      {failure && Object.keys(errors).length === 0 ? (
        <p className="notice notice-error" role="alert">
          {failure}
        </p>
      ) : null}
      <div className="field-row">
        <TextField
          label="Username"
          value={username}
          autoComplete="off"
          spellCheck={false}
          error={errors['username']}
          onChange={(e) => setUsername(e.target.value)}
        />
        <TextField
          label="Display name"
          value={displayName}
          error={errors['displayName']}
          onChange={(e) => setDisplayName(e.target.value)}
        />
        <RoleSelect id="agent-create-role" value={role} onChange={setRole} />
      </div>
      <DeskChoices idPrefix="agent-create" value={desks} onChange={setDesks} />
      {errors['desks'] ? <p className="field-error">{errors['desks']}</p> : null}
      <button type="submit" className="button button-primary" disabled={busy}>
        {busy ? 'Creating…' : 'Create agent'}
      </button>
    </form>
  );
}

function OneTimePasswordNotice() {
  const store = useConsoleStore();
  const shown = useConsole(settingsSelectors.oneTimePassword);
  if (!shown) return null;
  return (
    <div className="notice notice-success one-time" role="status">
      <p>
        {shown.reason === 'created' ? 'Agent created.' : 'Password reset.'} The password for{' '}
        <strong className="mono">{shown.username}</strong> is shown this once; give it to them
        through a safe channel.
      </p>
      <p className="one-time-password mono" aria-label={`Password for ${shown.username}`}>
        {shown.password}
      </p>
      <div className="dialog-actions">
        <CopyButton key={shown.password} text={shown.password} className="button button-small" />
        <button
          type="button"
          className="button button-small"
          onClick={() => store.getState().dismissPassword()}
        >
          Done, hide it
        </button>
      </div>
    </div>
  );
}
