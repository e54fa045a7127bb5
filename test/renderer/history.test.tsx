// @vitest-environment jsdom
// History: closed requests searched on the server by reference, username, agent, desk, outcome and
// the days they closed, newest first and paged; a request opened with its summary and trail in words;
// the History tab for every agent and the Audit tab for admins only.
import { act, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { HistoryDetail, HistorySearch } from '../../server/contract/history';
import { HistoryPage } from '../../renderer/src/features/history/HistoryPage';
import { ConsoleShell } from '../../renderer/src/features/shell/ConsoleShell';
import { WireRequestError } from '../../renderer/src/lib/socket';
import { historySearchOf } from '../../renderer/src/store/history-slice';
import { NO_HISTORY_FILTERS } from '../../renderer/src/store/history-state';
import {
  agentView,
  auditEntry,
  harness,
  historyRow,
  requestView,
  sessionInfo,
  settle,
  signedIn,
  type Harness,
} from './fakes';
import { cleanup, renderOn } from './render';

afterEach(() => cleanup());

const admin = agentView({ id: 'agent-root', username: 'root', displayName: 'Root', role: 'admin' });

/** A signed-in agent whose server answers History from `answer`. */
async function historyOn(
  answer: (search: HistorySearch) => { rows: ReturnType<typeof historyRow>[]; total: number },
  info = sessionInfo(),
): Promise<Harness> {
  const h = harness();
  h.link.answer('history:search', answer);
  await signedIn(h, info);
  return h;
}

const searches = (h: Harness) => h.link.callsOf('history:search') as HistorySearch[];

describe('the history slice', () => {
  it('sends only the filters given, trimmed, with the two days as a local range that includes both', () => {
    const search = historySearchOf(
      {
        ...NO_HISTORY_FILTERS,
        reference: ' k7m ',
        username: '',
        agent: 'alice',
        desk: '2',
        outcome: 'denied',
        fromDay: '2026-11-01',
        toDay: '2026-11-30',
      },
      100,
    );
    expect(search).toEqual({
      reference: 'k7m',
      agent: 'alice',
      desk: '2',
      outcome: 'denied',
      from: new Date(2026, 10, 1).getTime(),
      to: new Date(2026, 11, 1).getTime(),
      offset: 100,
      limit: 50,
    });
  });

  it('shows only the newest search when answers come back out of order', async () => {
    const answers: Array<(page: { rows: ReturnType<typeof historyRow>[]; total: number }) => void> =
      [];
    const h = harness();
    h.link.answer('history:search', () => new Promise((resolve) => answers.push(resolve)));
    await signedIn(h);
    const first = h.store.getState().searchHistory({ ...NO_HISTORY_FILTERS, username: 'a' });
    const second = h.store.getState().searchHistory({ ...NO_HISTORY_FILTERS, username: 'b' });
    answers[1]!({ rows: [historyRow({ username: 'bob' })], total: 1 });
    answers[0]!({ rows: [historyRow({ username: 'ann' })], total: 1 });
    await Promise.all([first, second]);
    expect(h.store.getState().historyRows.map((r) => r.username)).toEqual(['bob']);
    expect(h.store.getState().historyFilters.username).toBe('b');
  });

  it('refuses a last day before the first without asking the server', async () => {
    const h = await historyOn(() => ({ rows: [], total: 0 }));
    await h.store
      .getState()
      .searchHistory({ ...NO_HISTORY_FILTERS, fromDay: '2026-11-05', toDay: '2026-11-01' });
    expect(searches(h)).toHaveLength(0);
    expect(h.store.getState().historyError).toBe('The last day is before the first.');
  });

  it('asks again for the page on screen when the connection comes back', async () => {
    let fail = false;
    const h = await historyOn(() => {
      if (fail) throw new WireRequestError('offline', 'Not connected to the server.');
      return { rows: [historyRow()], total: 120 };
    });
    h.store.getState().setScreen('history');
    await h.store.getState().searchHistory({ ...NO_HISTORY_FILTERS, outcome: 'denied' }, 50);
    fail = true;
    await h.store.getState().searchHistory({ ...NO_HISTORY_FILTERS, outcome: 'denied' }, 100);
    expect(h.store.getState().historyStatus).toBe('error');
    fail = false;
    h.store.getState().markRecovered(Date.now());
    await settle();
    expect(searches(h).at(-1)).toEqual({ outcome: 'denied', offset: 100, limit: 50 });
    expect(h.store.getState().historyStatus).toBe('ready');

    // Not on screen: nothing is asked.
    h.store.getState().setScreen('queue');
    h.store.getState().markRecovered(Date.now() + 1);
    await settle();
    expect(searches(h)).toHaveLength(3);
  });

  it('forgets what was looked up when the session ends', async () => {
    const h = await historyOn(() => ({ rows: [historyRow()], total: 1 }));
    h.link.answer('history:get', () => ({ request: requestView(), trail: [] }));
    await h.store.getState().searchHistory({ ...NO_HISTORY_FILTERS, username: 'user' });
    await h.store.getState().openHistory('closed-1');
    await h.store.getState().signOut();
    const state = h.store.getState();
    expect(state.historyRows).toEqual([]);
    expect(state.historyTotal).toBe(0);
    expect(state.historyFilters).toEqual(NO_HISTORY_FILTERS);
    expect(state.historyDetail).toEqual({ step: 'closed' });
  });
});

describe('the History view', () => {
  it('lists a page of closed requests newest first with reference, user, desk, outcome, agent and time', async () => {
    const rows = [
      historyRow({ reference: 'K7M-4QX', username: 'jsmith', displayName: 'Jane Smith' }),
      historyRow({ desk: '2', outcome: 'denied', agent: 'dave' }),
      historyRow({ outcome: 'expired', agent: null }),
    ];
    const h = await historyOn(() => ({ rows, total: 100_000 }));
    renderOn(h.store, <HistoryPage />);
    await act(settle);

    expect(screen.getByRole('heading', { level: 1, name: 'History' })).toBeTruthy();
    expect(screen.getByText('Closed requests of your desks, newest first.', { exact: false }));
    const table = screen.getByRole('table', { name: 'Closed requests' });
    const bodyRows = within(table).getAllByRole('row').slice(1);
    expect(bodyRows).toHaveLength(3);
    const first = within(bodyRows[0]!);
    expect(first.getByRole('button', { name: 'Open K7M-4QX, jsmith' })).toBeTruthy();
    expect(first.getByText('Jane Smith')).toBeTruthy();
    expect(first.getByText('Help Desk 1 · IT Service Desk')).toBeTruthy();
    expect(first.getByText('Completed')).toBeTruthy();
    expect(first.getByText('alice')).toBeTruthy();
    expect(
      first.getByText(
        new Date(rows[0]!.closedAt).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' }),
      ),
    );
    expect(within(bodyRows[1]!).getByText('Help Desk 2 · Security Desk')).toBeTruthy();
    expect(within(bodyRows[1]!).getByText('Denied')).toBeTruthy();
    expect(within(bodyRows[2]!).getByText('—')).toBeTruthy();
    expect(searches(h)).toEqual([{ offset: 0, limit: 50 }]);
  });

  it('pages through 100,000 closed requests fifty at a time, never asking for them all', async () => {
    const h = await historyOn(() => ({
      rows: Array.from({ length: 50 }, () => historyRow()),
      total: 100_000,
    }));
    renderOn(h.store, <HistoryPage />);
    await act(settle);
    const pager = screen.getByRole('navigation', { name: 'Pages of closed requests' });
    expect(within(pager).getByText('1–50 of 100,000')).toBeTruthy();
    const previous = within(pager).getByRole('button', { name: 'Previous' }) as HTMLButtonElement;
    const next = within(pager).getByRole('button', { name: 'Next' }) as HTMLButtonElement;
    expect(previous.disabled).toBe(true);

    fireEvent.click(next);
    await act(settle);
    expect(within(pager).getByText('51–100 of 100,000')).toBeTruthy();
    expect(previous.disabled).toBe(false);
    fireEvent.click(previous);
    await act(settle);
    expect(searches(h).map((s) => [s.offset, s.limit])).toEqual([
      [0, 50],
      [50, 50],
      [0, 50],
    ]);
  });

  it('searches by reference, username, agent, desk, outcome and the days it closed', async () => {
    const h = await historyOn(() => ({ rows: [historyRow()], total: 1 }));
    renderOn(h.store, <HistoryPage />);
    await act(settle);

    fireEvent.change(screen.getByLabelText('Reference'), { target: { value: 'K7M' } });
    fireEvent.change(screen.getByLabelText('Username'), { target: { value: 'jsmith' } });
    fireEvent.change(screen.getByLabelText('Agent'), { target: { value: 'alice' } });
    fireEvent.change(screen.getByLabelText('Desk'), { target: { value: '1' } });
    fireEvent.change(screen.getByLabelText('Outcome'), { target: { value: 'locked' } });
    fireEvent.change(screen.getByLabelText('Closed from'), { target: { value: '2026-11-01' } });
    fireEvent.change(screen.getByLabelText('Closed to'), { target: { value: '2026-11-02' } });
    fireEvent.click(screen.getByRole('button', { name: 'Search' }));
    await act(settle);

    expect(searches(h).at(-1)).toEqual({
      reference: 'K7M',
      username: 'jsmith',
      agent: 'alice',
      desk: '1',
      outcome: 'locked',
      from: new Date(2026, 10, 1).getTime(),
      to: new Date(2026, 10, 3).getTime(),
      offset: 0,
      limit: 50,
    });

    fireEvent.click(screen.getByRole('button', { name: 'Clear' }));
    await act(settle);
    expect(searches(h).at(-1)).toEqual({ offset: 0, limit: 50 });
    expect((screen.getByLabelText('Reference') as HTMLInputElement).value).toBe('');
  });

  it('says the last day is before the first beside the field, and asks nothing', async () => {
    const h = await historyOn(() => ({ rows: [], total: 0 }));
    renderOn(h.store, <HistoryPage />);
    await act(settle);
    fireEvent.change(screen.getByLabelText('Closed from'), { target: { value: '2026-11-05' } });
    fireEvent.change(screen.getByLabelText('Closed to'), { target: { value: '2026-11-01' } });
    fireEvent.click(screen.getByRole('button', { name: 'Search' }));
    await act(settle);
    const to = screen.getByLabelText('Closed to');
    expect(to.getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByText('The last day is before the first.')).toBeTruthy();
    expect(searches(h)).toHaveLength(1);
  });

  it('offers only the desks the agent staffs; an admin sees every desk', async () => {
    const agent = await historyOn(
      () => ({ rows: [], total: 0 }),
      sessionInfo({ agent: agentView({ desks: ['2'] }) }),
    );
    const { unmount } = renderOn(agent.store, <HistoryPage />);
    await act(settle);
    const desks = () =>
      within(screen.getByLabelText('Desk'))
        .getAllByRole('option')
        .map((o) => o.textContent);
    expect(desks()).toEqual(['Any', 'Help Desk 2 · Security Desk']);
    unmount();

    const root = await historyOn(() => ({ rows: [], total: 0 }), sessionInfo({ agent: admin }));
    renderOn(root.store, <HistoryPage />);
    await act(settle);
    expect(desks()).toEqual([
      'All desks',
      'Help Desk 1 · IT Service Desk',
      'Help Desk 2 · Security Desk',
    ]);
    expect(screen.getByText(/Closed requests of every desk/)).toBeTruthy();
  });

  it('says when nothing is closed yet, when nothing matches, and when the search failed', async () => {
    let fail = false;
    const h = await historyOn(() => {
      if (fail) throw new WireRequestError('internal', 'The history could not be read.');
      return { rows: [], total: 0 };
    });
    renderOn(h.store, <HistoryPage />);
    await act(settle);
    expect(screen.getByRole('status').textContent).toMatch(/^No closed requests yet\./);

    fireEvent.change(screen.getByLabelText('Username'), { target: { value: 'nobody' } });
    fireEvent.click(screen.getByRole('button', { name: 'Search' }));
    await act(settle);
    expect(screen.getByRole('status').textContent).toBe('No closed request matches these filters.');

    fail = true;
    fireEvent.click(screen.getByRole('button', { name: 'Search' }));
    await act(settle);
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toContain('The history could not be read.');
    fail = false;
    fireEvent.click(within(alert).getByRole('button', { name: 'Try again' }));
    await act(settle);
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('opens a request: its summary, the checks with notes, and the whole trail in words, then back to the row', async () => {
    const row = historyRow({ id: 'closed-request-0001', reference: 'K7M-4QX', username: 'jsmith' });
    const request = requestView({
      id: row.id,
      reference: 'K7M-4QX',
      username: 'jsmith',
      displayName: 'Jane Smith',
      state: 'completed',
      claimedBy: { id: 'agent-alice', username: 'alice' },
      closedReason: 'User jsmith signed in with the passcode.',
      failedAttempts: 1,
      otp: { issuedAt: 2_000, expiresAt: 602_000, revealCount: 2 },
      verification: [
        {
          checkId: 'callback',
          note: 'Called +14155550111, jsmith answered',
          by: { id: 'agent-alice', username: 'alice' },
          at: 1_500,
          method: 'attested',
        },
      ],
    });
    const trail = [
      auditEntry({
        seq: 3,
        actor: 'user:jsmith',
        action: 'request.submitted',
        words: 'jsmith asked Help Desk 1 for a passcode',
      }),
      auditEntry({ seq: 4, words: 'alice claimed the request' }),
      auditEntry({
        seq: 5,
        action: 'request.check-recorded',
        words:
          'alice recorded Called back the phone number on file, saying “Called +14155550111, jsmith answered”',
      }),
      auditEntry({ seq: 6, action: 'request.otp-revealed', words: 'alice revealed a passcode' }),
      auditEntry({
        seq: 7,
        actor: 'user:jsmith',
        action: 'otp.wrong',
        words: 'jsmith typed a wrong passcode',
      }),
      auditEntry({
        seq: 8,
        actor: 'user:jsmith',
        action: 'request.completed',
        words: 'jsmith typed the right passcode: the request is completed',
      }),
    ];
    const h = await historyOn(() => ({ rows: [row], total: 1 }));
    h.link.answer('history:get', (): HistoryDetail => ({ request, trail }));
    renderOn(h.store, <HistoryPage />);
    await act(settle);

    const open = screen.getByRole('button', { name: 'Open K7M-4QX, jsmith' });
    open.focus();
    fireEvent.click(open);
    await act(settle);
    expect(h.link.callsOf('history:get')).toEqual([{ requestId: 'closed-request-0001' }]);
    const heading = screen.getByRole('heading', { level: 2, name: 'K7M-4QX · Jane Smith' });
    expect(document.activeElement).toBe(heading);
    expect(screen.queryByRole('table', { name: 'Closed requests' })).toBeNull();

    const summary = screen.getByLabelText('Summary');
    const fact = (term: string) =>
      within(summary).getByText(term, { selector: 'dt' }).nextElementSibling?.textContent;
    expect(fact('Outcome')).toBe('User jsmith signed in with the passcode.');
    expect(fact('Held by')).toBe('alice');
    expect(fact('Passcodes revealed')).toBe('2');
    expect(fact('Wrong passcodes entered')).toBe('1');
    expect(fact('Desk')).toBe('Help Desk 1 · IT Service Desk');
    expect(screen.getByText('Called back the phone number on file')).toBeTruthy();
    expect(screen.getByText('Called +14155550111, jsmith answered')).toBeTruthy();

    const list = within(
      screen.getByRole('region', { name: 'Trail (6 entries, oldest first)' }),
    ).getByRole('list');
    const items = within(list)
      .getAllByRole('listitem')
      .map((li) => li.textContent);
    expect(items[0]).toContain('jsmith asked Help Desk 1 for a passcode');
    expect(items[1]).toContain('alice claimed the request');
    expect(items[4]).toContain('jsmith typed a wrong passcode');
    expect(items[5]).toContain('the request is completed');

    fireEvent.click(screen.getByRole('button', { name: 'Back to results' }));
    await act(settle);
    expect(screen.getByRole('table', { name: 'Closed requests' })).toBeTruthy();
    const again = screen.getByRole('button', { name: 'Open K7M-4QX, jsmith' });
    expect(document.activeElement).toBe(again);

    // Escape, inside the request, goes back to the results too.
    fireEvent.click(again);
    await act(settle);
    fireEvent.keyDown(screen.getByRole('heading', { level: 2, name: 'K7M-4QX · Jane Smith' }), {
      key: 'Escape',
    });
    await act(settle);
    expect(screen.getByRole('table', { name: 'Closed requests' })).toBeTruthy();
  });

  it('says so when the request cannot be opened, and tries again', async () => {
    const row = historyRow({ id: 'closed-request-0002', reference: 'ZZZ-111' });
    let fail = true;
    const h = await historyOn(() => ({ rows: [row], total: 1 }));
    h.link.answer('history:get', () => {
      if (fail) throw new WireRequestError('not-found', 'No such request.');
      return {
        request: requestView({ id: row.id, reference: 'ZZZ-111', state: 'expired' }),
        trail: [],
      };
    });
    renderOn(h.store, <HistoryPage />);
    await act(settle);
    fireEvent.click(screen.getByText('ZZZ-111').closest('tr')!);
    await act(settle);
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toContain('No such request.');
    fail = false;
    fireEvent.click(within(alert).getByRole('button', { name: 'Try again' }));
    await act(settle);
    expect(screen.getByText('The audit log holds no entry for this request.')).toBeTruthy();
  });
});

describe('the tabs', () => {
  it('every agent has History; only admins have Audit', async () => {
    const h = await historyOn(() => ({ rows: [], total: 0 }));
    const { unmount } = renderOn(h.store, <ConsoleShell />);
    const tabs = screen.getByRole('navigation', { name: 'Console' });
    expect(within(tabs).queryByRole('button', { name: 'Audit' })).toBeNull();
    fireEvent.click(within(tabs).getByRole('button', { name: 'History' }));
    await act(settle);
    expect(within(tabs).getByRole('button', { name: 'History' }).getAttribute('aria-current')).toBe(
      'page',
    );
    expect(screen.getByRole('heading', { level: 1, name: 'History' })).toBeTruthy();
    unmount();

    // In the shell, Escape inside an opened request goes back to the results (not to the queue).
    const row = historyRow({ reference: 'ESC-111', username: 'esc' });
    h.link
      .answer('history:search', () => ({ rows: [row], total: 1 }))
      .answer('history:get', () => ({
        request: requestView({ id: row.id, reference: 'ESC-111', state: 'denied' }),
        trail: [],
      }));
    const again = renderOn(h.store, <ConsoleShell />);
    await act(settle);
    fireEvent.click(screen.getByRole('button', { name: 'Open ESC-111, esc' }));
    await act(settle);
    fireEvent.keyDown(screen.getByRole('button', { name: 'Back to results' }), { key: 'Escape' });
    await act(settle);
    expect(h.store.getState().screen).toBe('history');
    expect(screen.getByRole('table', { name: 'Closed requests' })).toBeTruthy();
    again.unmount();

    const root = harness();
    root.link
      .answer('history:search', () => ({ rows: [], total: 0 }))
      .answer('audit:search', () => ({ entries: [], total: 0 }));
    await signedIn(root, sessionInfo({ agent: admin }));
    renderOn(root.store, <ConsoleShell />);
    fireEvent.click(screen.getByRole('button', { name: 'Audit' }));
    await act(settle);
    expect(screen.getByRole('heading', { level: 1, name: 'Audit log' })).toBeTruthy();
  });
});

describe('from History to Audit', () => {
  it('an admin opens a request’s entries in the audit log, filtered by its reference', async () => {
    const row = historyRow({ reference: 'AUD-123', username: 'jsmith' });
    const h = harness();
    h.link
      .answer('history:search', () => ({ rows: [row], total: 1 }))
      .answer('history:get', () => ({
        request: requestView({ id: row.id, reference: 'AUD-123', state: 'completed' }),
        trail: [],
      }))
      .answer('audit:search', () => ({ entries: [auditEntry({ seq: 9 })], total: 1 }));
    await signedIn(h, sessionInfo({ agent: admin }));
    renderOn(h.store, <ConsoleShell />);
    fireEvent.click(screen.getByRole('button', { name: 'History' }));
    await act(settle);
    fireEvent.click(screen.getByRole('button', { name: 'Open AUD-123, jsmith' }));
    await act(settle);
    fireEvent.click(screen.getByRole('button', { name: 'Open in the audit log' }));
    await act(settle);
    expect(screen.getByRole('heading', { level: 1, name: 'Audit log' })).toBeTruthy();
    expect((screen.getByLabelText('Request') as HTMLInputElement).value).toBe('AUD-123');
    expect(h.link.callsOf('audit:search').at(-1)).toEqual({
      request: 'AUD-123',
      offset: 0,
      limit: 50,
    });
  });

  it('an agent is not offered the audit log', async () => {
    const row = historyRow({ reference: 'AGT-123', username: 'jsmith' });
    const h = await historyOn(() => ({ rows: [row], total: 1 }));
    h.link.answer('history:get', () => ({
      request: requestView({ id: row.id, reference: 'AGT-123', state: 'completed' }),
      trail: [],
    }));
    renderOn(h.store, <HistoryPage />);
    await act(settle);
    fireEvent.click(screen.getByRole('button', { name: 'Open AGT-123, jsmith' }));
    await act(settle);
    expect(screen.queryByRole('button', { name: 'Open in the audit log' })).toBeNull();
  });
});
