// @vitest-environment jsdom
// A mailed-code check on the request panel: the holder sends the code, types what the caller reads
// back, sees a wrong code with the attempts left, a void code that needs a new one, and the record the
// server verified, which looks stronger than an agent's attestation. The code itself never reaches
// the console.
import { act, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RealmConfig } from '../../server/contract/realm-config';
import type { RequestDetail, RequestView } from '../../server/contract/request-view';
import { RequestPanel } from '../../renderer/src/features/request/RequestPanel';
import { harness, realmConfig, requestDetail, requestView, settle, signedIn } from './fakes';
import { cleanup, renderOn } from './render';

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

const me = { id: 'agent-alice', username: 'alice' };
const SENT_AT = new Date(2026, 11, 1, 14, 2, 0).getTime();

/** Callback (attested) and a required mailed-code check; both needed. */
function mailedPolicy(): RealmConfig {
  const config = realmConfig();
  config.verificationPolicy = {
    checks: [
      config.verificationPolicy.checks[0]!,
      {
        kind: 'mailed-code',
        id: 'mailed-code',
        label: 'Caller read back the code mailed to the address on file',
        help: 'Never accept an address the caller gives.',
      },
    ],
    required: ['mailed-code'],
    minimumChecks: 2,
    maskedFields: [],
    notesRequired: 'none',
  };
  config.mail = { ...config.mail, enabled: true, host: 'smtp.example.com', fromAddress: 'd@e.com' };
  return config;
}

/** A fake server that mails codes and checks them: the right code is 482913, three wrong void it. */
async function opened(view: RequestView) {
  const h = harness({ queue: [view], config: mailedPolicy() });
  let current: RequestDetail = requestDetail(view);
  let sends = 0;
  let wrong = 0;
  const bump = (over: Partial<RequestDetail>) =>
    (current = { ...current, ...over, updatedAt: current.updatedAt + 1 });
  h.link
    .answer('request:get', () => current)
    .answer('request:send-code', ({ checkId }) => {
      sends++;
      wrong = 0;
      // Sent 19 seconds before the test looks.
      const sentAt = Date.now() - 19_000;
      return bump({
        mailedCode: {
          checkId,
          sentTo: 'j•••@example.com',
          sentAt,
          expiresAt: sentAt + 600_000,
          attemptsLeft: 3,
          sendsLeft: 3 - sends,
        },
      });
    })
    .answer('request:check-code', ({ code }) => {
      const sent = current.mailedCode!;
      if (code === '482913') {
        const verification = [
          ...current.verification,
          {
            checkId: sent.checkId,
            note: '',
            by: me,
            at: SENT_AT + 60_000,
            method: 'server-verified' as const,
          },
        ];
        return {
          result: 'verified' as const,
          request: bump({ verification, mailedCode: null }),
        };
      }
      wrong++;
      return {
        result: wrong >= 3 ? ('void' as const) : ('wrong' as const),
        request: bump({ mailedCode: { ...sent, attemptsLeft: 3 - wrong } }),
      };
    });
  await signedIn(h);
  await h.store.getState().openRequest(view.id);
  renderOn(h.store, <RequestPanel />);
  return h;
}

const mailedRow = () =>
  screen.getByText('Caller read back the code mailed to the address on file').closest('li')!;

