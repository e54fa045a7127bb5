// @vitest-environment jsdom
// Alerts pushed to admins: a user said a passcode was not theirs. The banner appears live at the top
// of the console, leads to the blocks list, and goes when dismissed; an agent's console shows none.
import { act, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConsoleShell } from '../../renderer/src/features/shell/ConsoleShell';
import {
  adminAlert,
  agentView,
  harness,
  methodBlock,
  sessionInfo,
  settle,
  signedIn,
} from './fakes';
import { cleanup, fakeLayout, renderOn } from './render';

let restoreLayout: () => void;
const scrollIntoView = Element.prototype.scrollIntoView;
beforeEach(() => {
  restoreLayout = fakeLayout();
});
afterEach(() => {
  cleanup();
  restoreLayout();
  vi.unstubAllGlobals();
  Element.prototype.scrollIntoView = scrollIntoView;
});

const admin = agentView({ id: 'agent-root', username: 'root', displayName: 'Root', role: 'admin' });

const alertBanner = () =>
  screen.getAllByRole('alert').find((alert) => alert.textContent?.includes('This wasn’t me'));

async function adminConsole() {
  const h = harness();
  h.link
    .answer('agents:list', () => ({ agents: [admin] }))
    .answer('users:search', () => ({ users: [], total: 0 }))
    .answer('blocks:list', () => ({ blocks: [methodBlock()] }));
  await signedIn(h, sessionInfo({ agent: admin, role: 'admin' }));
  renderOn(h.store, <ConsoleShell />);
  await act(settle);
  return h;
}

describe('the admin alert banner', () => {
  it('shows a pushed alert live, leads to the blocks list, and goes when dismissed', async () => {
    // The banner's link scrolls once Settings has rendered.
    vi.stubGlobal('requestAnimationFrame', (run: () => void) => setTimeout(run, 0));
    // jsdom lays nothing out, so it has no scrolling either.
    const scrolled = vi.fn();
    Element.prototype.scrollIntoView = scrolled;
    const h = await adminConsole();
    expect(alertBanner()).toBeUndefined();

    act(() => h.link.handlers.alertRaised(adminAlert()));
    const banner = alertBanner()!;
    expect(banner.textContent).toContain(
      "“This wasn’t me”: jsmith said request K7M-4QX wasn't them. Help-desk sign-in is blocked for the account until an admin clears it; 1 open request(s) were ended.",
    );

    fireEvent.click(within(banner).getByRole('button', { name: 'See blocked users' }));
    await act(settle);
    screen.getByRole('heading', { level: 1, name: 'Settings' });
    const blocks = screen.getByRole('region', { name: 'Blocked users' });
    await act(() => new Promise((resolve) => setTimeout(resolve, 0)));
    within(blocks).getByRole('row', { name: /jsmith/ });
    expect(document.activeElement?.textContent).toBe('Blocked users');
    expect(scrolled).toHaveBeenCalled();

    // Still there in Settings until dismissed.
    fireEvent.click(
      within(alertBanner()!).getByRole('button', { name: 'Dismiss the alert about jsmith' }),
    );
    expect(alertBanner()).toBeUndefined();
  });

  it('keeps each alert once, newest first', async () => {
    const h = await adminConsole();
    act(() => {
      h.link.handlers.alertRaised(adminAlert({ id: 'a1', username: 'jsmith' }));
      h.link.handlers.alertRaised(adminAlert({ id: 'a2', username: 'rlee' }));
      h.link.handlers.alertRaised(adminAlert({ id: 'a2', username: 'rlee' }));
    });
    const shown = screen.getByRole('region', { name: 'Alerts' });
    const texts = within(shown)
      .getAllByRole('alert')
      .map((a) => a.textContent ?? '');
    expect(texts).toHaveLength(2);
    expect(texts[0]).toContain('rlee');
    expect(texts[1]).toContain('jsmith');
  });

  it('forgets the alerts when the admin signs out', async () => {
    const h = await adminConsole();
    act(() => h.link.handlers.alertRaised(adminAlert()));
    expect(h.store.getState().alerts).toHaveLength(1);
    await act(() => h.store.getState().signOut());
    expect(h.store.getState().alerts).toEqual([]);
    expect(h.store.getState().mailStatus).toBeNull();
  });

  it('is not shown to an agent who is not an admin', async () => {
    const h = harness();
    await signedIn(h);
    renderOn(h.store, <ConsoleShell />);
    await act(settle);
    act(() => h.link.handlers.alertRaised(adminAlert()));
    expect(screen.queryByRole('region', { name: 'Alerts' })).toBeNull();
  });
});
