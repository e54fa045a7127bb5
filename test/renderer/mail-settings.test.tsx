// @vitest-environment jsdom
// Settings → Mail, Notifications and Blocked users: the SMTP password never shown, the server's field
// errors beside their fields, a test mail's answer or the stage it stopped at, the outbox live from
// pushes, notification toggles saved with the realm, and a block cleared only with a reason.
import { act, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { MailSettings, MailStatus } from '../../server/contract/mail';
import { SettingsPage } from '../../renderer/src/features/settings/SettingsPage';
import type { SettingsArea } from '../../renderer/src/store/settings-state';
import { WireRequestError } from '../../renderer/src/lib/socket';
import {
  agentView,
  harness,
  mailStatus,
  methodBlock,
  outboxEntry,
  realmConfig,
  sessionInfo,
  settle,
  signedIn,
  type Harness,
} from './fakes';
import { cleanup, renderOn } from './render';

afterEach(cleanup);

const admin = agentView({ id: 'agent-root', username: 'root', displayName: 'Root', role: 'admin' });

const smtp: MailSettings = {
  enabled: true,
  host: 'smtp.example.com',
  port: 587,
  tls: 'starttls',
  caCertificate: '',
  username: 'helpdesk',
  fromAddress: 'helpdesk@example.com',
  fromName: 'IT Help Desk',
};

async function settings(
  options: {
    mail?: MailSettings;
    status?: MailStatus;
    blocks?: ReturnType<typeof methodBlock>[];
    area?: SettingsArea;
  } = {},
): Promise<Harness> {
  const config = { ...realmConfig(), mail: options.mail ?? smtp };
  const h = harness({ config, mail: options.status ?? mailStatus() });
  let blocks = options.blocks ?? [];
  h.link
    .answer('agents:list', () => ({ agents: [admin] }))
    .answer('users:search', () => ({ users: [], total: 0 }))
    .answer('blocks:list', () => ({ blocks }))
    .answer('blocks:clear', ({ username }) => {
      blocks = blocks.filter((b) => b.username !== username);
      return { username };
    });
  await signedIn(h, sessionInfo({ agent: admin, role: 'admin' }));
  act(() => h.store.getState().openSettings(options.area ?? 'mail'));
  renderOn(h.store, <SettingsPage />);
  await act(settle);
  return h;
}

const mailCard = () => screen.getByRole('region', { name: 'Mail' });

describe('the mail settings', () => {
  it('never prefills the password, says one is saved, keeps it unless changed, and can remove it', async () => {
    const h = await settings({ status: mailStatus({ passwordSaved: true }) });
    h.link.answer('mail:configure', ({ settings }) => ({
      settings,
      status: mailStatus({ passwordSaved: true }),
    }));
    const card = mailCard();
    const password = within(card).getByLabelText('Password') as HTMLInputElement;
    expect(password.value).toBe('');
    expect(password.type).toBe('password');
    within(card).getByText('Saved — leave empty to keep it.');
    expect((within(card).getByLabelText('SMTP host') as HTMLInputElement).value).toBe(
      'smtp.example.com',
    );

    fireEvent.change(within(card).getByLabelText('From name'), { target: { value: 'Desk' } });
    fireEvent.click(within(card).getByRole('button', { name: 'Save mail' }));
    await act(settle);
    const [first] = h.link.callsOf('mail:configure') as Array<Record<string, unknown>>;
    expect(first).not.toHaveProperty('password');
    expect(first).toMatchObject({ settings: { fromName: 'Desk', host: 'smtp.example.com' } });
    within(card).getByText('Saved.');

    fireEvent.change(password, { target: { value: 'new secret' } });
    fireEvent.click(within(card).getByRole('button', { name: 'Save mail' }));
    await act(settle);
    expect(h.link.callsOf('mail:configure')[1]).toMatchObject({ password: 'new secret' });
    expect(password.value).toBe('');

    fireEvent.click(within(card).getByLabelText('Remove the saved password'));
    fireEvent.click(within(card).getByRole('button', { name: 'Save mail' }));
    await act(settle);
    expect(h.link.callsOf('mail:configure')[2]).toMatchObject({ password: '' });
  });

  it('names the TLS modes in plain words and moves a default port with the mode', async () => {
    await settings();
    const card = mailCard();
    const port = within(card).getByLabelText('Port') as HTMLInputElement;
    expect(port.value).toBe('587');
    expect(
      (
        within(card).getByRole('radio', {
          name: 'STARTTLS required (port 587)',
        }) as HTMLInputElement
      ).checked,
    ).toBe(true);
    fireEvent.click(within(card).getByRole('radio', { name: 'TLS from the start (port 465)' }));
    expect(port.value).toBe('465');
    fireEvent.click(within(card).getByRole('radio', { name: 'None — local relay only' }));
    expect(port.value).toBe('25');
    // No TLS, no CA to trust.
    expect(within(card).queryByLabelText('CA certificate (PEM)')).toBeNull();
    // A port of the admin's own stays when the mode changes.
    fireEvent.change(port, { target: { value: '2525' } });
    fireEvent.click(within(card).getByRole('radio', { name: 'STARTTLS required (port 587)' }));
    expect(port.value).toBe('2525');
    within(card).getByLabelText('CA certificate (PEM)');
  });

  it("shows the server's field errors next to their fields", async () => {
    const h = await settings();
    h.link.answer('mail:configure', () => {
      throw new WireRequestError('bad-request', 'The mail settings are not valid', {
        'settings.host': 'Enter the SMTP server',
        'settings.fromAddress': 'Enter the From address',
      });
    });
    const card = mailCard();
    fireEvent.change(within(card).getByLabelText('SMTP host'), { target: { value: '' } });
    fireEvent.click(within(card).getByRole('button', { name: 'Save mail' }));
    await act(settle);

    const host = within(card).getByLabelText('SMTP host');
    expect(host.getAttribute('aria-invalid')).toBe('true');
    const message = within(card).getByText('Enter the SMTP server');
    expect(host.getAttribute('aria-describedby')).toContain(message.id);
    expect(within(card).getByLabelText('From address').getAttribute('aria-invalid')).toBe('true');
    expect(within(card).getByLabelText('Username').getAttribute('aria-invalid')).toBeNull();
    within(card).getByText('Not saved: correct the fields marked below.');
  });
});

describe('send test mail', () => {
  it("sends the unsaved settings to the address and shows the server's answer", async () => {
    const h = await settings({ status: mailStatus({ passwordSaved: true }) });
    h.link.answer('mail:test', () => ({
      ok: true,
      messageId: '<1@example.com>',
      response: '250 2.0.0 Ok: queued as 4F2A1',
      elapsedMs: 42,
    }));
    const card = mailCard();
    fireEvent.change(within(card).getByLabelText('SMTP host'), {
      target: { value: 'mail.example.org' },
    });
    fireEvent.change(within(card).getByLabelText('Send the test to'), {
      target: { value: 'root@example.com' },
    });
    fireEvent.click(within(card).getByRole('button', { name: 'Send test mail' }));
    await act(settle);

    const [sent] = h.link.callsOf('mail:test') as Array<Record<string, unknown>>;
    expect(sent).toMatchObject({ to: 'root@example.com', settings: { host: 'mail.example.org' } });
    expect(sent).not.toHaveProperty('password');
    within(card).getByText('Sent to root@example.com');
    within(card).getByText('250 2.0.0 Ok: queued as 4F2A1');
    expect(h.link.callsOf('mail:configure')).toEqual([]);
  });

  it.each([
    ['dns', 'getaddrinfo ENOTFOUND smtp.example.invalid', 'DNS:'],
    ['tls', 'self-signed certificate in certificate chain', 'TLS:'],
    ['auth', '535 5.7.8 Authentication credentials invalid', 'Authentication:'],
    ['recipient', '550 5.1.1 No such user', 'Recipient refused:'],
  ] as const)('names the %s stage a failing test stopped at', async (stage, message, words) => {
    const h = await settings();
    h.link.answer('mail:test', () => ({ ok: false, stage, message, elapsedMs: 9 }));
    const card = mailCard();
    fireEvent.change(within(card).getByLabelText('Send the test to'), {
      target: { value: 'root@example.com' },
    });
    fireEvent.click(within(card).getByRole('button', { name: 'Send test mail' }));
    await act(settle);
    const shown = within(card).getByText(words);
    expect(shown.parentElement?.textContent).toBe(`${words} ${message}`);
  });
});

describe('the outbox', () => {
  it('shows counts, the last error and the messages in trouble, and follows pushes', async () => {
    const h = await settings({
      status: mailStatus({
        outbox: {
          pending: 1,
          failed: 1,
          lastError: 'connect ECONNREFUSED 127.0.0.1:587',
          lastSentAt: null,
        },
        problems: [
          outboxEntry(),
          outboxEntry({
            id: 'mail-2',
            kind: 'verification-code',
            to: ['rlee@example.com'],
            state: 'failed',
            attempts: 8,
            nextAttemptAt: null,
            lastError: '550 5.1.1 No such user',
          }),
        ],
      }),
    });
    const outbox = screen.getByRole('region', { name: 'Outbox' });
    expect(within(outbox).getByText('Waiting').nextElementSibling?.textContent).toBe('1');
    expect(
      within(outbox).getByText('Failed', { selector: 'dt' }).nextElementSibling?.textContent,
    ).toBe('1');
    within(outbox).getByText('Nothing yet');
    within(outbox).getByText('Last attempt failed:');
    const table = within(outbox).getByRole('table', { name: 'Messages in trouble' });
    const passcode = within(table).getByRole('row', { name: /Passcode issued/ });
    expect(passcode.textContent).toContain('jdoe@example.com');
    expect(passcode.textContent).toContain('Retrying');
    const code = within(table).getByRole('row', { name: /Verification code/ });
    expect(code.textContent).toContain('rlee@example.com');
    expect(code.textContent).toContain('550 5.1.1 No such user');
    expect(code.textContent).toContain('8');

    // The backlog clears: the server pushes the new state.
    act(() =>
      h.link.handlers.mailStatus(
        mailStatus({ outbox: { pending: 0, failed: 0, lastError: null, lastSentAt: Date.now() } }),
      ),
    );
    expect(within(outbox).queryByRole('table')).toBeNull();
    within(outbox).getByText('No messages waiting to be retried or failed.');
    expect(within(outbox).queryByText('Last attempt failed:')).toBeNull();
  });
});

describe('notifications', () => {
  it('saves the toggles with config:update', async () => {
    const h = await settings();
    h.link.answer('config:update', (patch) => ({
      ...realmConfig(),
      mail: smtp,
      notifications: patch.notifications as ReturnType<typeof realmConfig>['notifications'],
    }));
    const card = screen.getByRole('region', { name: 'Notifications' });
    expect(within(card).queryByText(/Mail is off/)).toBeNull();
    fireEvent.click(within(card).getByLabelText('Tell the user when a passcode is issued'));
    fireEvent.click(within(card).getByLabelText('Security Desk (sec@example.com)'));
    fireEvent.click(within(card).getByRole('button', { name: 'Save notifications' }));
    await act(settle);
    expect(h.link.callsOf('config:update')).toEqual([
      {
        notifications: {
          passcodeIssued: false,
          signInCompleted: true,
          deskNewRequest: { '1': true, '2': false },
          securityAlertsTo: '',
        },
      },
    ]);
    within(card).getByText('Saved.');
  });

  it('says they need mail enabled', async () => {
    await settings({ mail: { ...smtp, enabled: false }, status: mailStatus({ enabled: false }) });
    const card = screen.getByRole('region', { name: 'Notifications' });
    within(card).getByText(
      'Mail is off: none of these are sent until it is enabled in Mail above.',
    );
  });
});

describe('the verification policy', () => {
  it('offers the kind of each check, adds a mailed-code check and saves the kinds', async () => {
    const h = await settings({ area: 'verification' });
    h.link.answer('config:update', () => realmConfig());
    const card = screen.getByRole('region', { name: 'Verification' });
    const kinds = within(card).getAllByLabelText('How it is checked') as HTMLSelectElement[];
    expect(kinds.map((k) => k.value)).toEqual([
      'attestation',
      'attestation',
      'attestation',
      'attestation',
    ]);
    expect([...kinds[0]!.options].map((o) => o.textContent)).toEqual([
      'Agent confirms (with a note)',
      'Code mailed to the address on file (checked by the server)',
    ]);
    fireEvent.change(kinds[3]!, { target: { value: 'mailed-code' } });
    fireEvent.click(within(card).getByRole('button', { name: 'Add mailed-code check' }));
    expect(within(card).getAllByLabelText('How it is checked')).toHaveLength(5);
    fireEvent.click(within(card).getByRole('button', { name: 'Save verification' }));
    await act(settle);
    const [patch] = h.link.callsOf('config:update') as Array<{
      verificationPolicy: { checks: Array<{ id: string; kind: string }> };
    }>;
    expect(patch!.verificationPolicy.checks.map((c) => [c.id, c.kind])).toEqual([
      ['callback', 'attestation'],
      ['employee-id', 'attestation'],
      ['manager', 'attestation'],
      ['photo-id', 'mailed-code'],
      ['mailed-code', 'mailed-code'],
    ]);
  });

  it('warns when a mailed-code check exists but mail is not enabled', async () => {
    await settings({
      area: 'verification',
      mail: { ...smtp, enabled: false },
      status: mailStatus({ enabled: false }),
    });
    const card = screen.getByRole('region', { name: 'Verification' });
    expect(within(card).queryByText(/Mail is not enabled/)).toBeNull();
    fireEvent.click(within(card).getByRole('button', { name: 'Add mailed-code check' }));
    within(card).getByText(/Mail is not enabled: a mailed-code check cannot be done/);
  });
});

describe('blocked users', () => {
  it('lists blocks and clears one only with a reason', async () => {
    const h = await settings({
      area: 'blocked-users',
      blocks: [methodBlock(), methodBlock({ username: 'rlee', reason: 'admin', by: 'root' })],
    });
    const card = screen.getByRole('region', { name: 'Blocked users' });
    const table = within(card).getByRole('table', { name: 'Blocked users' });
    const row = within(table).getByRole('row', { name: /jsmith/ });
    expect(row.textContent).toContain('Said it wasn’t them');
    expect(row.textContent).toContain('jsmith (the user)');
    expect(row.textContent).toContain('Followed “This wasn’t me” in the passcode-issued mail');
    expect(within(table).getByRole('row', { name: /rlee/ }).textContent).toContain(
      'Blocked by an admin',
    );

    fireEvent.click(within(row).getByRole('button', { name: 'Clear the block on jsmith…' }));
    const dialog = screen.getByRole('alertdialog', { name: 'Clear the block on jsmith?' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Clear block' }));
    within(dialog).getByText('Say why, for the record (at least 3 characters).');
    expect(h.link.callsOf('blocks:clear')).toEqual([]);

    fireEvent.change(within(dialog).getByLabelText('Reason'), {
      target: { value: 'Called jsmith on the number on file: it was them after all' },
    });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Clear block' }));
    await act(settle);
    expect(h.link.callsOf('blocks:clear')).toEqual([
      {
        username: 'jsmith',
        reason: 'Called jsmith on the number on file: it was them after all',
      },
    ]);
    expect(screen.queryByRole('alertdialog')).toBeNull();
    within(card).getByText('Cleared the block on jsmith: they can ask a help desk again.');
    expect(within(table).queryByRole('row', { name: /jsmith/ })).toBeNull();
  });

  it('refreshes when an alert is pushed', async () => {
    const h = await settings({ area: 'blocked-users' });
    const card = screen.getByRole('region', { name: 'Blocked users' });
    within(card).getByText('Nobody is blocked.');
    h.link.answer('blocks:list', () => ({ blocks: [methodBlock()] }));
    act(() =>
      h.link.handlers.alertRaised({
        id: 'alert-9',
        kind: 'not-me',
        username: 'jsmith',
        message: "jsmith said request K7M-4QX wasn't them. Help-desk sign-in is blocked.",
        at: Date.now(),
      }),
    );
    await act(settle);
    within(card).getByRole('row', { name: /jsmith/ });
  });
});
