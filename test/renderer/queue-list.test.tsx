// @vitest-environment jsdom
// The queue list as a person uses it: live rows, keyboard (move, open, claim), virtualised, one ticker.
import { act, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { QueuePanel } from '../../renderer/src/features/queue/QueuePanel';
import { tickerTimerCount } from '../../renderer/src/lib/ticker';
import { harness, requestDetail, requestView, settle, signedIn } from './fakes';
import { cleanup, fakeLayout, renderOn } from './render';

let restoreLayout: () => void;
beforeEach(() => {
  restoreLayout = fakeLayout();
});
afterEach(() => {
  cleanup();
  restoreLayout();
  vi.useRealTimers();
});

/** The queue's rows (not the desk filter's options). */
const rows = () =>
  within(screen.getByRole('listbox', { name: 'Open requests' })).getAllByRole('option');

async function mounted(queue = [requestView(), requestView(), requestView()]) {
  const h = harness({ queue });
  h.link.answer('request:get', ({ requestId }) =>
    requestDetail(queue.find((r) => r.id === requestId) ?? queue[0]!),
  );
  await signedIn(h);
  renderOn(h.store, <QueuePanel />);
  return h;
}

describe('the queue list', () => {
  it('is a labelled listbox of rows showing reference, user, desk, state and holder', async () => {
    const taken = requestView({
      reference: 'K7M-4QX',
      username: 'jsmith',
      displayName: 'Jane Smith',
      desk: '2',
      state: 'claimed',
      claimedBy: { id: 'agent-bob', username: 'bob' },
    });
    await mounted([taken]);
    const list = screen.getByRole('listbox', { name: 'Open requests' });
    const row = within(list).getByRole('option', { name: /^K7M-4QX/ });
    expect(row.textContent).toContain('Jane Smith');
    expect(row.textContent).toContain('jsmith');
    expect(row.textContent).toContain('Security Desk');
    expect(row.textContent).toContain('Claimed');
    expect(row.textContent).toContain('held by bob');
    expect(row.getAttribute('aria-setsize')).toBe('1');
  });

  it('marks a contested request with a badge, and drops it when the contest ends', async () => {
    const contested = requestView({
      reference: 'K7M-4QX',
      username: 'jsmith',
      contested: true,
      contestedWith: ['Q2P-8XZ'],
    });
    const h = await mounted([contested, requestView({ reference: 'ABC-DEF' })]);
    const row = screen.getByRole('option', { name: /^K7M-4QX/ });
    const badge = within(row).getByText('Contested');
    expect(badge.getAttribute('title')).toBe('Two browsers asked for jsmith; also Q2P-8XZ');
    expect(within(screen.getByRole('option', { name: /^ABC-DEF/ })).queryByText('Contested')).toBe(
      null,
    );
    act(() =>
      h.link.handlers.requestUpdated({ ...contested, contested: false, contestedWith: [] }),
    );
    expect(within(screen.getByRole('option', { name: /^K7M-4QX/ })).queryByText('Contested')).toBe(
      null,
    );
  });

  it('shows a new arrival without any reload', async () => {
    const h = await mounted([]);
    screen.getByText('No open requests. New ones appear here as they arrive.');
    act(() => h.link.handlers.requestCreated(requestView({ reference: 'NEW-ONE' })));
    screen.getByRole('option', { name: /^NEW-ONE/ });
    expect(screen.getByText(/1 waiting · 1 open/)).toBeTruthy();
  });

  it('moves with the arrow keys, opens with Enter, claims with C', async () => {
    const queue = [requestView(), requestView(), requestView()];
    const h = await mounted(queue);
    h.link.answer('request:claim', ({ requestId }) => ({
      ...queue.find((r) => r.id === requestId)!,
      state: 'claimed',
      claimedBy: { id: 'agent-alice', username: 'alice' },
      updatedAt: 99_999,
    }));
    const list = screen.getByRole('listbox');
    act(() => list.focus());
    expect(list.getAttribute('aria-activedescendant')).toBe(`queue-option-${queue[0]!.id}`);
    fireEvent.keyDown(list, { key: 'ArrowDown' });
    fireEvent.keyDown(list, { key: 'ArrowDown' });
    fireEvent.keyDown(list, { key: 'ArrowUp' });
    expect(list.getAttribute('aria-activedescendant')).toBe(`queue-option-${queue[1]!.id}`);
    expect(
      screen
        .getByRole('option', { name: new RegExp(`^${queue[1]!.reference}`) })
        .getAttribute('aria-selected'),
    ).toBe('true');

    fireEvent.keyDown(list, { key: 'Enter' });
    await act(settle);
    expect(h.link.callsOf('request:get')).toEqual([{ requestId: queue[1]!.id }]);
    expect(h.store.getState().openId).toBe(queue[1]!.id);

    fireEvent.keyDown(list, { key: 'End' });
    fireEvent.keyDown(list, { key: 'c' });
    await act(settle);
    expect(h.link.callsOf('request:claim')).toEqual([{ requestId: queue[2]!.id }]);
    expect(
      screen.getByRole('option', { name: new RegExp(`^${queue[2]!.reference}`) }).textContent,
    ).toContain('held by You');
  });

  it('filters by search and desk', async () => {
    const queue = [
      requestView({ reference: 'AAA-111', username: 'ann', desk: '1' }),
      requestView({ reference: 'BBB-222', username: 'ben', desk: '2' }),
    ];
    await mounted(queue);
    fireEvent.change(screen.getByLabelText('Search'), { target: { value: 'bbb2' } });
    expect(rows().map((o) => o.id)).toEqual([`queue-option-${queue[1]!.id}`]);
    fireEvent.change(screen.getByLabelText('Search'), { target: { value: '' } });
    fireEvent.change(screen.getByLabelText('Desk'), { target: { value: '1' } });
    expect(rows().map((o) => o.id)).toEqual([`queue-option-${queue[0]!.id}`]);
    fireEvent.change(screen.getByLabelText('Search'), { target: { value: 'nobody' } });
    screen.getByText('No open request matches “nobody”.');
  });

  it('renders only the rows in view of thousands', async () => {
    const queue = Array.from({ length: 5000 }, (_, i) => requestView({ createdAt: i }));
    await mounted(queue);
    const options = rows();
    expect(options.length).toBeGreaterThan(5);
    expect(options.length).toBeLessThan(40);
    expect(options[0]!.getAttribute('aria-setsize')).toBe('5000');
    expect(screen.getByText(/5000 waiting · 5000 open/)).toBeTruthy();
  });

  it('ticks every age from one shared timer', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    vi.setSystemTime(100_000);
    const queue = Array.from({ length: 20 }, () => requestView({ createdAt: 95_000 }));
    await mounted(queue);
    expect(tickerTimerCount()).toBe(1);
    const first = rows()[0]!;
    expect(first.textContent).toContain('waiting 5 s');
    act(() => {
      vi.advanceTimersByTime(2_000);
    });
    expect(first.textContent).toContain('waiting 7 s');
    expect(vi.getTimerCount()).toBe(1);
  });
});
