// @vitest-environment jsdom
// "Suspicious caller" beside Deny: only the holder has it, the dialog says what it does (ends the
// request, blocks the method for the realm's time, alerts admins) and wants a description; admins'
// alerts of the new kinds, and how long a block lasts in the blocks list.
import { act, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RequestView } from '../../server/contract/request-view';
import { RequestPanel } from '../../renderer/src/features/request/RequestPanel';
import { blockLength } from '../../renderer/src/features/request/SuspiciousDialog';
import { BlockedUsers, blockUntil } from '../../renderer/src/features/settings/mail/BlockedUsers';
import { ConsoleShell } from '../../renderer/src/features/shell/ConsoleShell';
import { WireRequestError } from '../../renderer/src/lib/socket';
import {
  adminAlert,
  agentView,
  harness,
  methodBlock,
  realmConfig,
  requestDetail,
  requestView,
  sessionInfo,
  settle,
  signedIn,
} from './fakes';
import { cleanup, fakeLayout, renderOn } from './render';

let restoreLayout: () => void;
beforeEach(() => {
  restoreLayout = fakeLayout();
});
afterEach(() => {
  cleanup();
  restoreLayout();
});

const alice = { id: 'agent-alice', username: 'alice' };
const admin = agentView({ id: 'agent-root', username: 'root', displayName: 'Root', role: 'admin' });

async function opened(view: RequestView) {
  const config = realmConfig();
  config.riskPolicy = { ...config.riskPolicy, suspiciousBlockHours: 72 };
  const h = harness({ queue: [view], config });
  h.link.answer('request:get', () => requestDetail(view));
  await signedIn(h);
  await h.store.getState().openRequest(view.id);
  renderOn(h.store, <RequestPanel />);
  return h;
}

