// @vitest-environment jsdom
// The console-wide shortcuts (/ search, R reveal when allowed, Esc back to the list, ? every key),
// never while typing; the focus after a claim; the new-request chime, per agent and remembered.
import { act, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RealmConfig } from '../../server/contract/realm-config';
import type { RequestDetail, RequestView } from '../../server/contract/request-view';
import { RequestPanel } from '../../renderer/src/features/request/RequestPanel';
import { ConsoleShell } from '../../renderer/src/features/shell/ConsoleShell';
import { createAgentPreferences } from '../../renderer/src/lib/agent-preferences';
import {
  agentView,
  harness,
  realmConfig,
  requestDetail,
  requestView,
  sessionInfo,
  settle,
  signedIn,
  type Harness,
} from './fakes';
import { cleanup, fakeLayout, renderOn } from './render';

const me = { id: 'agent-alice', username: 'alice' };

let restoreLayout: () => void;
beforeEach(() => {
  restoreLayout = fakeLayout();
  localStorage.clear();
});
afterEach(() => {
  cleanup();
  restoreLayout();
  window.location.hash = '';
});

const recorded = (checkId: string) => ({
  checkId,
  note: 'done',
  by: me,
  at: 1,
  method: 'attested' as const,
});

/** Alice's console with one request open: verified by her unless `over` says otherwise. */
async function consoleWith(over: Partial<RequestDetail> = {}) {
  const view = requestView({
    state: 'verified',
    claimedBy: me,
    verification: [recorded('callback'), recorded('employee-id')],
  });
  const detail = requestDetail(view, over);
  const h = harness({ queue: [view] });
  h.link
    .answer('request:get', () => detail)
    .answer('request:reveal', () => ({
      otp: '12345678',
      expiresAt: Date.now() + 600_000,
      revealCount: 1,
    }));
  await signedIn(h);
  await h.store.getState().openRequest(view.id);
  renderOn(h.store, <ConsoleShell />);
  await act(settle);
  return h;
}

const press = (key: string, target: Element = document.body) =>
  act(() => {
    fireEvent.keyDown(target, { key });
  });

