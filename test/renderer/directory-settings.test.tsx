// @vitest-environment jsdom
// Settings → Directory: the source and LDAP form (presets, the bind password never shown, the
// server's field errors), Test connection's answer, the users table's actions, and CSV import's
// preview that allows Import only for a clean file.
import { act, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ACTIVE_DIRECTORY_PRESET,
  OPENLDAP_PRESET,
  type DirectoryImportResult,
  type DirectorySettings,
} from '../../server/contract/directory';
import { SettingsPage } from '../../renderer/src/features/settings/SettingsPage';
import { SEARCH_DELAY_MS } from '../../renderer/src/features/settings/directory/DirectoryUsers';
import { WireRequestError } from '../../renderer/src/lib/socket';
import {
  agentView,
  directoryStatus,
  directoryUser,
  harness,
  realmConfig,
  sessionInfo,
  settle,
  signedIn,
  type Harness,
} from './fakes';
import { cleanup, renderOn } from './render';

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

const admin = agentView({ id: 'agent-root', username: 'root', displayName: 'Root', role: 'admin' });

function ldapConfig(): ReturnType<typeof realmConfig> {
  const config = realmConfig();
  const directory: DirectorySettings = {
    ...config.directory,
    source: 'ldap',
    ldap: {
      ...config.directory.ldap,
      url: 'ldaps://ldap.example.com:636',
      bindDn: 'cn=helpdesk,dc=example,dc=com',
      baseDn: 'ou=people,dc=example,dc=com',
    },
  };
  return { ...config, directory };
}

const users = [
  directoryUser({ username: 'jdoe', displayName: 'Jane Doe' }),
  directoryUser({ username: 'rlee', displayName: 'Robin Lee', privileged: true }),
];

async function directorySettings(
  options: { config?: ReturnType<typeof realmConfig>; bindPasswordSaved?: boolean } = {},
): Promise<Harness> {
  const config = options.config ?? realmConfig();
  const h = harness({
    config,
    directory: directoryStatus({
      source: config.directory.source,
      bindPasswordSaved: options.bindPasswordSaved ?? false,
    }),
  });
  h.link
    .answer('agents:list', () => ({ agents: [admin] }))
    .answer('users:search', () => ({ users, total: users.length }));
  await signedIn(h, sessionInfo({ agent: admin, role: 'admin' }));
  act(() => h.store.getState().openSettings('directory'));
  renderOn(h.store, <SettingsPage />);
  await act(settle);
  return h;
}

const directoryCard = () => screen.getByRole('region', { name: 'Directory' });

