// The request slice: opening, recording checks, actions, and the revealed passcode's auto-hide.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RequestView } from '../../server/contract/request-view';
import { WireRequestError } from '../../renderer/src/lib/socket';
import { OTP_VISIBLE_MS } from '../../renderer/src/store/request-slice';
import { harness, requestDetail, requestView, settle, signedIn, type Harness } from './fakes';

const me = { id: 'agent-alice', username: 'alice' };

/** A fake server for one request: claim, verify, unverify and reveal change it as the real one would. */
function serve(h: Harness, initial: RequestView) {
  let current = initial;
  let otp = 12345678;
  const bump = (next: Partial<RequestView>) => {
    current = { ...current, ...next, updatedAt: current.updatedAt + 1 };
    return current;
  };
  h.link
    .answer('request:get', () => requestDetail(current))
    .answer('request:claim', () => bump({ state: 'claimed', claimedBy: me }))
    .answer('request:release', () => bump({ state: 'queued', claimedBy: null, verification: [] }))
    .answer('request:verify', ({ checkId, note }) => {
      const verification = [
        ...current.verification.filter((r) => r.checkId !== checkId),
        { checkId, note, by: me, at: 1, method: 'attested' as const },
      ];
      return bump({ verification, state: verification.length >= 2 ? 'verified' : 'claimed' });
    })
    .answer('request:unverify', ({ checkId }) => {
      const verification = current.verification.filter((r) => r.checkId !== checkId);
      return bump({ verification, state: verification.length >= 2 ? 'verified' : 'claimed' });
    })
    .answer('request:reveal', () => {
      const revealCount = (current.otp?.revealCount ?? 0) + 1;
      bump({
        state: 'otp-issued',
        otp: { issuedAt: 1, expiresAt: Date.now() + 600_000, revealCount },
      });
      return { otp: String(otp++), expiresAt: Date.now() + 600_000, revealCount };
    });
  return { now: () => current, set: (next: Partial<RequestView>) => bump(next) };
}

describe('opening a request', () => {
  it('loads its details, and ignores a late answer for one opened before', async () => {
    const first = requestView();
    const second = requestView();
    const h = harness({ queue: [first, second] });
    await signedIn(h);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    h.link.answer('request:get', async ({ requestId }) => {
      if (requestId === first.id) await gate;
      return requestDetail(requestId === first.id ? first : second);
    });
    const opening = h.store.getState().openRequest(first.id);
    await h.store.getState().openRequest(second.id);
    release();
    await opening;
    expect(h.store.getState().openId).toBe(second.id);
    expect(h.store.getState().detail?.id).toBe(second.id);
    expect(h.store.getState().activeId).toBe(second.id);
  });

  it('follows the request by events: state, holder, and closing', async () => {
    const view = requestView();
    const h = harness({ queue: [view] });
    await signedIn(h);
    serve(h, view);
    await h.store.getState().openRequest(view.id);
    h.link.handlers.requestUpdated({
      ...view,
      state: 'claimed',
      claimedBy: { id: 'agent-bob', username: 'bob' },
      updatedAt: view.updatedAt + 1,
    });
    expect(h.store.getState().detail?.claimedBy?.username).toBe('bob');
    expect(h.store.getState().detail?.directory?.department).toBe('Finance');
    h.link.handlers.requestUpdated({ ...view, state: 'expired', updatedAt: view.updatedAt + 2 });
    expect(h.store.getState().detail?.state).toBe('expired');
    expect(h.store.getState().order).toEqual([]);
  });

  it('says why when the request cannot be opened', async () => {
    const h = harness();
    await signedIn(h);
    h.link.answer('request:get', () => {
      throw new WireRequestError('not-found', 'No such request on your desks.');
    });
    await h.store.getState().openRequest('x'.repeat(20));
    expect(h.store.getState().detailStatus).toBe('error');
    expect(h.store.getState().detailError).toBe('No such request on your desks.');
  });
});

describe('claiming and verifying', () => {
  it('claims from the queue and opens what it claimed', async () => {
    const view = requestView();
    const h = harness({ queue: [view] });
    await signedIn(h);
    serve(h, view);
    expect((await h.store.getState().claim(view.id)).ok).toBe(true);
    await settle();
    expect(h.store.getState().openId).toBe(view.id);
    expect(h.store.getState().detail?.claimedBy?.id).toBe('agent-alice');
    expect(h.store.getState().requests.get(view.id)?.state).toBe('claimed');
  });

  it('records a check with its trimmed note, and withdraws it', async () => {
    const view = requestView();
    const h = harness({ queue: [view] });
    await signedIn(h);
    serve(h, view);
    await h.store.getState().openRequest(view.id);
    await h.store.getState().claim();
    h.store.getState().setNote('callback', '  Called +1 415 555 0111  ');
    await h.store.getState().setCheck('callback', true);
    expect(h.link.callsOf('request:verify')).toEqual([
      { requestId: view.id, checkId: 'callback', note: 'Called +1 415 555 0111' },
    ]);
    expect(h.store.getState().detail?.verification.map((r) => r.checkId)).toEqual(['callback']);
    await h.store.getState().setCheck('callback', false);
    expect(h.link.callsOf('request:unverify')).toEqual([
      { requestId: view.id, checkId: 'callback' },
    ]);
    expect(h.store.getState().detail?.verification).toEqual([]);
  });

  it('keeps the server refusal to show, and clears busy', async () => {
    const view = requestView();
    const h = harness({ queue: [view] });
    await signedIn(h);
    serve(h, view);
    h.link.answer('request:claim', () => {
      throw new WireRequestError('already-claimed', 'bob is already handling this request.');
    });
    await h.store.getState().openRequest(view.id);
    const outcome = await h.store.getState().claim();
    expect(outcome).toEqual({
      ok: false,
      message: 'bob is already handling this request.',
      fields: {},
    });
    expect(h.store.getState().actionError).toBe('bob is already handling this request.');
    expect(h.store.getState().busy).toBeNull();
  });

  it('denies with a reason, handing field messages back to the dialog', async () => {
    const view = requestView();
    const h = harness({ queue: [view] });
    await signedIn(h);
    serve(h, view);
    h.link.answer('request:deny', ({ reason }) => {
      if (reason.length < 3)
        throw new WireRequestError('bad-request', 'The request is not valid', {
          reason: 'Say why, for the record',
        });
      return { ...view, state: 'denied', closedReason: reason, updatedAt: view.updatedAt + 9 };
    });
    await h.store.getState().openRequest(view.id);
    const refused = await h.store.getState().deny('no');
    expect(refused.ok === false && refused.fields['reason']).toBe('Say why, for the record');
    expect(h.store.getState().actionError).toBeNull();
    expect((await h.store.getState().deny('Caller could not name their manager')).ok).toBe(true);
    expect(h.store.getState().detail?.state).toBe('denied');
    expect(h.store.getState().detail?.closedReason).toBe('Caller could not name their manager');
  });
});

