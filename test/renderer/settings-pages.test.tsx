// @vitest-environment jsdom
// Settings as pages: a side navigation (the page on screen marked as current, its address
// #settings/<page>, a link straight to a page), and checks named by label only, their ids made from
// it by the server's rule and never changed once saved.
import { act, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { VerificationCheckSchema } from '../../server/contract/realm-config';
import { SettingsPage } from '../../renderer/src/features/settings/SettingsPage';
import { ConsoleShell } from '../../renderer/src/features/shell/ConsoleShell';
import { checkIdFromLabel } from '../../renderer/src/lib/check-id';
import { agentView, harness, realmConfig, sessionInfo, settle, signedIn } from './fakes';
import { cleanup, renderOn } from './render';

afterEach(() => {
  cleanup();
  window.history.replaceState(null, '', '/');
});

const admin = agentView({ id: 'agent-root', username: 'root', displayName: 'Root', role: 'admin' });

async function adminConsole() {
  const h = harness();
  h.link
    .answer('agents:list', () => ({ agents: [admin] }))
    .answer('users:search', () => ({ users: [], total: 0 }))
    .answer('blocks:list', () => ({ blocks: [] }))
    .answer('config:update', () => realmConfig());
  await signedIn(h, sessionInfo({ agent: admin, role: 'admin' }));
  return h;
}

const nav = () => screen.getByRole('navigation', { name: 'Settings sections' });
const current = () => nav().querySelector('[aria-current="page"]')?.textContent;

describe('the settings navigation', () => {
  it('lists every page, marks the one on screen, and shows only its sections', async () => {
    const h = await adminConsole();
    act(() => h.store.getState().openSettings());
    renderOn(h.store, <SettingsPage />);
    await act(settle);
    expect(
      within(nav())
        .getAllByRole('link')
        .map((link) => link.textContent),
    ).toEqual([
      'Desks & queue',
      'Workflow',
      'Passcodes',
      'Verification',
      'Risk & approval',
      'Agents',
      'Directory',
      'Mail & notifications',
      'Blocked users',
    ]);
    expect(current()).toBe('Desks & queue');
    screen.getByRole('region', { name: 'Help Desk 1' });
    screen.getByRole('region', { name: 'Queue' });
    expect(screen.queryByRole('region', { name: 'Verification' })).toBeNull();

    fireEvent.click(within(nav()).getByRole('link', { name: 'Verification' }));
    await act(settle);
    expect(h.store.getState().settingsArea).toBe('verification');
    expect(current()).toBe('Verification');
    screen.getByRole('region', { name: 'Verification' });
    expect(screen.queryByRole('region', { name: 'Help Desk 1' })).toBeNull();
    expect(within(nav()).getByRole('link', { name: 'Verification' }).getAttribute('href')).toBe(
      '#settings/verification',
    );
  });

  it('keeps an unsaved edit on one page while the admin looks at another', async () => {
    const h = await adminConsole();
    act(() => h.store.getState().openSettings('passcodes'));
    renderOn(h.store, <SettingsPage />);
    await act(settle);
    fireEvent.change(screen.getByLabelText('Digits'), { target: { value: '9' } });
    fireEvent.click(within(nav()).getByRole('link', { name: 'Workflow' }));
    fireEvent.click(within(nav()).getByRole('link', { name: /^Passcodes/ }));
    expect((screen.getByLabelText('Digits') as HTMLInputElement).value).toBe('9');
    within(screen.getByRole('region', { name: 'Passcodes' })).getByText('Unsaved changes');
    // The navigation says which page holds it, and stops once it is discarded.
    within(nav()).getByRole('link', { name: 'Passcodes (unsaved changes)' });
    fireEvent.click(screen.getByRole('button', { name: 'Discard' }));
    within(nav()).getByRole('link', { name: 'Passcodes' });
  });

  it('keeps the address in step with the page, and opens the page an address names', async () => {
    window.history.replaceState(null, '', '/agent/#settings/mail');
    const h = await adminConsole();
    renderOn(h.store, <ConsoleShell />);
    await act(settle);
    expect(h.store.getState().screen).toBe('settings');
    expect(current()).toBe('Mail & notifications');
    screen.getByRole('region', { name: 'Notifications' });

    fireEvent.click(within(nav()).getByRole('link', { name: 'Agents' }));
    await act(settle);
    expect(window.location.hash).toBe('#settings/agents');
    fireEvent.click(screen.getByRole('button', { name: /^Queue/ }));
    expect(window.location.hash).toBe('');
  });

  it('is for admins only: an agent’s console ignores a settings address', async () => {
    window.history.replaceState(null, '', '/agent/#settings/mail');
    const h = harness();
    await signedIn(h);
    renderOn(h.store, <ConsoleShell />);
    await act(settle);
    expect(h.store.getState().screen).toBe('queue');
  });
});

describe('check ids', () => {
  it('are made from labels by the server’s rule, unique, 2–40 characters', () => {
    const cases: Array<[string, string[], string]> = [
      ['Called back the phone number on file', [], 'called-back-the-phone-number-on-file'],
      ['Called the manager’s desk phone', [], 'called-the-manager-s-desk-phone'],
      ['Überprüfung: Ausweis', [], 'uberprufung-ausweis'],
      ['2nd factor on file', [], 'nd-factor-on-file'],
      ['X', [], 'check-x'],
      ['', [], 'check'],
      ['!!!', ['check'], 'check-2'],
      ['Callback', ['callback', 'callback-2'], 'callback-3'],
      ['A'.repeat(60), ['a'.repeat(40)], `${'a'.repeat(38)}-2`],
    ];
    for (const [label, taken, id] of cases) {
      expect(checkIdFromLabel(label, taken)).toBe(id);
      expect(VerificationCheckSchema.safeParse({ id, label: 'x' }).success).toBe(true);
    }
  });

  it('are never shown or typed; new checks get one at save, saved ones keep theirs', async () => {
    const h = await adminConsole();
    act(() => h.store.getState().openSettings('verification'));
    renderOn(h.store, <SettingsPage />);
    await act(settle);
    const card = screen.getByRole('region', { name: 'Verification' });
    expect(within(card).queryByLabelText('Id')).toBeNull();

    // A saved check renamed keeps its id; a new one is named by its label.
    const labels = () => within(card).getAllByLabelText('Check') as HTMLInputElement[];
    fireEvent.change(labels()[0]!, { target: { value: 'Rang the number on file back' } });
    fireEvent.click(within(card).getByRole('button', { name: 'Add a check' }));
    fireEvent.change(labels()[4]!, { target: { value: 'Manager confirmed the request' } });
    const required = within(card).getAllByLabelText('Always required') as HTMLInputElement[];
    fireEvent.click(required[4]!);
    fireEvent.click(within(card).getByRole('button', { name: 'Save verification' }));
    await act(settle);
    const [patch] = h.link.callsOf('config:update') as Array<{
      verificationPolicy: { checks: Array<{ id: string; label: string }>; required: string[] };
    }>;
    expect(patch!.verificationPolicy.checks.map((c) => c.id)).toEqual([
      'callback',
      'employee-id',
      'manager',
      'photo-id',
      // "manager" is taken by a saved check.
      'manager-confirmed-the-request',
    ]);
    expect(patch!.verificationPolicy.checks[0]!.label).toBe('Rang the number on file back');
    expect(patch!.verificationPolicy.required).toEqual([
      'callback',
      'manager-confirmed-the-request',
    ]);
  });
});

describe('the queue’s urgency thresholds', () => {
  it('are saved with the desks', async () => {
    const h = await adminConsole();
    act(() => h.store.getState().openSettings('desks'));
    renderOn(h.store, <SettingsPage />);
    await act(settle);
    const card = screen.getByRole('region', { name: 'Queue' });
    expect((within(card).getByLabelText('Amber after (minutes)') as HTMLInputElement).value).toBe(
      '2',
    );
    fireEvent.change(within(card).getByLabelText('Red after (minutes)'), {
      target: { value: '8' },
    });
    fireEvent.click(within(card).getByRole('button', { name: 'Save queue' }));
    await act(settle);
    expect(h.link.callsOf('config:update')).toEqual([
      { queueUrgency: { warnAfterMinutes: 2, urgentAfterMinutes: 8 } },
    ]);
  });
});