describe('the directory settings', () => {
  it('fills the filter, attributes and disabled rule from a preset', async () => {
    await directorySettings({ config: ldapConfig() });
    const card = directoryCard();
    const filter = within(card).getByLabelText('User filter') as HTMLInputElement;
    expect(filter.value).toBe(OPENLDAP_PRESET.userFilter);

    fireEvent.click(within(card).getByRole('button', { name: 'Active Directory' }));
    expect(filter.value).toBe(ACTIVE_DIRECTORY_PRESET.userFilter);
    expect((within(card).getByLabelText('Username attribute') as HTMLInputElement).value).toBe(
      'sAMAccountName',
    );
    expect((within(card).getByLabelText('Employee ID attribute') as HTMLInputElement).value).toBe(
      'employeeID',
    );
    expect((within(card).getByLabelText('Disabled accounts') as HTMLSelectElement).value).toBe(
      'ad-user-account-control',
    );
    within(card).getByText('Unsaved changes');

    fireEvent.click(within(card).getByRole('button', { name: 'OpenLDAP' }));
    expect(filter.value).toBe(OPENLDAP_PRESET.userFilter);
    expect((within(card).getByLabelText('Username attribute') as HTMLInputElement).value).toBe(
      'uid',
    );
    expect((within(card).getByLabelText('Disabled accounts') as HTMLSelectElement).value).toBe(
      'none',
    );
  });

  it('never prefills the bind password, says one is saved, and keeps it unless a new one is typed', async () => {
    const h = await directorySettings({ config: ldapConfig(), bindPasswordSaved: true });
    h.link.answer('directory:configure', ({ settings }) => ({
      settings,
      status: directoryStatus({ source: 'ldap', bindPasswordSaved: true }),
    }));
    const card = directoryCard();
    const password = within(card).getByLabelText('Bind password') as HTMLInputElement;
    expect(password.value).toBe('');
    expect(password.type).toBe('password');
    within(card).getByText('Saved — leave empty to keep it.');

    fireEvent.change(within(card).getByLabelText('Bind DN'), {
      target: { value: 'cn=other,dc=example,dc=com' },
    });
    fireEvent.click(within(card).getByRole('button', { name: 'Save directory' }));
    await act(settle);
    const [first] = h.link.callsOf('directory:configure') as Array<Record<string, unknown>>;
    expect(first).not.toHaveProperty('bindPassword');
    expect(first).toMatchObject({ settings: { ldap: { bindDn: 'cn=other,dc=example,dc=com' } } });
    within(card).getByText('Saved.');

    fireEvent.change(password, { target: { value: 'new secret' } });
    fireEvent.click(within(card).getByRole('button', { name: 'Save directory' }));
    await act(settle);
    expect(h.link.callsOf('directory:configure')[1]).toMatchObject({ bindPassword: 'new secret' });
    // Saved: the field is empty again, nothing of the password stays on screen.
    expect(password.value).toBe('');
  });

  it("shows the server's field errors next to their fields", async () => {
    const h = await directorySettings();
    h.link.answer('directory:configure', () => {
      throw new WireRequestError('bad-request', 'The directory settings are not valid', {
        'settings.ldap.url': 'Enter the LDAP server URL',
        'settings.ldap.baseDn': 'Enter the base DN to search',
      });
    });
    const card = directoryCard();
    fireEvent.click(within(card).getByRole('radio', { name: 'LDAP / Active Directory' }));
    fireEvent.click(within(card).getByRole('button', { name: 'Save directory' }));
    await act(settle);

    const url = within(card).getByLabelText('Server URL');
    expect(url.getAttribute('aria-invalid')).toBe('true');
    const message = within(card).getByText('Enter the LDAP server URL');
    expect(url.getAttribute('aria-describedby')).toContain(message.id);
    expect(within(card).getByLabelText('Base DN').getAttribute('aria-invalid')).toBe('true');
    expect(within(card).getByLabelText('Bind DN').getAttribute('aria-invalid')).toBeNull();
    within(card).getByText('Not saved: correct the fields marked below.');
  });
});

describe('test connection', () => {
  it('sends the unsaved settings and shows the mapped profile', async () => {
    const h = await directorySettings({ config: ldapConfig(), bindPasswordSaved: true });
    h.link.answer('directory:test', ({ username }) => ({
      ok: true,
      dn: `uid=${username},ou=people,dc=example,dc=com`,
      profile: directoryUser({ username, displayName: 'Jane Doe', privileged: true }),
      elapsedMs: 12,
    }));
    const card = directoryCard();
    fireEvent.change(within(card).getByLabelText('Base DN'), {
      target: { value: 'ou=staff,dc=example,dc=com' },
    });
    fireEvent.change(within(card).getByLabelText('Username to look up'), {
      target: { value: 'jdoe' },
    });
    fireEvent.click(within(card).getByRole('button', { name: 'Test connection' }));
    await act(settle);

    const [sent] = h.link.callsOf('directory:test') as Array<Record<string, unknown>>;
    expect(sent).toMatchObject({
      username: 'jdoe',
      ldap: { baseDn: 'ou=staff,dc=example,dc=com' },
    });
    expect(sent).not.toHaveProperty('bindPassword');
    const table = within(card).getByRole('table', { name: 'What the directory says about jdoe' });
    within(table).getByText('uid=jdoe,ou=people,dc=example,dc=com');
    expect(within(table).getByRole('row', { name: /Name/ }).textContent).toContain('Jane Doe');
    expect(within(table).getByRole('row', { name: /Privileged/ }).textContent).toContain('Yes');
    expect(within(table).getByRole('row', { name: /Enabled/ }).textContent).toContain('Yes');
    // Nothing was saved.
    expect(h.link.callsOf('directory:configure')).toEqual([]);
  });

  it('names the stage a failing test stopped at, with the server’s message', async () => {
    const h = await directorySettings({ config: ldapConfig() });
    const card = directoryCard();
    fireEvent.change(within(card).getByLabelText('Username to look up'), {
      target: { value: 'jdoe' },
    });
    for (const [stage, words] of [
      ['dns', 'DNS:'],
      ['tls', 'TLS:'],
      ['bind', 'Bind:'],
      ['no-such-user', 'No such user:'],
    ] as const) {
      h.link.answer('directory:test', () => ({
        ok: false,
        stage,
        message: `failed at ${stage}`,
        elapsedMs: 3,
      }));
      fireEvent.click(within(card).getByRole('button', { name: 'Test connection' }));
      await act(settle);
      const shown = within(card).getByText(words);
      expect(shown.parentElement?.textContent).toBe(`${words} failed at ${stage}`);
    }
  });
});

