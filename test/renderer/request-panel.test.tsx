// @vitest-environment jsdom
// The request view as an agent sees it: signals, checks and progress, Reveal gated by the domain's
// rule on the server's latest view, the passcode grouped with a countdown, auto-hidden, shown again,
// and "Reveal again".
import { act, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RequestView } from '../../server/contract/request-view';
import { RequestPanel } from '../../renderer/src/features/request/RequestPanel';
import { OTP_VISIBLE_MS } from '../../renderer/src/store/request-slice';
import { harness, requestDetail, requestView, settle, signedIn } from './fakes';
import { cleanup, renderOn } from './render';

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

const me = { id: 'agent-alice', username: 'alice' };

async function opened(view: RequestView, detail = requestDetail(view)) {
  const h = harness({ queue: [view] });
  let current = detail;
  h.link
    .answer('request:get', () => current)
    .answer('request:verify', ({ checkId, note }) => {
      const verification = [
        ...current.verification,
        { checkId, note, by: me, at: 1, method: 'attested' as const },
      ];
      current = {
        ...current,
        verification,
        state: verification.length >= 2 ? 'verified' : 'claimed',
        updatedAt: current.updatedAt + 1,
      };
      return current;
    })
    .answer('request:reveal', () => ({
      otp: '12345678',
      expiresAt: Date.now() + 600_000,
      revealCount: (current.otp?.revealCount ?? 0) + 1,
    }));
  await signedIn(h);
  await h.store.getState().openRequest(view.id);
  renderOn(h.store, <RequestPanel />);
  return h;
}

describe('the caller', () => {
  it('warns prominently when the user is not in the directory, and shows the other signals', async () => {
    const view = requestView({ username: 'ghost', inDirectory: false, failedAttempts: 2 });
    await opened(view, { ...requestDetail(view), directory: null, recentFailures: 3 });
    screen.getByText('Not in the directory');
    screen.getByText('3 wrong passcodes in the last 24 hours');
    screen.getByText('2 wrong attempts on this request');
    screen.getByText('203.0.113.7');
    // The browser by name, the string it sent kept for whoever asks (here the two say the same).
    screen.getByText('Firefox', { selector: 'summary' });
    screen.getByText('Firefox', { selector: '.ua-raw' });
  });

  it('shows the directory record with masked fields marked as such', async () => {
    await opened(requestView());
    const employeeId = screen.getByText('••••0042');
    expect(employeeId.previousElementSibling?.textContent).toBe('Employee IDmasked');
  });
});