describe('the shortcuts', () => {
  it('? shows every shortcut, the queue list’s own included, and Escape closes it', async () => {
    await consoleWith();
    press('?');
    const dialog = screen.getByRole('dialog', { name: 'Keyboard shortcuts' });
    for (const does of [
      'Claim the request',
      'Open the request',
      'Search the queue',
      'Reveal the passcode, once the checks allow it',
      'Back to the queue list',
    ])
      within(dialog).getByRole('cell', { name: does });
    press('Escape', dialog);
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('/ focuses the search (from Settings too), and what follows is typed, not run', async () => {
    const h = await consoleWith();
    act(() => h.store.getState().setScreen('settings'));
    press('/');
    await act(() => new Promise((resolve) => setTimeout(resolve, 0)));
    expect(h.store.getState().screen).toBe('queue');
    const search = screen.getByLabelText('Search');
    expect(document.activeElement).toBe(search);
    for (const key of ['r', '?', '/', 'Escape']) press(key, search);
    expect(h.link.callsOf('request:reveal')).toEqual([]);
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.activeElement).toBe(search);
  });

  it('R reveals once the checks allow it, and not from a note being typed', async () => {
    const h = await consoleWith();
    const panel = screen.getByRole('region', { name: /K7M/ });
    const note = document.createElement('input');
    panel.append(note);
    press('r', note);
    expect(h.link.callsOf('request:reveal')).toEqual([]);
    press('R');
    await act(settle);
    expect(h.link.callsOf('request:reveal')).toHaveLength(1);
    screen.getByRole('status', { name: 'Passcode 1234 5678' });
    // With the code out, R does not issue another (that asks for a confirmation first).
    press('r');
    await act(settle);
    expect(h.link.callsOf('request:reveal')).toHaveLength(1);
  });

  it('R does nothing while the checks do not allow a reveal', async () => {
    const h = await consoleWith({ state: 'claimed', verification: [] });
    press('r');
    await act(settle);
    expect(h.link.callsOf('request:reveal')).toEqual([]);
  });

  it('Escape goes back to the queue list, from the request or from Settings', async () => {
    const h = await consoleWith();
    const list = screen.getByRole('listbox', { name: 'Open requests' });
    screen.getByRole('button', { name: 'Release' }).focus();
    press('Escape');
    expect(document.activeElement).toBe(list);
    act(() => h.store.getState().setScreen('settings'));
    press('Escape');
    await act(() => new Promise((resolve) => setTimeout(resolve, 0)));
    expect(h.store.getState().screen).toBe('queue');
    expect(document.activeElement).toBe(screen.getByRole('listbox', { name: 'Open requests' }));
  });

  it('do nothing while a dialog is open, or with a modifier held', async () => {
    const h = await consoleWith();
    press('?');
    const dialog = screen.getByRole('dialog', { name: 'Keyboard shortcuts' });
    press('r', dialog);
    act(() => {
      fireEvent.keyDown(document.body, { key: 'r', ctrlKey: true });
    });
    await act(settle);
    expect(h.link.callsOf('request:reveal')).toEqual([]);
  });
});

describe('after a claim', () => {
  async function claimable(config: RealmConfig, verification: RequestView['verification'] = []) {
    const view = requestView({ verification });
    const h = harness({ queue: [view], config });
    let current: RequestDetail = requestDetail(view);
    h.link
      .answer('request:get', () => current)
      .answer('request:claim', () => {
        current = { ...current, state: 'claimed', claimedBy: me, updatedAt: current.updatedAt + 1 };
        return current;
      });
    await signedIn(h);
    await h.store.getState().openRequest(view.id);
    renderOn(h.store, <RequestPanel />);
    fireEvent.click(screen.getByRole('button', { name: 'Claim' }));
    await act(settle);
    return h;
  }

  it('focuses the note of the first required check when notes are required', async () => {
    await claimable(realmConfig());
    expect(document.activeElement).toBe(
      screen.getByLabelText('Note for “Called back the phone number on file”'),
    );
  });

  it('focuses the first required check not yet recorded, its box when no note is needed', async () => {
    const config = realmConfig();
    config.verificationPolicy = {
      ...config.verificationPolicy,
      required: ['callback', 'manager'],
      notesRequired: 'none',
    };
    await claimable(config, [recorded('callback')]);
    expect(document.activeElement).toBe(
      screen.getByRole('checkbox', { name: /Manager confirmed the request/ }),
    );
  });
});

describe('the new-request chime', () => {
  async function agent(h: Harness, id: string, desks: Array<'1' | '2'> = ['1']) {
    const info = sessionInfo({ agent: agentView({ id, desks }), desks });
    await signedIn(h, info);
  }
  function withChime() {
    const chime = vi.fn();
    const h = harness({}, { chime, preferences: createAgentPreferences() });
    return { h, chime };
  }

  it('is off by default: a new request makes no sound', async () => {
    const { h, chime } = withChime();
    await agent(h, 'agent-alice');
    act(() => h.link.handlers.requestCreated(requestView({ desk: '1' })));
    expect(chime).not.toHaveBeenCalled();
    expect(h.store.getState().soundOnNewRequest).toBe(false);
  });

  it('once on, plays for requests on the agent’s desks only', async () => {
    const { h, chime } = withChime();
    await agent(h, 'agent-alice', ['1']);
    act(() => h.store.getState().setSoundOnNewRequest(true));
    expect(chime).toHaveBeenCalledTimes(1); // played from the click, so the agent hears it
    act(() => h.link.handlers.requestCreated(requestView({ desk: '1' })));
    expect(chime).toHaveBeenCalledTimes(2);
    act(() => h.link.handlers.requestCreated(requestView({ desk: '2' })));
    act(() =>
      h.link.handlers.requestCreated(
        requestView({ desk: '1', state: 'claimed', claimedBy: { id: 'x', username: 'bob' } }),
      ),
    );
    expect(chime).toHaveBeenCalledTimes(2);
  });

  it('is remembered per agent on this machine, and the toggle in the shell says which', async () => {
    const first = withChime();
    await agent(first.h, 'agent-alice');
    renderOn(first.h.store, <ConsoleShell />);
    const toggle = screen.getByRole('button', { name: 'Sound' });
    expect(toggle.getAttribute('aria-pressed')).toBe('false');
    fireEvent.click(toggle);
    expect(toggle.getAttribute('aria-pressed')).toBe('true');
    expect(localStorage.getItem('helpdesk-otp.agent.agent-alice.sound-on-new-request')).toBe('on');
    cleanup();

    const again = withChime();
    await agent(again.h, 'agent-alice');
    expect(again.h.store.getState().soundOnNewRequest).toBe(true);
    const other = withChime();
    await agent(other.h, 'agent-bob');
    expect(other.h.store.getState().soundOnNewRequest).toBe(false);

    act(() => again.h.store.getState().setSoundOnNewRequest(false));
    expect(localStorage.getItem('helpdesk-otp.agent.agent-alice.sound-on-new-request')).toBeNull();
  });
});