describe('reporting a suspicious caller', () => {
  it('is offered to the holder only, beside Deny', async () => {
    await opened(
      requestView({ state: 'claimed', claimedBy: { id: 'agent-bob', username: 'bob' } }),
    );
    expect(screen.queryByRole('button', { name: 'Suspicious caller…' })).toBeNull();
    cleanup();
    await opened(requestView());
    expect(screen.queryByRole('button', { name: 'Suspicious caller…' })).toBeNull();
    cleanup();
    await opened(requestView({ state: 'claimed', claimedBy: alice }));
    const actions = screen.getByRole('group', { name: 'Request actions' });
    const names = within(actions)
      .getAllByRole('button')
      .map((b) => b.textContent);
    expect(names).toEqual(['Release', 'Deny…', 'Suspicious caller…']);
  });

  it('warns what it does, wants a description of at least 10 characters, and ends the request', async () => {
    const view = requestView({ state: 'claimed', claimedBy: alice, username: 'jsmith' });
    const h = await opened(view);
    fireEvent.click(screen.getByRole('button', { name: 'Suspicious caller…' }));
    const dialog = screen.getByRole('alertdialog', { name: 'Report a suspicious caller' });
    expect(dialog.textContent).toContain('This ends the request.');
    expect(dialog.textContent).toContain(
      'jsmith cannot ask a help desk for a passcode for 3 days, unless an admin clears the block sooner',
    );
    expect(dialog.textContent).toContain('the admins are alerted at once');
    expect(dialog.textContent).toContain('kept in the audit log as evidence');

    const description = within(dialog).getByLabelText('What happened?');
    fireEvent.change(description, { target: { value: '  too short ' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Report and end request' }));
    within(dialog).getByText('Describe what happened, for the record (at least 10 characters).');
    expect(description.getAttribute('aria-invalid')).toBe('true');
    expect(h.link.callsOf('request:suspicious')).toEqual([]);

    h.link.answer('request:suspicious', ({ description }) => ({
      ...view,
      state: 'denied',
      closedReason: `Suspicious caller: ${description}`,
      updatedAt: view.updatedAt + 1,
    }));
    fireEvent.change(description, {
      target: { value: 'Could not give the employee ID and pushed to skip the callback' },
    });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Report and end request' }));
    await act(settle);
    expect(h.link.callsOf('request:suspicious')).toEqual([
      {
        requestId: view.id,
        description: 'Could not give the employee ID and pushed to skip the callback',
      },
    ]);
    expect(screen.queryByRole('alertdialog')).toBeNull();
    screen.getByText(/Suspicious caller: Could not give the employee ID/);
    expect(screen.queryByRole('button', { name: 'Suspicious caller…' })).toBeNull();
  });

  it("shows the server's refusal in the dialog", async () => {
    const view = requestView({ state: 'claimed', claimedBy: alice });
    const h = await opened(view);
    h.link.answer('request:suspicious', () => {
      throw new WireRequestError('forbidden', 'alice no longer holds this request.');
    });
    fireEvent.click(screen.getByRole('button', { name: 'Suspicious caller…' }));
    const dialog = screen.getByRole('alertdialog', { name: 'Report a suspicious caller' });
    fireEvent.change(within(dialog).getByLabelText('What happened?'), {
      target: { value: 'Voice did not match the recording on file' },
    });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Report and end request' }));
    await act(settle);
    within(dialog).getByText('alice no longer holds this request.');
  });

  it('says the block time as people do', () => {
    expect(blockLength(72)).toBe('3 days');
    expect(blockLength(24)).toBe('1 day');
    expect(blockLength(36)).toBe('36 hours');
    expect(blockLength(1)).toBe('1 hour');
  });
});

describe('admin alerts of the new kinds', () => {
  async function adminConsole() {
    const h = harness();
    h.link.answer('agents:list', () => ({ agents: [admin] }));
    await signedIn(h, sessionInfo({ agent: admin, role: 'admin' }));
    renderOn(h.store, <ConsoleShell />);
    await act(settle);
    return h;
  }

  it('names each kind, and leads to the blocks list only when the alert placed a block', async () => {
    const h = await adminConsole();
    act(() => {
      h.link.handlers.alertRaised(
        adminAlert({
          id: 'a1',
          kind: 'suspicious-caller',
          message: 'alice reported a suspicious caller for jsmith; blocked for 72 hours.',
          reference: 'K7M-4QX',
        }),
      );
      h.link.handlers.alertRaised(
        adminAlert({
          id: 'a2',
          kind: 'cap-reached',
          username: 'rlee',
          message: 'rlee has had 3 passcodes in 24 hours.',
        }),
      );
      h.link.handlers.alertRaised(
        adminAlert({
          id: 'a3',
          kind: 'approval-refused',
          username: 'pat',
          message: 'bob refused the reveal for pat on request Q2W-9ER.',
          reference: 'Q2W-9ER',
        }),
      );
    });
    const alerts = within(screen.getByRole('region', { name: 'Alerts' })).getAllByRole('alert');
    expect(
      alerts.map((a) => a.querySelector('p')?.textContent?.replace(/ \(\d+:\d\d.*\)$/, '')),
    ).toEqual([
      'Approval refused: bob refused the reveal for pat on request Q2W-9ER.',
      'Limit reached: rlee has had 3 passcodes in 24 hours.',
      'Suspicious caller: alice reported a suspicious caller for jsmith; blocked for 72 hours. (request K7M-4QX)',
    ]);
    expect(within(alerts[0]!).queryByRole('button', { name: 'See blocked users' })).toBeNull();
    expect(within(alerts[1]!).queryByRole('button', { name: 'See blocked users' })).toBeNull();
    within(alerts[2]!).getByRole('button', { name: 'See blocked users' });
  });
});

describe('how long a block lasts', () => {
  it('says until when, or until cleared', async () => {
    const until = new Date(2026, 11, 3, 14, 0).getTime();
    expect(blockUntil(until)).toBe('until 3 Dec 14:00');
    expect(blockUntil(null)).toBe('until cleared');

    const h = harness();
    h.link.answer('blocks:list', () => ({
      blocks: [
        methodBlock({ username: 'jsmith', reason: 'suspicious-caller', by: 'agent:alice', until }),
        methodBlock({ username: 'rlee', by: 'user:rlee', until: null }),
      ],
    }));
    await signedIn(h, sessionInfo({ agent: admin, role: 'admin' }));
    renderOn(h.store, <BlockedUsers />);
    await act(settle);
    const table = screen.getByRole('table', { name: 'Blocked users' });
    within(table).getByRole('columnheader', { name: 'Lasts' });
    const jsmith = within(table).getByRole('row', { name: /jsmith/ });
    expect(jsmith.textContent).toContain('Suspicious caller');
    expect(jsmith.textContent).toContain('until 3 Dec 14:00');
    expect(jsmith.textContent).toContain('alice');
    expect(jsmith.textContent).not.toContain('agent:');
    expect(within(table).getByRole('row', { name: /rlee/ }).textContent).toContain('until cleared');
  });
});