describe('the revealed passcode', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  async function revealed() {
    const view = requestView();
    const h = harness({ queue: [view] });
    await signedIn(h);
    const server = serve(h, view);
    await h.store.getState().openRequest(view.id);
    await h.store.getState().claim();
    await h.store.getState().setCheck('callback', true);
    await h.store.getState().setCheck('employee-id', true);
    await h.store.getState().reveal();
    return { h, server, view };
  }

  it('shows the code, then hides it by itself after 30 seconds', async () => {
    const { h } = await revealed();
    expect(h.store.getState().revealed).toMatchObject({ otp: '12345678', visible: true });
    vi.advanceTimersByTime(OTP_VISIBLE_MS - 1);
    expect(h.store.getState().revealed?.visible).toBe(true);
    vi.advanceTimersByTime(1);
    expect(h.store.getState().revealed?.visible).toBe(false);
    expect(h.store.getState().revealed?.otp).toBe('12345678');
  });

  it('shows it again on request once the server has recorded it, for another 30 seconds', async () => {
    const { h, view } = await revealed();
    vi.advanceTimersByTime(OTP_VISIBLE_MS);
    let record!: () => void;
    h.link.answer(
      'request:passcode-shown',
      () => new Promise((resolve) => (record = () => resolve({ shownAt: Date.now() }))),
    );
    const shown = h.store.getState().showOtp();
    await settle();
    // Not on screen before the server's ack.
    expect(h.link.callsOf('request:passcode-shown')).toEqual([{ requestId: view.id }]);
    expect(h.store.getState().revealed?.visible).toBe(false);
    record();
    expect(await shown).toEqual({ ok: true });
    expect(h.store.getState().revealed?.visible).toBe(true);
    vi.advanceTimersByTime(OTP_VISIBLE_MS - 1000);
    expect(h.store.getState().revealed?.visible).toBe(true);
    vi.advanceTimersByTime(1000);
    expect(h.store.getState().revealed?.visible).toBe(false);
  });

  it('keeps the code hidden when the server does not record the showing, and says why', async () => {
    const { h } = await revealed();
    vi.advanceTimersByTime(OTP_VISIBLE_MS);
    h.link.answer('request:passcode-shown', () => {
      throw new WireRequestError('rate-limited', 'Too many showings of this passcode.');
    });
    expect(await h.store.getState().showOtp()).toMatchObject({ ok: false });
    expect(h.store.getState().revealed?.visible).toBe(false);
    expect(h.store.getState().actionError).toBe('Too many showings of this passcode.');
  });

  it('hides at once when asked, and a stale timer does not re-show it', async () => {
    const { h } = await revealed();
    h.store.getState().hideOtp();
    expect(h.store.getState().revealed?.visible).toBe(false);
    vi.advanceTimersByTime(OTP_VISIBLE_MS * 2);
    expect(h.store.getState().revealed?.visible).toBe(false);
  });

  it('revealing again replaces the code and restarts the clock', async () => {
    const { h } = await revealed();
    vi.advanceTimersByTime(20_000);
    await h.store.getState().reveal();
    expect(h.store.getState().revealed).toMatchObject({
      otp: '12345679',
      revealCount: 2,
      visible: true,
    });
    vi.advanceTimersByTime(20_000);
    expect(h.store.getState().revealed?.visible).toBe(true);
  });

  it('forgets the code once the request completes, or once someone reveals a newer one', async () => {
    const { h, server } = await revealed();
    h.link.handlers.requestUpdated(
      server.set({ otp: { issuedAt: 2, expiresAt: Date.now() + 1000, revealCount: 2 } }),
    );
    expect(h.store.getState().revealed).toBeNull();

    await h.store.getState().reveal();
    expect(h.store.getState().revealed).not.toBeNull();
    h.link.handlers.requestUpdated(server.set({ state: 'completed', otp: null }));
    expect(h.store.getState().revealed).toBeNull();
    expect(h.store.getState().detail?.state).toBe('completed');
  });

  it('forgets the code when the agent opens another request', async () => {
    const { h } = await revealed();
    const other = requestView();
    h.link.answer('request:get', () => requestDetail(other));
    await h.store.getState().openRequest(other.id);
    expect(h.store.getState().revealed).toBeNull();
  });
});
