// @vitest-environment jsdom
// What agents see of the directory: a banner while it does not answer, the request panel's notice
// and an unavailable Reveal when it could not be read, the privileged-user badge, and a newcomer's
// empty queue saying what to set up (with admin instructions for admins only).
import { act, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultRealmConfig } from '../../server/contract/realm-config';
import type { RequestView } from '../../server/contract/request-view';
import { QueuePanel } from '../../renderer/src/features/queue/QueuePanel';
import { RequestPanel } from '../../renderer/src/features/request/RequestPanel';
import { ConsoleShell } from '../../renderer/src/features/shell/ConsoleShell';
import {
  agentView,
  directoryStatus,
  harness,
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

const me = { id: 'agent-alice', username: 'alice' };
const admin = agentView({ id: 'agent-root', username: 'root', displayName: 'Root', role: 'admin' });

/** The shell's banner about the directory (the connection has its own). */
const directoryBanner = () =>
  screen
    .getAllByRole('alert')
    .find((alert) => alert.textContent?.includes('Directory unavailable'))!;

describe('the directory banner', () => {
  it('appears while the server says the directory is unavailable, and goes when it answers', async () => {
    const h = harness();
    await signedIn(h);
    renderOn(h.store, <ConsoleShell />);
    await act(settle);
    expect(screen.queryByText('Directory unavailable')).toBeNull();

    act(() =>
      h.link.handlers.directoryStatus(
        directoryStatus({
          source: 'ldap',
          state: 'unavailable',
          problem: 'connect ECONNREFUSED',
          since: Date.now(),
        }),
      ),
    );
    const banner = directoryBanner();
    expect(banner.textContent).toContain('sign-ins and reveals are refused until it answers');
    // The technical problem and where to fix it are for admins.
    expect(banner.textContent).not.toContain('ECONNREFUSED');

    act(() => h.link.handlers.directoryStatus(directoryStatus({ source: 'ldap' })));
    expect(screen.queryByText('Directory unavailable')).toBeNull();
  });

  it('shows an admin the problem too', async () => {
    const h = harness({
      directory: directoryStatus({ state: 'unavailable', problem: 'TLS: self-signed certificate' }),
    });
    await signedIn(h, sessionInfo({ agent: admin, role: 'admin' }));
    renderOn(h.store, <ConsoleShell />);
    await act(settle);
    expect(directoryBanner().textContent).toContain(
      'Problem: TLS: self-signed certificate. See Settings → Directory.',
    );
  });
});

async function opened(view: RequestView, detail = requestDetail(view)) {
  const h = harness({ queue: [view] });
  h.link.answer('request:get', () => detail);
  await signedIn(h);
  await h.store.getState().openRequest(view.id);
  renderOn(h.store, <RequestPanel />);
  return h;
}

describe('the request panel', () => {
  it('says the directory is unavailable instead of "not in the directory", and Reveal is unavailable', async () => {
    const view = requestView({
      state: 'verified',
      claimedBy: me,
      inDirectory: false,
      verification: [
        { checkId: 'callback', note: '', by: me, at: 1, method: 'attested' },
        { checkId: 'employee-id', note: '', by: me, at: 2, method: 'attested' },
      ],
    });
    await opened(view, { ...requestDetail(view), directory: null, directoryUnavailable: true });
    screen.getByText('Directory unavailable');
    expect(screen.queryByText('Not in the directory')).toBeNull();
    const reveal = screen.getByRole('button', { name: 'Reveal passcode' });
    expect(reveal).toHaveProperty('disabled', true);
    expect(screen.getByText(/^Unavailable: the directory does not answer/).id).toBe(
      reveal.getAttribute('aria-describedby'),
    );
  });

  it('lets a verified caller’s passcode be revealed when the directory answers', async () => {
    const view = requestView({
      state: 'verified',
      claimedBy: me,
      verification: [
        { checkId: 'callback', note: '', by: me, at: 1, method: 'attested' },
        { checkId: 'employee-id', note: '', by: me, at: 2, method: 'attested' },
      ],
    });
    await opened(view);
    expect(screen.getByRole('button', { name: 'Reveal passcode' })).toHaveProperty(
      'disabled',
      false,
    );
    expect(screen.queryByText('Directory unavailable')).toBeNull();
  });

  it('marks a privileged user with a badge on the caller details', async () => {
    const view = requestView();
    const detail = requestDetail(view);
    await opened(view, { ...detail, directory: { ...detail.directory!, privileged: true } });
    const caller = screen.getByRole('heading', { name: /Caller/ });
    within(caller).getByText('Privileged user');
  });

  it('shows no badge for an ordinary user', async () => {
    await opened(requestView());
    expect(screen.queryByText('Privileged user')).toBeNull();
  });
});

describe("a newcomer's empty queue", () => {
  const noDesks = () => {
    const config = defaultRealmConfig();
    config.helpDesks['1'].enabled = false;
    config.helpDesks['2'].enabled = false;
    return config;
  };

  it('tells an admin to enable a desk in Settings', async () => {
    const h = harness({ config: noDesks() });
    await signedIn(h, sessionInfo({ agent: admin, role: 'admin' }));
    renderOn(h.store, <QueuePanel />);
    await act(settle);
    screen.getByText(/^No help desk is enabled: open Settings → Help desks/);
    act(() => screen.getByRole('button', { name: 'Open Settings' }).click());
    expect(h.store.getState().screen).toBe('settings');
  });

  it('tells an agent plainly, without admin instructions', async () => {
    const h = harness({ config: noDesks() });
    await signedIn(h);
    renderOn(h.store, <QueuePanel />);
    await act(settle);
    screen.getByText(/^No help desk is enabled yet, so no requests can arrive/);
    expect(screen.queryByText(/Settings/)).toBeNull();
    expect(screen.queryByRole('button', { name: 'Open Settings' })).toBeNull();
  });

  it('tells an admin how to get users into an empty embedded directory', async () => {
    const h = harness({ config: realmConfig(), directory: directoryStatus({ embeddedUsers: 0 }) });
    await signedIn(h, sessionInfo({ agent: admin, role: 'admin' }));
    renderOn(h.store, <QueuePanel />);
    await act(settle);
    screen.getByText(
      'No users yet — add users, import a CSV or connect LDAP in Settings → Directory.',
    );
  });

  it('tells an agent the directory is empty, without admin instructions', async () => {
    const h = harness({ config: realmConfig(), directory: directoryStatus({ embeddedUsers: 0 }) });
    await signedIn(h);
    renderOn(h.store, <QueuePanel />);
    await act(settle);
    screen.getByText(/^The directory has no users yet/);
    expect(screen.queryByText(/Settings/)).toBeNull();
  });

  it('says the usual when desks and users are there', async () => {
    const h = harness({ config: realmConfig() });
    await signedIn(h, sessionInfo({ agent: admin, role: 'admin' }));
    renderOn(h.store, <QueuePanel />);
    await act(settle);
    screen.getByText('No open requests. New ones appear here as they arrive.');
  });
});