describe('a mailed-code check', () => {
  it('sends the code, shows where and until when, and has the server check what the caller reads back', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(SENT_AT + 19_000);
    const h = await opened(requestView({ state: 'claimed', claimedBy: me }));
    const row = mailedRow();
    // No checkbox: the agent's word does not settle it.
    expect(within(row).queryByRole('checkbox')).toBeNull();

    fireEvent.click(within(row).getByRole('button', { name: 'Send code' }));
    await act(settle);
    expect(h.link.callsOf('request:send-code')).toEqual([
      { requestId: expect.any(String), checkId: 'mailed-code' },
    ]);
    const sent = within(row).getByText(/^Sent to/);
    // The time of day in the agent's locale (14:02 or 02:02 PM).
    expect(sent.textContent).toMatch(
      /^Sent to j•••@example\.com at (14:02|2:02\sPM), expires in 9:41$/,
    );
    within(row).getByRole('button', { name: 'Resend code (2 left)' });

    fireEvent.change(within(row).getByLabelText('Code the caller reads back'), {
      target: { value: '111111' },
    });
    fireEvent.click(within(row).getByRole('button', { name: 'Check code' }));
    await act(settle);
    within(row).getByText('Wrong code: 2 attempts left.');
    expect(
      within(row).getByLabelText('Code the caller reads back').getAttribute('aria-invalid'),
    ).toBe('true');

    fireEvent.change(within(row).getByLabelText('Code the caller reads back'), {
      target: { value: '482913' },
    });
    fireEvent.click(within(row).getByRole('button', { name: 'Check code' }));
    await act(settle);
    expect(h.link.callsOf('request:check-code')).toEqual([
      { requestId: expect.any(String), code: '111111' },
      { requestId: expect.any(String), code: '482913' },
    ]);
    within(row).getByText('Verified by the server');
    expect(within(row).queryByRole('button', { name: /Send|Check/ })).toBeNull();
    // The console never held the code: nothing on screen or in the store carries it.
    expect(document.body.textContent).not.toContain('482913');
    expect(JSON.stringify(h.store.getState().detail)).not.toContain('482913');
  });

  it('refuses a code that is not six digits before asking the server', async () => {
    const h = await opened(requestView({ state: 'claimed', claimedBy: me }));
    const row = mailedRow();
    fireEvent.click(within(row).getByRole('button', { name: 'Send code' }));
    await act(settle);
    fireEvent.change(within(row).getByLabelText('Code the caller reads back'), {
      target: { value: '123' },
    });
    fireEvent.click(within(row).getByRole('button', { name: 'Check code' }));
    within(row).getByText('Type the six digits the caller reads out.');
    expect(h.link.callsOf('request:check-code')).toEqual([]);
  });

  it('says a code is void after three wrong tries, and sends a new one', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(SENT_AT + 1_000);
    const h = await opened(requestView({ state: 'claimed', claimedBy: me }));
    const row = mailedRow();
    fireEvent.click(within(row).getByRole('button', { name: 'Send code' }));
    await act(settle);
    for (const code of ['000001', '000002', '000003']) {
      fireEvent.change(within(row).getByLabelText('Code the caller reads back'), {
        target: { value: code },
      });
      fireEvent.click(within(row).getByRole('button', { name: 'Check code' }));
      await act(settle);
    }
    within(row).getByText(/void after too many wrong tries: send a new code/);
    expect(within(row).queryByLabelText('Code the caller reads back')).toBeNull();

    fireEvent.click(within(row).getByRole('button', { name: 'Send a new code (2 left)' }));
    await act(settle);
    expect(h.link.callsOf('request:send-code')).toHaveLength(2);
    within(row).getByLabelText('Code the caller reads back');
    within(row).getByRole('button', { name: 'Resend code (1 left)' });
    expect(within(row).queryByText(/void/)).toBeNull();
  });

  it('lets only the holder send a code', async () => {
    await opened(
      requestView({ state: 'claimed', claimedBy: { id: 'agent-bob', username: 'bob' } }),
    );
    const send = within(mailedRow()).getByRole('button', {
      name: 'Send code',
    }) as HTMLButtonElement;
    expect(send.disabled).toBe(true);
  });

  it('marks a server-verified record apart from an attested one, also once the request is closed', async () => {
    const verification = [
      {
        checkId: 'callback',
        note: 'Called +14155550111',
        by: me,
        at: SENT_AT,
        method: 'attested' as const,
      },
      { checkId: 'mailed-code', note: '', by: me, at: SENT_AT, method: 'server-verified' as const },
    ];
    const h = await opened(requestView({ state: 'verified', claimedBy: me, verification }));
    const callback = screen.getByText('Called back the phone number on file').closest('li')!;
    expect(within(callback).queryByText('Verified by the server')).toBeNull();
    within(callback).getByText(/Recorded by alice/);
    within(mailedRow()).getByText('Verified by the server');

    act(() =>
      h.store.getState().applyRequestUpdate({
        ...h.store.getState().detail!,
        state: 'completed',
        updatedAt: h.store.getState().detail!.updatedAt + 1,
      }),
    );
    const recorded = screen.getByRole('region', { name: 'Checks recorded' });
    expect(within(recorded).getAllByText('Verified by the server')).toHaveLength(1);
    within(recorded).getByText('Called +14155550111');
  });
});
