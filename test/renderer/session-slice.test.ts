// The session slice: sign-in, the saved token, authenticator prompts and enrolment, sign-out and expiry.
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../renderer/src/lib/api';
import { WireRequestError } from '../../renderer/src/lib/socket';
import { SESSION_GONE_MESSAGE, SIGNED_OUT_MESSAGE } from '../../renderer/src/store/session-slice';
import { harness, requestView, sessionInfo, settle, signedIn } from './fakes';

describe('starting and signing in', () => {
  it('starts signed out when the host has no saved token', async () => {
    const h = harness();
    await h.store.getState().start();
    expect(h.store.getState().phase).toBe('signed-out');
    expect(h.store.getState().serverUrl).toBe('http://console.test');
    expect(h.links).toHaveLength(0);
  });

  it('resumes a saved session: connects with the saved token and waits for the server', async () => {
    const h = harness({ queue: [requestView()] });
    h.host.token = 'saved-token';
    await h.store.getState().start();
    expect(h.store.getState().phase).toBe('connecting');
    expect(h.link.token).toBe('saved-token');
    h.link.handlers.sessionReady(sessionInfo(), 'first');
    await settle();
    expect(h.store.getState().phase).toBe('ready');
    expect(h.store.getState().order).toHaveLength(1);
  });

  it('signs in, saves the token with the host, then loads the queue and the config', async () => {
    const h = harness({ queue: [requestView(), requestView()] });
    await signedIn(h);
    expect(h.api.signIns).toEqual([{ username: 'alice', password: 'secret password' }]);
    expect(h.host.token).toBe('token-1');
    expect(h.link.token).toBe('token-1');
    const state = h.store.getState();
    expect(state.phase).toBe('ready');
    expect(state.session?.agent.username).toBe('alice');
    expect(state.order).toHaveLength(2);
    expect(state.config?.helpDesks['2'].name).toBe('Security Desk');
    expect(state.connection).toBe('connecting'); // the fake link reports no status of its own
  });

  it('asks for the authenticator code when the server wants one, then sends it', async () => {
    const h = harness();
    await h.store.getState().start();
    h.api.next = new ApiError(
      'totp-required',
      'Enter the six-digit code from your authenticator app.',
    );
    await h.store.getState().signIn({ username: 'alice', password: 'pw' });
    expect(h.store.getState().totpNeeded).toBe(true);
    expect(h.store.getState().phase).toBe('signed-out');
    expect(h.store.getState().signInError?.message).toMatch(/six-digit code/);

    h.api.next = { token: 't2', expiresAt: 0, agent: sessionInfo().agent };
    await h.store.getState().signIn({ username: 'alice', password: 'pw', totp: '123456' });
    expect(h.api.signIns.at(-1)).toEqual({ username: 'alice', password: 'pw', totp: '123456' });
    expect(h.store.getState().totpNeeded).toBe(false);
    expect(h.store.getState().phase).toBe('connecting');
  });

  it('shows a wrong password as the server worded it, with any field messages', async () => {
    const h = harness();
    await h.store.getState().start();
    h.api.next = new ApiError('unauthenticated', 'Wrong username or password.', { password: 'x' });
    await h.store.getState().signIn({ username: 'alice', password: 'nope' });
    expect(h.store.getState().signInError).toEqual({
      code: 'unauthenticated',
      message: 'Wrong username or password.',
      fields: { password: 'x' },
    });
    expect(h.host.token).toBeNull();
  });
});

describe('ending a session', () => {
  it('signs out: tells the server, forgets the token and everything loaded, says so', async () => {
    const h = harness({ queue: [requestView()] });
    await signedIn(h);
    await h.store.getState().signOut();
    const state = h.store.getState();
    expect(h.api.signOuts).toEqual(['token-1']);
    expect(h.link.closed).toBe(true);
    expect(h.host.token).toBeNull();
    expect(state.phase).toBe('signed-out');
    expect(state.endedMessage).toBe(SIGNED_OUT_MESSAGE);
    expect(state.order).toEqual([]);
    expect(state.config).toBeNull();
    expect(state.session).toBeNull();
    expect(h.host.pendingCounts.at(-1)).toBe(0);
  });

  it('ends with the server message when the server ends the session (expiry, disabled)', async () => {
    const h = harness({ queue: [requestView()] });
    await signedIn(h);
    h.link.handlers.sessionEnded({
      code: 'expired',
      message: 'Your session expired; sign in again.',
    });
    expect(h.store.getState().phase).toBe('signed-out');
    expect(h.store.getState().endedMessage).toBe('Your session expired; sign in again.');
    expect(h.host.token).toBeNull();
    expect(h.link.closed).toBe(true);
  });

  it('ends when the server refuses the token on reconnecting', async () => {
    const h = harness();
    await signedIn(h);
    h.link.handlers.rejected();
    expect(h.store.getState().phase).toBe('signed-out');
    expect(h.store.getState().endedMessage).toBe(SESSION_GONE_MESSAGE);
  });

  it('ends when any request is answered "unauthenticated"', async () => {
    const h = harness();
    await signedIn(h);
    h.link.answer('queue:list', () => {
      throw new WireRequestError('unauthenticated', 'Your session has ended; sign in again.');
    });
    await h.store.getState().loadQueue();
    expect(h.store.getState().phase).toBe('signed-out');
    expect(h.store.getState().endedMessage).toBe('Your session has ended; sign in again.');
  });

  it('a later sign-in starts from a clean slate on a new link', async () => {
    const h = harness({ queue: [requestView()] });
    await signedIn(h);
    await h.store.getState().signOut();
    await h.store.getState().signIn({ username: 'alice', password: 'pw' });
    expect(h.links).toHaveLength(2);
    expect(h.store.getState().endedMessage).toBeNull();
  });
});