describe('verifying and revealing', () => {
  it('keeps Reveal disabled until the server says the caller is verified', async () => {
    const view = requestView({ state: 'claimed', claimedBy: me });
    const h = await opened(view);
    const reveal = screen.getByRole('button', { name: 'Reveal passcode' });
    expect(reveal).toHaveProperty('disabled', true);
    screen.getByText('Called back the phone number on file required; 1 more check needed');

    fireEvent.change(screen.getByLabelText('Note for “Called back the phone number on file”'), {
      target: { value: 'Called the number on file' },
    });
    fireEvent.click(screen.getByRole('checkbox', { name: /Called back the phone number/ }));
    await act(settle);
    expect(h.link.callsOf('request:verify')[0]).toMatchObject({
      note: 'Called the number on file',
    });
    screen.getByText(/Recorded by alice/);
    expect(reveal).toHaveProperty('disabled', true);

    fireEvent.click(screen.getByRole('checkbox', { name: /employee ID/ }));
    await act(settle);
    screen.getByText('Verification complete: the passcode can be revealed.');
    expect(screen.getByRole('button', { name: 'Reveal passcode' })).toHaveProperty(
      'disabled',
      false,
    );
  });

  it('shows the code large and grouped, counts down, hides after 30 s, shows again on request', async () => {
    vi.useFakeTimers({
      toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
    });
    const view = requestView({
      state: 'verified',
      claimedBy: me,
      verification: [
        { checkId: 'callback', note: '', by: me, at: 1, method: 'attested' },
        { checkId: 'employee-id', note: '', by: me, at: 1, method: 'attested' },
      ],
    });
    const h = await opened(view);
    fireEvent.click(screen.getByRole('button', { name: 'Reveal passcode' }));
    await act(settle);
    act(() =>
      h.link.handlers.requestUpdated({
        ...view,
        state: 'otp-issued',
        otp: { issuedAt: Date.now(), expiresAt: Date.now() + 600_000, revealCount: 1 },
        updatedAt: view.updatedAt + 5,
      }),
    );

    const code = screen.getByRole('status', { name: 'Passcode 1234 5678' });
    expect([...code.querySelectorAll('.otp-group')].map((g) => g.textContent)).toEqual([
      '1234',
      '5678',
    ]);
    screen.getByText('10:00');
    act(() => {
      vi.advanceTimersByTime(5_000);
    });
    screen.getByText('9:55');

    act(() => {
      vi.advanceTimersByTime(OTP_VISIBLE_MS - 5_000);
    });
    expect(screen.queryByRole('status', { name: /^Passcode/ })).toBeNull();
    screen.getByText(/Passcode hidden\. It is still valid for 9:30/);
    screen.getByText('Showing it again is recorded in the audit log.');
    h.link.answer('request:passcode-shown', () => ({ shownAt: Date.now() }));
    fireEvent.click(screen.getByRole('button', { name: 'Show passcode' }));
    await act(settle);
    expect(h.link.callsOf('request:passcode-shown')).toEqual([{ requestId: view.id }]);
    screen.getByRole('status', { name: 'Passcode 1234 5678' });

    // Revealing again is confirmed first, and says what it does; Escape backs out to the button.
    const again = screen.getByRole('button', { name: 'Reveal again…' });
    again.focus();
    fireEvent.click(again);
    const dialog = screen.getByRole('alertdialog', { name: 'Reveal a new passcode?' });
    within(dialog).getByText(/replaces the one already issued/);
    within(dialog).getByText(/audit log/);
    expect(document.activeElement).toBe(within(dialog).getByRole('button', { name: 'Cancel' }));
    fireEvent.keyDown(dialog, { key: 'Escape' });
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(document.activeElement).toBe(again);
    expect(h.link.callsOf('request:reveal')).toHaveLength(1);
  });

  it('warns when two browsers asked for the user, naming the other request, and keeps Reveal off until it ends', async () => {
    const view = requestView({
      username: 'jsmith',
      state: 'verified',
      claimedBy: me,
      verification: [
        { checkId: 'callback', note: '', by: me, at: 1, method: 'attested' },
        { checkId: 'employee-id', note: '', by: me, at: 1, method: 'attested' },
      ],
      contested: true,
      contestedWith: ['Q2P-8XZ'],
    });
    const h = await opened(view);
    const warning = screen.getByText('Contested: two browsers asked for jsmith.').closest('div')!;
    expect(warning.textContent).toContain('The other request is Q2P-8XZ.');
    expect(warning.textContent).toContain('deny the request that is not theirs');
    const reveal = screen.getByRole('button', { name: 'Reveal passcode' });
    expect(reveal).toHaveProperty('disabled', true);
    expect(screen.getByText(/^Not while contested/).textContent).toBe(
      'Not while contested: deny the other request (Q2P-8XZ) first.',
    );
    expect(reveal.getAttribute('aria-describedby')).toBe('reveal-why');
    // The checks' own line does not say the passcode can be revealed while it cannot.
    expect(screen.queryByText(/the passcode can be revealed/)).toBeNull();
    screen.getByText('Verification complete, but no passcode while the other request is open.');

    // The other request is denied: the push says so, and the warning goes by itself.
    act(() => h.link.handlers.requestUpdated({ ...view, contested: false, contestedWith: [] }));
    expect(screen.queryByText(/Contested/)).toBeNull();
    screen.getByText('Verification complete: the passcode can be revealed.');
    expect(screen.getByRole('button', { name: 'Reveal passcode' })).toHaveProperty(
      'disabled',
      false,
    );
  });

  it('keeps Reveal again off while a request whose code is out is contested', async () => {
    const view = requestView({
      state: 'otp-issued',
      claimedBy: me,
      verification: [
        { checkId: 'callback', note: '', by: me, at: 1, method: 'attested' },
        { checkId: 'employee-id', note: '', by: me, at: 1, method: 'attested' },
      ],
      otp: { issuedAt: Date.now(), expiresAt: Date.now() + 600_000, revealCount: 1 },
      contested: true,
      contestedWith: ['Q2P-8XZ'],
    });
    await opened(view);
    expect(screen.getByRole('button', { name: 'Reveal again…' })).toHaveProperty('disabled', true);
    screen.getByText('Not while contested: deny the other request (Q2P-8XZ) first.');
  });

  it('offers no Reveal for a user who is not active in the directory, and says to deny instead', async () => {
    const view = requestView({
      username: 'ghost',
      inDirectory: false,
      state: 'verified',
      claimedBy: me,
      verification: [
        { checkId: 'callback', note: '', by: me, at: 1, method: 'attested' },
        { checkId: 'employee-id', note: '', by: me, at: 1, method: 'attested' },
      ],
    });
    await opened(view, { ...requestDetail(view), directory: null });
    expect(screen.getByRole('button', { name: 'Reveal passcode' })).toHaveProperty(
      'disabled',
      true,
    );
    screen.getByText('This username is not an active directory user; deny the request.');
    screen.getByText(
      'Verification complete, but no passcode for a user who is not active in the directory.',
    );
    expect(screen.queryByText(/the passcode can be revealed/)).toBeNull();
    expect(screen.getByRole('button', { name: 'Deny…' })).toHaveProperty('disabled', false);
  });

  it('follows the request to completed, dropping the code', async () => {
    const view = requestView({ state: 'otp-issued', claimedBy: me });
    const h = await opened(view);
    act(() =>
      h.link.handlers.requestUpdated({
        ...view,
        state: 'completed',
        closedReason: 'Signed in with the passcode.',
        updatedAt: view.updatedAt + 1,
      }),
    );
    screen.getByText('Completed.');
    expect(screen.queryByRole('button', { name: /Reveal/ })).toBeNull();
    screen.getByRole('heading', { name: 'Checks recorded' });
  });

  it('offers Take over to an admin only, confirming it is audited', async () => {
    const bob = { id: 'agent-bob', username: 'bob' };
    const view = requestView({ state: 'claimed', claimedBy: bob });
    await opened(view);
    expect(screen.queryByRole('button', { name: 'Take over…' })).toBeNull();
    screen.getByText('bob is handling this request; only they (or an admin) can act on it.');
    cleanup();

    const h = harness({ queue: [view] });
    h.link.answer('request:get', () => requestDetail(view));
    await signedIn(h, {
      agent: { ...requestAdmin() },
      desks: ['1', '2'],
      role: 'admin',
      mustEnrolTotp: false,
    });
    await h.store.getState().openRequest(view.id);
    renderOn(h.store, <RequestPanel />);
    fireEvent.click(screen.getByRole('button', { name: 'Take over…' }));
    within(screen.getByRole('alertdialog', { name: 'Take over this request?' })).getByText(
      /recorded in the audit log/,
    );
  });
});

function requestAdmin() {
  return {
    id: 'agent-root',
    username: 'root',
    displayName: 'Root',
    role: 'admin' as const,
    desks: ['1', '2'] as Array<'1' | '2'>,
    enabled: true,
    totpEnrolled: false,
    createdAt: 0,
  };
}
