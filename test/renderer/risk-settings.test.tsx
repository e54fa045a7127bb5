// @vitest-environment jsdom
// Settings for impostor resistance: Risk & approval (weights by signal, levels, thresholds, second
// approver, block time, caps), Notes required in Verification, a desk's opening hours, where admins'
// alerts are mailed, each saved with config:update and the server's field errors beside their fields.
import { act, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { RealmConfig, RealmConfigPatch } from '../../server/contract/realm-config';
import { RISK_SIGNALS, RISK_SIGNAL_LABELS, defaultRiskPolicy } from '../../server/contract/risk';
import { SettingsPage } from '../../renderer/src/features/settings/SettingsPage';
import type { SettingsArea } from '../../renderer/src/store/settings-state';
import { WireRequestError } from '../../renderer/src/lib/socket';
import { agentView, harness, realmConfig, sessionInfo, settle, signedIn } from './fakes';
import { cleanup, renderOn } from './render';

afterEach(cleanup);

const admin = agentView({ id: 'agent-root', username: 'root', displayName: 'Root', role: 'admin' });

/** An admin in Settings; config:update applies the patch, or refuses with the given fields. */
async function settings(area: SettingsArea) {
  const h = harness();
  let saved: RealmConfig = realmConfig();
  let refuse: Record<string, string> | null = null;
  h.link
    .answer('agents:list', () => ({ agents: [admin] }))
    .answer('blocks:list', () => ({ blocks: [] }))
    .answer('config:update', (patch: RealmConfigPatch) => {
      if (refuse) throw new WireRequestError('bad-request', 'The settings are not valid', refuse);
      saved = {
        ...saved,
        ...(patch as Partial<RealmConfig>),
        helpDesks: { ...saved.helpDesks, ...((patch.helpDesks ?? {}) as object) },
      };
      return saved;
    });
  await signedIn(h, sessionInfo({ agent: admin, role: 'admin' }));
  act(() => h.store.getState().openSettings(area));
  renderOn(h.store, <SettingsPage />);
  await act(settle);
  return {
    h,
    refuseWith(fields: Record<string, string> | null) {
      refuse = fields;
    },
    patches: () => h.link.callsOf('config:update') as RealmConfigPatch[],
  };
}

describe('Risk & approval', () => {
  it('shows a weight per signal by its label and saves the whole policy as numbers', async () => {
    const { patches } = await settings('risk');
    const card = screen.getByRole('region', { name: 'Risk & approval' });
    for (const id of RISK_SIGNALS)
      expect((within(card).getByLabelText(RISK_SIGNAL_LABELS[id]) as HTMLInputElement).value).toBe(
        String(defaultRiskPolicy().weights[id]),
      );
    expect((within(card).getByLabelText('For privileged users') as HTMLInputElement).checked).toBe(
      true,
    );
    const level = within(card).getByLabelText('For requests at') as HTMLSelectElement;
    expect([...level.options].map((o) => o.text)).toEqual([
      'Medium or high risk',
      'High risk',
      'Never by risk level',
    ]);

    fireEvent.change(within(card).getByLabelText(RISK_SIGNAL_LABELS['outside-hours']), {
      target: { value: '35' },
    });
    fireEvent.change(within(card).getByLabelText('Medium risk from score'), {
      target: { value: '25' },
    });
    fireEvent.change(level, { target: { value: 'medium' } });
    fireEvent.click(within(card).getByLabelText('For privileged users'));
    fireEvent.change(
      within(card).getByLabelText('“Suspicious caller” blocks the user for (hours)'),
      {
        target: { value: '48' },
      },
    );
    fireEvent.change(within(card).getByLabelText('Passcodes per user in 24 hours'), {
      target: { value: '2' },
    });
    fireEvent.change(within(card).getByLabelText('Reveals per agent in an hour'), {
      target: { value: '10' },
    });
    fireEvent.change(within(card).getByLabelText('Other requests in 24 hours that count'), {
      target: { value: '3' },
    });
    fireEvent.change(within(card).getByLabelText('Account changed within (days)'), {
      target: { value: '14' },
    });
    fireEvent.click(within(card).getByRole('button', { name: 'Save risk & approval' }));
    await act(settle);
    const defaults = defaultRiskPolicy();
    expect(patches()).toEqual([
      {
        riskPolicy: {
          ...defaults,
          weights: { ...defaults.weights, 'outside-hours': 35 },
          mediumAt: 25,
          recentRequestsAtLeast: 3,
          directoryChangedDays: 14,
          secondApprover: { privileged: false, atLevel: 'medium' },
          suspiciousBlockHours: 48,
          caps: { passcodesPerUserPerDay: 2, revealsPerAgentPerHour: 10 },
        },
      },
    ]);
    within(card).getByText('Saved.');
  });

  it("shows the server's field errors on the right fields", async () => {
    const { refuseWith } = await settings('risk');
    const card = screen.getByRole('region', { name: 'Risk & approval' });
    refuseWith({
      'riskPolicy.highAt': 'Must be above the medium level',
      'riskPolicy.weights.contested': 'At most 100',
      'riskPolicy.caps.revealsPerAgentPerHour': 'At least 1',
    });
    fireEvent.change(within(card).getByLabelText('High risk from score'), {
      target: { value: '10' },
    });
    fireEvent.click(within(card).getByRole('button', { name: 'Save risk & approval' }));
    await act(settle);
    within(card).getByText('Not saved: correct the fields marked below.');
    const expectError = (label: string, message: string) => {
      const field = within(card).getByLabelText(label);
      expect(field.getAttribute('aria-invalid')).toBe('true');
      expect(field.getAttribute('aria-describedby')).toContain(within(card).getByText(message).id);
    };
    expectError('High risk from score', 'Must be above the medium level');
    expectError(RISK_SIGNAL_LABELS.contested, 'At most 100');
    expectError('Reveals per agent in an hour', 'At least 1');
    expect(
      within(card).getByLabelText('Medium risk from score').getAttribute('aria-invalid'),
    ).toBeNull();
  });
});

describe('notes required', () => {
  it('offers none, the required checks or every check, and saves the choice', async () => {
    const { patches } = await settings('verification');
    const card = screen.getByRole('region', { name: 'Verification' });
    const select = within(card).getByLabelText('Notes required') as HTMLSelectElement;
    expect(select.value).toBe('required');
    expect([...select.options].map((o) => o.text)).toEqual([
      'No check',
      'The required checks',
      'Every check',
    ]);
    fireEvent.change(select, { target: { value: 'all' } });
    fireEvent.click(within(card).getByRole('button', { name: 'Save verification' }));
    await act(settle);
    expect(patches()[0]!.verificationPolicy).toMatchObject({ notesRequired: 'all' });
  });
});

describe("a desk's opening hours", () => {
  it('are off by default, and once on are saved with the desk (and removed when off)', async () => {
    const { patches, refuseWith } = await settings('desks');
    const desk = screen.getByRole('region', { name: 'Help Desk 1' });
    const on = within(desk).getByLabelText('Opening hours') as HTMLInputElement;
    expect(on.checked).toBe(false);
    expect(within(desk).queryByLabelText('Time zone')).toBeNull();

    fireEvent.click(on);
    const hours = within(desk).getByRole('group', { name: 'Opening hours of Help Desk 1' });
    fireEvent.change(within(hours).getByLabelText('Time zone'), {
      target: { value: 'Europe/Londn' },
    });
    fireEvent.click(within(hours).getByRole('checkbox', { name: 'Fri' }));
    fireEvent.click(within(hours).getByRole('checkbox', { name: 'Sat' }));
    fireEvent.change(within(hours).getByLabelText('Opens'), { target: { value: '07:30' } });
    fireEvent.change(within(hours).getByLabelText('Closes'), { target: { value: '19:00' } });

    refuseWith({ 'helpDesks.1.hours.timeZone': 'An IANA time zone, e.g. Europe/London' });
    const save = within(desk).getByRole('button', { name: 'Save help desk 1' });
    fireEvent.click(save);
    await act(settle);
    const zone = within(hours).getByLabelText('Time zone');
    expect(zone.getAttribute('aria-invalid')).toBe('true');
    within(hours).getByText('An IANA time zone, e.g. Europe/London');

    refuseWith(null);
    fireEvent.change(zone, { target: { value: 'Europe/London' } });
    fireEvent.click(save);
    await act(settle);
    expect(patches().at(-1)).toEqual({
      helpDesks: {
        '1': {
          enabled: true,
          name: 'IT Service Desk',
          phone: '+14155550100',
          email: 'it@example.com',
          hours: {
            timeZone: 'Europe/London',
            days: [1, 2, 3, 4, 6],
            opens: '07:30',
            closes: '19:00',
          },
        },
      },
    });
    within(desk).getByText('Saved.');
    expect((within(desk).getByLabelText('Opening hours') as HTMLInputElement).checked).toBe(true);

    fireEvent.click(within(desk).getByLabelText('Opening hours'));
    fireEvent.click(save);
    await act(settle);
    expect(patches().at(-1)).toEqual({
      helpDesks: {
        '1': {
          enabled: true,
          name: 'IT Service Desk',
          phone: '+14155550100',
          email: 'it@example.com',
        },
      },
    });
  });
});

describe("admins' alerts by mail", () => {
  it('saves the address with the notifications, and shows a refusal beside it', async () => {
    const { patches, refuseWith } = await settings('mail');
    const card = screen.getByRole('region', { name: 'Notifications' });
    const address = within(card).getByLabelText('Mail admins’ alerts to');
    refuseWith({ 'notifications.securityAlertsTo': 'Enter an email address' });
    fireEvent.change(address, { target: { value: 'security@' } });
    fireEvent.click(within(card).getByRole('button', { name: 'Save notifications' }));
    await act(settle);
    expect(address.getAttribute('aria-invalid')).toBe('true');
    within(card).getByText('Enter an email address');

    refuseWith(null);
    fireEvent.change(address, { target: { value: 'security@example.com' } });
    fireEvent.click(within(card).getByRole('button', { name: 'Save notifications' }));
    await act(settle);
    expect(patches().at(-1)!.notifications).toMatchObject({
      securityAlertsTo: 'security@example.com',
    });
  });
});