describe('authenticator enrolment', () => {
  it('loads nothing until the agent enrols, then loads everything', async () => {
    const h = harness({ queue: [requestView()] });
    h.link
      .answer('totp:begin', () => ({
        secret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
        otpauthUri: 'otpauth://totp/x',
        qrDataUrl: 'data:image/png;base64,AAAA',
      }))
      .answer('totp:confirm', ({ code }) => {
        if (code !== '123456') throw new WireRequestError('bad-request', 'That code is not valid.');
        return { enrolled: true };
      });
    await signedIn(h, sessionInfo({ mustEnrolTotp: true }));
    expect(h.link.callsOf('queue:list')).toHaveLength(0);

    await h.store.getState().beginTotpEnrolment();
    expect(h.store.getState().enrolment?.secret).toBe('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP');
    expect(await h.store.getState().confirmTotpEnrolment('000000')).toBe(false);
    expect(h.store.getState().enrolmentError).toBe('That code is not valid.');

    expect(await h.store.getState().confirmTotpEnrolment('123456')).toBe(true);
    await settle();
    expect(h.store.getState().session?.mustEnrolTotp).toBe(false);
    expect(h.store.getState().session?.agent.totpEnrolled).toBe(true);
    expect(h.store.getState().enrolment).toBeNull();
    expect(h.store.getState().order).toHaveLength(1);
  });

  it('treats a server that does not say mustEnrolTotp as not requiring it', async () => {
    const h = harness();
    const { mustEnrolTotp: _omitted, ...older } = sessionInfo();
    await signedIn(h, older as never);
    expect(h.store.getState().session?.mustEnrolTotp).toBe(false);
    expect(h.link.callsOf('queue:list')).toHaveLength(1);
  });

  it('switches to enrolment when the realm starts requiring it mid-session, and back after', async () => {
    const h = harness({ queue: [requestView()] });
    h.link
      .answer('totp:begin', () => ({ secret: 'S', otpauthUri: 'otpauth://x', qrDataUrl: 'data:,' }))
      .answer('totp:confirm', () => ({ enrolled: true }));
    await signedIn(h);
    h.link.handlers.sessionReady(sessionInfo({ mustEnrolTotp: true }), 'updated');
    expect(h.store.getState().session?.mustEnrolTotp).toBe(true);
    expect(h.store.getState().recoveredAt).toBeNull();
    await h.store.getState().confirmTotpEnrolment('123456');
    await settle();
    expect(h.store.getState().session?.mustEnrolTotp).toBe(false);
    expect(h.link.callsOf('queue:list')).toHaveLength(2);
  });

  it('a re-announced session with nothing held back reloads nothing', async () => {
    const h = harness();
    await signedIn(h);
    h.link.handlers.sessionReady(sessionInfo(), 'updated');
    await settle();
    expect(h.link.callsOf('queue:list')).toHaveLength(1);
  });

  it('reloads the queue when an admin changes the desks the agent staffs', async () => {
    const h = harness();
    await signedIn(h);
    const moved = sessionInfo();
    h.link.handlers.sessionReady(
      { ...moved, desks: moved.desks.includes('2') ? ['1'] : ['2'] },
      'updated',
    );
    await settle();
    expect(h.link.callsOf('queue:list')).toHaveLength(2);
  });

  it('an event refused with totp-required sends the agent to enrolment', async () => {
    const h = harness();
    await signedIn(h);
    h.link.answer('queue:list', () => {
      throw new WireRequestError('totp-required', 'Enrol an authenticator app first.');
    });
    await h.store.getState().loadQueue();
    expect(h.store.getState().session?.mustEnrolTotp).toBe(true);
    expect(h.store.getState().phase).toBe('ready');
  });
});