describe('the users of the embedded directory', () => {
  it('lists users, and searches as the admin types after a pause', async () => {
    vi.useFakeTimers();
    const h = await directorySettings();
    expect(h.link.callsOf('users:search')).toEqual([{ query: '', offset: 0, limit: 50 }]);
    const table = screen.getByRole('table', { name: 'Directory users' });
    within(table).getByRole('row', { name: /jdoe/ });
    expect(within(table).getByRole('row', { name: /rlee/ }).textContent).toContain('Privileged');

    const search = screen.getByLabelText('Search users');
    fireEvent.change(search, { target: { value: 'ro' } });
    fireEvent.change(search, { target: { value: 'rob' } });
    expect(h.link.callsOf('users:search')).toHaveLength(1);
    await act(async () => {
      vi.advanceTimersByTime(SEARCH_DELAY_MS);
      await settle();
    });
    expect(h.link.callsOf('users:search')).toEqual([
      { query: '', offset: 0, limit: 50 },
      { query: 'rob', offset: 0, limit: 50 },
    ]);
  });

  it('disables, resets a password (shown once) and deletes through confirmations', async () => {
    const h = await directorySettings();
    h.link
      .answer('users:set-enabled', ({ username, enabled }) => ({
        user: directoryUser({ username, enabled }),
      }))
      .answer('users:reset-password', ({ username }) => ({
        user: directoryUser({ username }),
        password: 'once-only-password',
      }))
      .answer('users:delete', ({ username }) => ({ username, cancelledRequests: 1 }));

    fireEvent.click(screen.getByRole('button', { name: 'Disable jdoe' }));
    const disable = screen.getByRole('alertdialog', { name: 'Disable jdoe?' });
    fireEvent.click(within(disable).getByRole('button', { name: 'Disable' }));
    await act(settle);
    expect(h.link.callsOf('users:set-enabled')).toEqual([{ username: 'jdoe', enabled: false }]);
    fireEvent.click(screen.getByRole('button', { name: 'Enable jdoe' }));
    await act(settle);
    expect(h.link.callsOf('users:set-enabled')[1]).toEqual({ username: 'jdoe', enabled: true });

    fireEvent.click(screen.getByRole('button', { name: 'Reset password of rlee' }));
    fireEvent.click(
      within(screen.getByRole('alertdialog', { name: 'Reset the password of rlee?' })).getByRole(
        'button',
        { name: 'Reset password' },
      ),
    );
    await act(settle);
    expect(h.link.callsOf('users:reset-password')).toEqual([{ username: 'rlee' }]);
    const shown = screen.getByRole('alertdialog', { name: 'Password for rlee' });
    expect(within(shown).getByLabelText('Password for rlee').textContent).toBe(
      'once-only-password',
    );
    within(shown).getByText('It will not be shown again.');
    fireEvent.click(within(shown).getByRole('button', { name: 'Done, hide it' }));
    expect(screen.queryByText('once-only-password')).toBeNull();

    fireEvent.click(screen.getByRole('button', { name: 'Delete jdoe' }));
    const confirm = screen.getByRole('alertdialog', { name: 'Delete jdoe?' });
    within(confirm).getByText(/Their open request, if they have one, will be cancelled/);
    fireEvent.click(within(confirm).getByRole('button', { name: 'Delete' }));
    await act(settle);
    expect(h.link.callsOf('users:delete')).toEqual([{ username: 'jdoe' }]);
    screen.getByText('Deleted jdoe; their open request was cancelled.');
  });

  it('adds a user with a generated password shown once, and edits one', async () => {
    const h = await directorySettings();
    h.link
      .answer('users:add', ({ user }) => {
        if (!user.email.includes('@'))
          throw new WireRequestError('bad-request', 'not valid', {
            'user.email': 'Enter an email address, e.g. jane@example.com',
          });
        return { user: directoryUser(user), password: 'generated-once-123' };
      })
      .answer('users:update', ({ username, changes }) => ({
        user: directoryUser({ ...users.find((u) => u.username === username), ...changes }),
      }));

    fireEvent.click(screen.getByRole('button', { name: 'Add user' }));
    const dialog = screen.getByRole('alertdialog', { name: 'Add a user' });
    fireEvent.change(within(dialog).getByLabelText('Username'), { target: { value: 'mchen' } });
    fireEvent.change(within(dialog).getByLabelText('Display name'), {
      target: { value: 'Max Chen' },
    });
    fireEvent.change(within(dialog).getByLabelText('Email'), { target: { value: 'max' } });
    fireEvent.click(within(dialog).getByRole('checkbox', { name: /Privileged/ }));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Add user' }));
    await act(settle);
    const email = within(dialog).getByLabelText('Email');
    expect(email.getAttribute('aria-invalid')).toBe('true');
    within(dialog).getByText('Enter an email address, e.g. jane@example.com');

    fireEvent.change(email, { target: { value: 'max@example.com' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Add user' }));
    await act(settle);
    const [, added] = h.link.callsOf('users:add');
    expect(added).toEqual({
      user: {
        username: 'mchen',
        displayName: 'Max Chen',
        email: 'max@example.com',
        phone: '',
        employeeId: '',
        department: '',
        manager: '',
        enabled: true,
        privileged: true,
      },
    });
    expect(screen.queryByRole('alertdialog', { name: 'Add a user' })).toBeNull();
    const shown = screen.getByRole('alertdialog', { name: 'Password for mchen' });
    expect(within(shown).getByLabelText('Password for mchen').textContent).toBe(
      'generated-once-123',
    );
    fireEvent.click(within(shown).getByRole('button', { name: 'Done, hide it' }));

    fireEvent.click(screen.getByRole('button', { name: 'Edit jdoe' }));
    const edit = screen.getByRole('alertdialog', { name: 'Edit jdoe' });
    expect(within(edit).queryByLabelText('Username')).toBeNull();
    expect(within(edit).queryByLabelText('Password')).toBeNull();
    fireEvent.change(within(edit).getByLabelText('Department'), { target: { value: 'Legal' } });
    fireEvent.click(within(edit).getByRole('button', { name: 'Save changes' }));
    await act(settle);
    expect(h.link.callsOf('users:update')).toEqual([
      {
        username: 'jdoe',
        changes: {
          displayName: 'Jane Doe',
          email: 'jdoe@example.com',
          phone: '+14155550123',
          employeeId: 'E1001',
          department: 'Legal',
          manager: 'msmith',
          enabled: true,
          privileged: false,
        },
      },
    ]);
    expect(screen.getByRole('row', { name: /jdoe/ }).textContent).toContain('Legal');
  });

  it('says the users are not used while LDAP is the source', async () => {
    await directorySettings({ config: ldapConfig() });
    screen.getByText(/these users are not used for sign-ins or lookups while it is/);
  });

  it('tells a newcomer how to get users in when the directory is empty', async () => {
    const h = harness({ directory: directoryStatus({ embeddedUsers: 0 }) });
    h.link
      .answer('agents:list', () => ({ agents: [admin] }))
      .answer('users:search', () => ({ users: [], total: 0 }));
    await signedIn(h, sessionInfo({ agent: admin, role: 'admin' }));
    act(() => h.store.getState().openSettings('directory'));
    renderOn(h.store, <SettingsPage />);
    await act(settle);
    screen.getByText(
      'No users yet — add users, import a CSV or connect LDAP in Settings → Directory.',
    );
  });
});

function importResult(over: Partial<DirectoryImportResult> = {}): DirectoryImportResult {
  return {
    committed: false,
    rows: 2,
    added: 1,
    updated: 1,
    errors: [],
    sample: users,
    generatedPasswords: [],
    elapsedMs: 5,
    ...over,
  };
}

const csvFile = (text: string) => new File([text], 'people.csv', { type: 'text/csv' });

describe('CSV import', () => {
  beforeEach(() => {
    URL.createObjectURL = vi.fn(() => 'blob:passwords');
    URL.revokeObjectURL = vi.fn();
  });

  it('keeps Import disabled while the preview has errors, and lists them by line and column', async () => {
    const h = await directorySettings();
    h.directoryApi.answerImport = () =>
      importResult({
        errors: [{ line: 3, column: 'email', message: 'Enter an email address' }],
      });
    const card = screen.getByRole('region', { name: 'Import and export users' });
    fireEvent.change(within(card).getByLabelText('CSV file to import'), {
      target: { files: [csvFile('username,displayName\njdoe,Jane\nrlee,Robin\n')] },
    });
    await act(settle);
    expect(h.directoryApi.imports).toEqual([
      { token: 'token-1', commit: false, text: 'username,displayName\njdoe,Jane\nrlee,Robin\n' },
    ]);
    const preview = within(card).getByRole('region', { name: 'Import preview' });
    const errors = within(preview).getByRole('table', { name: 'Rows with errors' });
    expect(within(errors).getAllByRole('row')[1]!.textContent).toBe('3emailEnter an email address');
    within(preview).getByRole('table', { name: 'Sample of the import' });
    expect(within(preview).getByRole('button', { name: 'Import 2 users' })).toHaveProperty(
      'disabled',
      true,
    );
  });

  it('imports a clean file and offers the generated passwords once as a download', async () => {
    const h = await directorySettings();
    h.directoryApi.answerImport = (_text, commit) =>
      importResult({
        committed: commit,
        generatedPasswords: commit ? [{ username: 'rlee', password: 'p,w"1' }] : [],
      });
    const card = screen.getByRole('region', { name: 'Import and export users' });
    fireEvent.change(within(card).getByLabelText('CSV file to import'), {
      target: { files: [csvFile('username,displayName\njdoe,Jane\nrlee,Robin\n')] },
    });
    await act(settle);
    const preview = within(card).getByRole('region', { name: 'Import preview' });
    const counts = preview.querySelector('.import-counts')!.textContent;
    expect(counts).toBe('Rows2To add1To replace1Errors0');
    const importButton = within(preview).getByRole('button', { name: 'Import 2 users' });
    expect(importButton).toHaveProperty('disabled', false);
    fireEvent.click(importButton);
    await act(settle);
    expect(h.directoryApi.imports.map((i) => i.commit)).toEqual([false, true]);
    within(card).getByText('Imported 2 rows: 1 added, 1 replaced.');

    const clicked: HTMLAnchorElement[] = [];
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (
      this: HTMLAnchorElement,
    ) {
      clicked.push(this);
    });
    within(card).getByText(/will not be shown again/);
    fireEvent.click(within(card).getByRole('button', { name: 'Download passwords (CSV)' }));
    expect(clicked[0]?.download).toBe('generated-passwords.csv');
    const blob = vi.mocked(URL.createObjectURL).mock.calls[0]![0] as Blob;
    expect(await blob.text()).toBe('username,password\r\nrlee,"p,w""1"\r\n');
    fireEvent.click(within(card).getByRole('button', { name: 'Done, forget them' }));
    expect(within(card).queryByRole('button', { name: 'Download passwords (CSV)' })).toBeNull();
    click.mockRestore();
  });
});
