// Test connection: binds and looks a user up with the form's settings (saved or not) and shows what
// the directory gave back, or where it stopped, so an admin knows what to fix.
import { useState } from 'react';
import type {
  DirectoryTestResult,
  DirectoryTestStage,
  LdapSettings,
} from '../../../../../server/contract/directory';
import { directorySelectors, useConsole, useConsoleStore } from '../../../store';
import { TextField } from '../../../ui/Field';

/** Where a test stopped, in the words an admin looks for. */
export const STAGE_WORDS: Record<DirectoryTestStage, string> = {
  settings: 'Settings',
  dns: 'DNS',
  connect: 'Connection',
  tls: 'TLS',
  bind: 'Bind',
  filter: 'Filter',
  search: 'Search',
  'no-such-user': 'No such user',
  timeout: 'Timeout',
};

const PROFILE_ROWS = [
  ['username', 'Username'],
  ['displayName', 'Name'],
  ['email', 'Email'],
  ['phone', 'Phone'],
  ['employeeId', 'Employee ID'],
  ['department', 'Department'],
  ['manager', 'Manager'],
] as const;

export function DirectoryTestPanel(props: {
  ldap: LdapSettings;
  bindPassword: string | undefined;
}) {
  const store = useConsoleStore();
  const test = useConsole(directorySelectors.test);
  const [username, setUsername] = useState('');
  const running = test.step === 'running';

  const run = () => {
    if (running) return;
    void store.getState().testDirectory({
      ldap: props.ldap,
      username,
      ...(props.bindPassword !== undefined ? { bindPassword: props.bindPassword } : {}),
    });
  };

  return (
    <fieldset className="directory-group directory-test">
      <legend>Test connection</legend>
      <p className="field-hint">
        Connects with the settings above, saved or not, and looks one user up. Nothing is saved.
      </p>
      <div className="field-row field-row-end">
        <TextField
          label="Username to look up"
          value={username}
          autoComplete="off"
          spellCheck={false}
          error={test.step === 'refused' ? test.fields['username'] : undefined}
          onChange={(e) => setUsername(e.target.value)}
          onKeyDown={(e) => {
            // Enter tests; it must not save the whole form.
            if (e.key === 'Enter') {
              e.preventDefault();
              run();
            }
          }}
        />
        <button type="button" className="button" disabled={running} onClick={run}>
          {running ? 'Testing…' : 'Test connection'}
        </button>
      </div>
      <div aria-live="polite">
        {test.step === 'done' ? <TestResult result={test.result} /> : null}
        {test.step === 'refused' ? (
          <p className="notice notice-error">
            <strong>Not tested:</strong> {test.message}
          </p>
        ) : null}
      </div>
    </fieldset>
  );
}

export function TestResult({ result }: { result: DirectoryTestResult }) {
  if (!result.ok)
    return (
      <p className="notice notice-error">
        <strong>{STAGE_WORDS[result.stage]}:</strong> {result.message}
      </p>
    );
  const { profile } = result;
  return (
    <div className="notice notice-success test-result">
      <p>
        <strong>Connected and found {profile.username}</strong> in {result.elapsedMs} ms.
      </p>
      <table
        className="profile-table"
        aria-label={`What the directory says about ${profile.username}`}
      >
        <tbody>
          <tr>
            <th scope="row">DN</th>
            <td className="mono">{result.dn}</td>
          </tr>
          {PROFILE_ROWS.map(([key, label]) => (
            <tr key={key}>
              <th scope="row">{label}</th>
              <td>{profile[key] || <span className="muted">none</span>}</td>
            </tr>
          ))}
          <tr>
            <th scope="row">Enabled</th>
            <td>{profile.enabled ? 'Yes' : 'No (disabled)'}</td>
          </tr>
          <tr>
            <th scope="row">Privileged</th>
            <td>{profile.privileged ? 'Yes' : 'No'}</td>
          </tr>
        </tbody>
      </table>
    </div>
  );
}
