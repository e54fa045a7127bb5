// @vitest-environment jsdom
// Settings forms: the server's field errors beside their fields, saving, and the one-time password.
import { act, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { SettingsPage } from '../../renderer/src/features/settings/SettingsPage';
import { WireRequestError } from '../../renderer/src/lib/socket';
import type { SettingsArea } from '../../renderer/src/store/settings-state';
import { agentView, harness, realmConfig, sessionInfo, settle, signedIn } from './fakes';
import { cleanup, renderOn } from './render';

afterEach(cleanup);

const admin = agentView({ id: 'agent-root', username: 'root', displayName: 'Root', role: 'admin' });

async function settings(area: SettingsArea) {
  const h = harness();
  h.link.answer('agents:list', () => ({ agents: [admin] }));
  await signedIn(h, sessionInfo({ agent: admin, role: 'admin' }));
  act(() => h.store.getState().openSettings(area));
  renderOn(h.store, <SettingsPage />);
  await act(settle);
  return h;
}

describe('a help desk', () => {
  it("shows the server's message next to the field it is about, and saves when corrected", async () => {
    const h = await settings('desks');
    let saved = realmConfig();
    h.link.answer('config:update', (patch) => {
      const desk = (patch.helpDesks as { '2': { phone: string } })['2'];
      if (!desk.phone.startsWith('+'))
        throw new WireRequestError('bad-request', 'The settings is not valid', {
          'helpDesks.2.phone': 'Use international format, e.g. +14155550123',
        });
      saved = {
        ...saved,
        helpDesks: { ...saved.helpDesks, '2': { ...saved.helpDesks['2'], ...desk } },
      };
      return saved;
    });
    const desk2 = screen.getByRole('region', { name: 'Help Desk 2' });
    const phone = within(desk2).getByLabelText('Phone');
    const save = within(desk2).getByRole('button', { name: 'Save help desk 2' });
    expect(save).toHaveProperty('disabled', true);
    fireEvent.change(phone, { target: { value: '555 0100' } });
    within(desk2).getByText('Unsaved changes');
    fireEvent.click(save);
    await act(settle);

    expect(phone.getAttribute('aria-invalid')).toBe('true');
    const error = within(desk2).getByText('Use international format, e.g. +14155550123');
    expect(phone.getAttribute('aria-describedby')).toContain(error.id);
    within(desk2).getByText('Not saved: correct the fields marked below.');
    const desk1 = screen.getByRole('region', { name: 'Help Desk 1' });
    expect(within(desk1).getByLabelText('Phone').getAttribute('aria-invalid')).toBeNull();

    fireEvent.change(phone, { target: { value: '+14155550234' } });
    fireEvent.click(save);
    await act(settle);
    expect(phone.getAttribute('aria-invalid')).toBeNull();
    within(desk2).getByText('Saved.');
    expect((phone as HTMLInputElement).value).toBe('+14155550234');
    expect(h.store.getState().config?.helpDesks['2'].phone).toBe('+14155550234');
  });

  it('offers the five workflows', async () => {
    await settings('workflow');
    const workflow = screen.getByLabelText('Default workflow');
    expect(within(workflow).getAllByRole('option')).toHaveLength(5);
  });
});

describe('agents', () => {
  it('lists agents and shows a created agent password once', async () => {
    const h = await settings('agents');
    h.link.answer('agents:create', (input) => ({
      agent: agentView({ id: 'agent-new', ...input }),
      password: 'shown-once-password',
    }));
    screen.getByRole('row', { name: /Root/ });
    const form = screen.getByRole('form', { name: 'Add an agent' });
    fireEvent.change(within(form).getByLabelText('Username'), { target: { value: 'newbie' } });
    fireEvent.change(within(form).getByLabelText('Display name'), { target: { value: 'New Bie' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Create agent' }));
    await act(settle);
    expect(screen.getByLabelText('Password for newbie').textContent).toBe('shown-once-password');
    screen.getByRole('row', { name: /New Bie/ });
    fireEvent.click(screen.getByRole('button', { name: 'Done, hide it' }));
    expect(screen.queryByText('shown-once-password')).toBeNull();
  });
});
