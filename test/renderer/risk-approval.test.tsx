// @vitest-environment jsdom
// Risk and the second approver as agents see them: the level on queue rows, the signals' reasons on
// the request, Reveal held until a second person approves, the holder asking with a note, the desk's
// other agents seeing it live under Approvals waiting and approving or refusing with a note.
import { act, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RequestDetail, RequestView } from '../../server/contract/request-view';
import type { Approval } from '../../server/contract/risk';
import { ConsoleShell } from '../../renderer/src/features/shell/ConsoleShell';
import { WireRequestError } from '../../renderer/src/lib/socket';
import {
  agentView,
  harness,
  requestDetail,
  requestView,
  sessionInfo,
  settle,
  signedIn,
  type Harness,
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
const bob = agentView({ id: 'agent-bob', username: 'bob', displayName: 'Bob Agent' });

const verified: RequestView['verification'] = [
  { checkId: 'callback', note: 'Called the number on file', by: alice, at: 1, method: 'attested' },
  { checkId: 'employee-id', note: 'Stated it', by: alice, at: 1, method: 'attested' },
];

/** A privileged user's request: the default risk policy wants a second approver for it. */
function privilegedRequest(over: Partial<RequestView> = {}): RequestView {
  return requestView({
    username: 'rootish',
    displayName: 'Pat Rootish',
    risk: {
      level: 'high',
      score: 60,
      signals: [
        { id: 'privileged', detail: 'Member of the privileged group', weight: 30 },
        { id: 'new-browser', detail: 'First request from this browser', weight: 15 },
        { id: 'new-network', detail: 'From 198.51.100.0/24, not seen before', weight: 15 },
      ],
    },
    approvalNeeded: true,
    ...over,
  });
}

/** A fake server for one request that asks, approves and refuses as the real one would. */
function serve(h: Harness, initial: RequestView) {
  let current: RequestDetail = requestDetail(initial, {
    directory: { ...requestDetail(initial).directory!, privileged: true },
  });
  const bump = (next: Partial<RequestDetail>) => {
    current = { ...current, ...next, updatedAt: current.updatedAt + 1 };
    return current;
  };
  const me = () => {
    const agent = h.store.getState().session!.agent;
    return { id: agent.id, username: agent.username };
  };
  h.link
    .answer('request:get', () => current)
    .answer('request:ask-approval', ({ note }) =>
      bump({
        approval: {
          state: 'requested',
          requestedBy: me(),
          requestedAt: Date.now(),
          requestNote: note,
        },
      }),
    )
    .answer('request:approve', ({ note }) =>
      bump({
        approval: {
          ...current.approval!,
          state: 'approved',
          approvedBy: me(),
          approvedAt: Date.now(),
          note,
        },
      }),
    )
    .answer('request:refuse-approval', ({ note }) =>
      bump({
        state: 'denied',
        closedReason: `The second approver refused: ${note}`,
      }),
    )
    .answer('request:reveal', () => {
      bump({
        state: 'otp-issued',
        otp: { issuedAt: 1, expiresAt: Date.now() + 600_000, revealCount: 1 },
      });
      return { otp: '12345678', expiresAt: Date.now() + 600_000, revealCount: 1 };
    });
  return { now: () => current, set: bump };
}

async function console_(
  view: RequestView,
  agent = agentView(),
  options: { approvals?: RequestView[] } = {},
) {
  const h = harness({ queue: [view], ...options });
  const server = serve(h, view);
  await signedIn(h, sessionInfo({ agent }));
  renderOn(h.store, <ConsoleShell />);
  await act(settle);
  return { h, server };
}

const approvalAsked = (note = 'Caller sounded rushed'): Approval => ({
  state: 'requested',
  requestedBy: alice,
  requestedAt: Date.now(),
  requestNote: note,
});

describe('risk', () => {
  it('shows the level on each queue row in words, not colour alone', async () => {
    const low = requestView({ reference: 'AAA-111' });
    const high = privilegedRequest({ reference: 'BBB-222' });
    const h = harness({ queue: [low, high] });
    await signedIn(h);
    renderOn(h.store, <ConsoleShell />);
    await act(settle);
    const list = screen.getByRole('listbox', { name: 'Open requests' });
    expect(within(list).getByRole('option', { name: /^AAA-111/ }).textContent).toContain(
      'Low risk',
    );
    const row = within(list).getByRole('option', { name: /^BBB-222/ });
    expect(row.textContent).toContain('High risk');
    expect(row.querySelector('.badge-risk-high')).not.toBeNull();
  });

  it("shows the request's level, score and each signal's reason beside the caller", async () => {
    const view = privilegedRequest();
    const { h } = await console_(view);
    await act(() => h.store.getState().openRequest(view.id));
    const risk = screen.getByRole('region', { name: 'Risk' });
    within(risk).getByText('High risk');
    within(risk).getByText('score 60');
    const signals = within(risk).getByRole('list', { name: 'Risk signals' });
    const items = within(signals)
      .getAllByRole('listitem')
      .map((li) => li.textContent);
    expect(items).toEqual([
      'Privileged user (directory group)Member of the privileged group+30',
      'No earlier sign-in from this browserFirst request from this browser+15',
      'Address not on a network the user signed in from beforeFrom 198.51.100.0/24, not seen before+15',
    ]);
  });

  it('says when nothing unusual was noticed', async () => {
    const view = requestView();
    const { h } = await console_(view);
    await act(() => h.store.getState().openRequest(view.id));
    const risk = screen.getByRole('region', { name: 'Risk' });
    within(risk).getByText('Low risk');
    within(risk).getByText('Nothing unusual noticed about this request.');
    expect(screen.queryByRole('region', { name: 'Second approver' })).toBeNull();
  });
});

describe('the holder asks for a second approver', () => {
  it('keeps Reveal off with the reason, offers Ask for approval once the checks are met, and waits', async () => {
    const view = privilegedRequest({ state: 'claimed', claimedBy: alice });
    const { h, server } = await console_(view);
    await act(() => h.store.getState().openRequest(view.id));
    const box = screen.getByRole('region', { name: 'Second approver' });
    within(box).getByText(
      'No passcode until another agent of the desk or an admin approves: the user is privileged.',
    );
    // Checks first: nothing to ask with yet.
    expect(within(box).queryByRole('button', { name: 'Ask for approval' })).toBeNull();
    within(box).getByText(/Record the checks first/);

    act(() =>
      h.link.handlers.requestUpdated(server.set({ state: 'verified', verification: verified })),
    );
    const reveal = screen.getByRole('button', { name: 'Reveal passcode' });
    expect(reveal).toHaveProperty('disabled', true);
    screen.getByText('This request needs a second approver before the reveal: ask for approval.');
    screen.getByText('Verification complete; the reveal waits for a second approver.');

    fireEvent.change(within(box).getByLabelText('Note for the approver (optional)'), {
      target: { value: 'Caller sounded rushed' },
    });
    fireEvent.click(within(box).getByRole('button', { name: 'Ask for approval' }));
    await act(settle);
    expect(h.link.callsOf('request:ask-approval')).toEqual([
      { requestId: view.id, note: 'Caller sounded rushed' },
    ]);
    expect(box.textContent).toContain('Asked by alice');
    expect(box.textContent).toContain('— Caller sounded rushed');
    within(box).getByText(/Waiting: the desk’s other agents and the admins see it/);
    expect(within(box).queryByRole('button', { name: /Approve/ })).toBeNull();
    expect(reveal).toHaveProperty('disabled', true);
    screen.getByText(/Waiting for a second approver/);
    // The holder decides nothing on their own request, so it is not in their Approvals waiting.
    expect(screen.queryByRole('region', { name: /Approvals waiting/ })).toBeNull();

    // Bob approves elsewhere: the holder sees who, when and why, and may reveal.
    act(() =>
      h.link.handlers.requestUpdated(
        server.set({
          approval: {
            ...server.now().approval!,
            state: 'approved',
            approvedBy: { id: 'agent-bob', username: 'bob' },
            approvedAt: Date.now(),
            note: 'Checks look right',
          },
        }),
      ),
    );
    within(box).getByText('The reveal is approved.');
    expect(box.textContent).toContain('Approved by bob');
    expect(box.textContent).toContain('— Checks look right');
    expect(screen.getByRole('button', { name: 'Reveal passcode' })).toHaveProperty(
      'disabled',
      false,
    );
  });

  it("shows the server's refusal of the reveal in its own words", async () => {
    const view = privilegedRequest({
      state: 'verified',
      claimedBy: alice,
      verification: verified,
      approval: {
        ...approvalAsked(),
        state: 'approved',
        approvedBy: { id: 'agent-bob', username: 'bob' },
        approvedAt: 2,
        note: 'ok then',
      },
    });
    const { h } = await console_(view);
    await act(() => h.store.getState().openRequest(view.id));
    h.link.answer('request:reveal', () => {
      throw new WireRequestError(
        'rate-limited',
        'This user has had 3 passcodes in the last 24 hours: the cap is reached, and admins were alerted.',
      );
    });
    fireEvent.click(screen.getByRole('button', { name: 'Reveal passcode' }));
    await act(settle);
    const panel = screen.getByRole('region', { name: new RegExp(view.reference) });
    expect(within(panel).getByRole('alert').textContent).toContain(
      'This user has had 3 passcodes in the last 24 hours: the cap is reached, and admins were alerted.',
    );
  });
});

describe('another agent of the desk approves', () => {
  it('sees the ask live under Approvals waiting, opens it, and approves only with a note', async () => {
    const view = privilegedRequest({ state: 'verified', claimedBy: alice, verification: verified });
    const { h } = await console_(view, bob);
    expect(screen.queryByRole('region', { name: /Approvals waiting/ })).toBeNull();

    const asked = { ...view, approval: approvalAsked(), updatedAt: view.updatedAt + 1 };
    act(() => h.link.handlers.approvalRequested(asked));
    const waiting = screen.getByRole('region', { name: 'Approvals waiting (1)' });
    expect(waiting.textContent).toContain(view.reference);
    expect(waiting.textContent).toContain('Pat Rootish (rootish)');
    expect(waiting.textContent).toContain('asked by alice');
    expect(waiting.textContent).toContain('— Caller sounded rushed');
    // A desktop notice, since bob may decide.
    expect(h.host.notices.at(-1)).toMatchObject({
      title: `Approval asked for ${view.reference}`,
      requestId: view.id,
    });

    h.link.answer('request:get', () =>
      requestDetail(asked, { directory: { ...requestDetail(asked).directory!, privileged: true } }),
    );
    fireEvent.click(
      within(waiting).getByRole('button', { name: `Open ${view.reference} to approve or refuse` }),
    );
    await act(settle);
    screen.getByRole('heading', { level: 2, name: new RegExp(view.reference) });
    const box = screen.getByRole('region', { name: 'Second approver' });
    within(box).getByText(/alice asks you to approve the reveal: the user is privileged/);
    // The recorded checks are what bob decides on.
    screen.getByText(/Called the number on file/);
    screen.getByText('Verification complete; the reveal waits for a second approver.');

    fireEvent.click(within(box).getByRole('button', { name: 'Approve…' }));
    const dialog = screen.getByRole('alertdialog', { name: 'Approve the reveal?' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Approve reveal' }));
    within(dialog).getByText('Say why, for the record (at least 3 characters).');
    expect(h.link.callsOf('request:approve')).toEqual([]);

    h.link.answer('request:approve', ({ note }) => ({
      ...asked,
      approval: {
        ...asked.approval,
        state: 'approved',
        approvedBy: { id: 'agent-bob', username: 'bob' },
        approvedAt: Date.now(),
        note,
      },
      updatedAt: asked.updatedAt + 1,
    }));
    fireEvent.change(within(dialog).getByLabelText('Note'), {
      target: { value: 'Callback and employee ID are enough' },
    });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Approve reveal' }));
    await act(settle);
    expect(h.link.callsOf('request:approve')).toEqual([
      { requestId: view.id, note: 'Callback and employee ID are enough' },
    ]);
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(box.textContent).toContain('Approved by bob');
    expect(screen.queryByRole('region', { name: /Approvals waiting/ })).toBeNull();
    // Bob holds nothing: no reveal for him.
    expect(screen.getByRole('button', { name: 'Reveal passcode' })).toHaveProperty(
      'disabled',
      true,
    );
  });

  it('refuses with a note: the request ends, and the server says why next to the note', async () => {
    const asked = privilegedRequest({
      state: 'verified',
      claimedBy: alice,
      verification: verified,
      approval: approvalAsked(),
    });
    const { h } = await console_(asked, bob, { approvals: [asked] });
    const waiting = screen.getByRole('region', { name: 'Approvals waiting (1)' });
    h.link.answer('request:get', () => requestDetail(asked));
    fireEvent.click(within(waiting).getByRole('button', { name: /Open .* to approve or refuse/ }));
    await act(settle);
    fireEvent.click(screen.getByRole('button', { name: 'Refuse…' }));
    const dialog = screen.getByRole('alertdialog', { name: 'Refuse the reveal?' });
    within(dialog).getByText(/The request ends, denied, and admins are alerted/);

    h.link.answer('request:refuse-approval', () => {
      throw new WireRequestError('bad-request', 'Not valid', { note: 'Say why, for the record' });
    });
    fireEvent.change(within(dialog).getByLabelText('Note'), { target: { value: '   x   ' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Refuse and end request' }));
    within(dialog).getByText('Say why, for the record (at least 3 characters).');
    fireEvent.change(within(dialog).getByLabelText('Note'), {
      target: { value: 'Employee ID was read off a badge photo' },
    });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Refuse and end request' }));
    await act(settle);
    within(dialog).getByText('Say why, for the record');

    h.link.answer('request:refuse-approval', ({ note }) => ({
      ...asked,
      state: 'denied',
      closedReason: `The second approver refused: ${note}`,
      updatedAt: asked.updatedAt + 1,
    }));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Refuse and end request' }));
    await act(settle);
    expect(screen.queryByRole('alertdialog')).toBeNull();
    screen.getByText(/The second approver refused: Employee ID was read off a badge photo/);
    expect(screen.queryByRole('region', { name: /Approvals waiting/ })).toBeNull();
  });

  it('asks for the waiting approvals again after a reconnection', async () => {
    const asked = privilegedRequest({ claimedBy: alice, approval: approvalAsked() });
    const { h } = await console_(requestView(), bob);
    expect(h.link.callsOf('approvals:list')).toHaveLength(1);
    h.link.answer('approvals:list', () => ({ requests: [asked] }));
    act(() => h.link.handlers.sessionReady(sessionInfo({ agent: bob }), 'reconnected'));
    await act(settle);
    expect(h.link.callsOf('approvals:list')).toHaveLength(2);
    screen.getByRole('region', { name: 'Approvals waiting (1)' });

    // Decided elsewhere: it leaves the list with the update.
    act(() =>
      h.link.handlers.requestUpdated({
        ...asked,
        approval: { ...asked.approval!, state: 'approved', approvedBy: alice, approvedAt: 3 },
        updatedAt: asked.updatedAt + 1,
      }),
    );
    expect(screen.queryByRole('region', { name: /Approvals waiting/ })).toBeNull();
  });

  it('an admin of another desk, who hears no updates of it, drops it once opened or refused', async () => {
    const root = agentView({
      id: 'agent-root',
      username: 'root',
      displayName: 'Root',
      role: 'admin',
      desks: ['2'],
    });
    const first = privilegedRequest({ claimedBy: alice, approval: approvalAsked() });
    const second = privilegedRequest({ claimedBy: alice, approval: approvalAsked() });
    const h = harness({ queue: [], approvals: [first, second] });
    await signedIn(h, sessionInfo({ agent: root, role: 'admin' }));
    renderOn(h.store, <ConsoleShell />);
    await act(settle);
    screen.getByRole('region', { name: 'Approvals waiting (2)' });

    // Bob approved the first meanwhile: opening it shows so, and it leaves the list.
    h.link.answer('request:get', () =>
      requestDetail({
        ...first,
        approval: {
          ...first.approval!,
          state: 'approved',
          approvedBy: { id: 'agent-bob', username: 'bob' },
          approvedAt: 2,
          note: 'fine',
        },
        updatedAt: first.updatedAt + 1,
      }),
    );
    fireEvent.click(
      screen.getByRole('button', { name: `Open ${first.reference} to approve or refuse` }),
    );
    await act(settle);
    screen.getByRole('region', { name: 'Approvals waiting (1)' });
    expect(screen.getByRole('region', { name: 'Second approver' }).textContent).toContain(
      'Approved by bob',
    );

    // Someone refused the second: the alert brings the list up to date.
    h.link.answer('approvals:list', () => ({ requests: [] }));
    act(() =>
      h.link.handlers.alertRaised({
        id: 'alert-7',
        kind: 'approval-refused',
        username: second.username,
        message: `bob refused the reveal on ${second.reference}.`,
        at: Date.now(),
        reference: second.reference,
      }),
    );
    await act(settle);
    expect(screen.queryByRole('region', { name: /Approvals waiting/ })).toBeNull();
  });
});

describe('a request for the agent’s own account', () => {
  it('offers no Claim, and says another agent must handle it', async () => {
    const view = requestView({ username: 'alice', displayName: 'Alice Agent' });
    const { h } = await console_(view);
    h.link.answer('request:get', () => requestDetail(view));
    await act(() => h.store.getState().openRequest(view.id));
    expect(screen.queryByRole('button', { name: 'Claim' })).toBeNull();
    within(screen.getByRole('group', { name: 'Request actions' })).getByText(
      'This request is for your own account: another agent must handle it.',
    );
  });
});
