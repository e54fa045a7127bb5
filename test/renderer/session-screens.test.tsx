// @vitest-environment jsdom
// Sign-in, the authenticator prompt, enrolment, and the banner when the server goes away.
import { act, fireEvent, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from '../../renderer/src/App';
import { ApiError } from '../../renderer/src/lib/api';
import { ConnectionBanner } from '../../renderer/src/features/shell/ConnectionBanner';
import { harness, sessionInfo, settle, signedIn } from './fakes';
import { cleanup, fakeLayout, renderOn } from './render';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

// The sign-in page asks /healthz how the server is; answer like a healthy one.
function healthyServer() {
  vi.stubGlobal(
    'fetch',
    vi.fn(async () =>
      Response.json({
        product: 'Help Desk OTP',
        status: 'ok',
        version: '1.2.3',
        storage: { kind: 'embedded', status: 'ok' },
      }),
    ),
  );
}

describe('signing in', () => {
  it('signs in with username and password and shows the console', async () => {
    healthyServer();
    const restore = fakeLayout();
    const h = harness();
    await h.store.getState().start();
    renderOn(h.store, <App host={h.host} />);
    await screen.findByText(/up, version 1\.2\.3/);
    fireEvent.change(screen.getByLabelText('Username'), { target: { value: 'alice' } });
    fireEvent.change(screen.getByLabelText('Password'), { target: { value: 'secret password' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    await act(settle);
    screen.getByText('Connecting to the server…');
    act(() => h.link.handlers.sessionReady(sessionInfo(), 'first'));
    await act(settle);
    screen.getByRole('heading', { level: 1, name: 'Queue' });
    screen.getByText('Alice Agent');
    restore();
  });

  it('asks for the authenticator code when the server wants one', async () => {
    healthyServer();
    const h = harness();
    await h.store.getState().start();
    h.api.next = new ApiError(
      'totp-required',
      'Enter the six-digit code from your authenticator app.',
    );
    renderOn(h.store, <App host={h.host} />);
    expect(screen.queryByLabelText('Authenticator code')).toBeNull();
    fireEvent.change(screen.getByLabelText('Username'), { target: { value: 'alice' } });
    fireEvent.change(screen.getByLabelText('Password'), { target: { value: 'pw' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    await act(settle);
    expect(screen.getByRole('alert').textContent).toBe(
      'Enter the six-digit code from your authenticator app.',
    );
    const code = screen.getByLabelText('Authenticator code');
    expect(document.activeElement).toBe(code);
    fireEvent.change(code, { target: { value: '123 456' } });
    h.api.next = { token: 't', expiresAt: 0, agent: sessionInfo().agent };
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    await act(settle);
    expect(h.api.signIns.at(-1)).toEqual({ username: 'alice', password: 'pw', totp: '123456' });
  });

  it('says why the session ended', async () => {
    healthyServer();
    const h = harness();
    await signedIn(h);
    act(() =>
      h.link.handlers.sessionEnded({
        code: 'disabled',
        message: 'Your account was disabled by an admin.',
      }),
    );
    renderOn(h.store, <App host={h.host} />);
    expect(screen.getByRole('status').textContent).toBe('Your account was disabled by an admin.');
  });
});

describe('authenticator enrolment', () => {
  it('shows the QR code and the key, and confirms with a code', async () => {
    const h = harness();
    h.link
      .answer('totp:begin', () => ({
        secret: 'JBSWY3DPEHPK3PXP',
        otpauthUri: 'otpauth://totp/x',
        qrDataUrl: 'data:image/png;base64,iVBORw0KGgo=',
      }))
      .answer('totp:confirm', () => ({ enrolled: true }));
    await signedIn(h, sessionInfo({ mustEnrolTotp: true }));
    const restore = fakeLayout();
    renderOn(h.store, <App host={h.host} />);
    await act(settle);
    screen.getByRole('heading', { name: 'Set up your authenticator app' });
    expect(screen.getByRole('img', { name: /QR code/ }).getAttribute('src')).toMatch(
      /^data:image\/png/,
    );
    expect(screen.getByLabelText('Key for manual entry').textContent).toBe('JBSW Y3DP EHPK 3PXP');
    expect(h.link.callsOf('totp:begin')).toHaveLength(1);
    fireEvent.change(screen.getByLabelText('Six-digit code'), { target: { value: '123456' } });
    fireEvent.click(screen.getByRole('button', { name: 'Confirm and continue' }));
    await act(settle);
    expect(h.link.callsOf('totp:confirm')).toEqual([{ code: '123456' }]);
    screen.getByRole('heading', { level: 1, name: 'Queue' });
    restore();
  });
});

describe('the connection banner', () => {
  it('alerts while the link is down and notes the reload once it is back', async () => {
    const h = harness();
    await signedIn(h);
    act(() => h.link.handlers.status('online'));
    renderOn(h.store, <ConnectionBanner />);
    expect(screen.queryByRole('alert')).toBeNull();
    act(() => h.link.handlers.status('reconnecting'));
    expect(screen.getByRole('alert').textContent).toMatch(/Connection to the server lost/);
    act(() => h.link.handlers.status('online'));
    act(() => h.link.handlers.sessionReady(sessionInfo(), 'reconnected'));
    await act(settle);
    expect(screen.queryByRole('alert')).toBeNull();
    expect(screen.getByRole('status').textContent).toMatch(/queue has been reloaded/);
  });
});
