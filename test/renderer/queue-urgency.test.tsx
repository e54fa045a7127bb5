// @vitest-environment jsdom
// Urgency in the queue: an unclaimed row's wait turns amber, then red, past the realm's thresholds (a
// shape and words beside the colour), by the server's clock; rows stay oldest first.
import { act, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RequestView } from '../../server/contract/request-view';
import { QueuePanel } from '../../renderer/src/features/queue/QueuePanel';
import { RequestPanel } from '../../renderer/src/features/request/RequestPanel';
import { urgencyOf } from '../../renderer/src/store/queue-slice';
import { harness, realmConfig, requestDetail, requestView, settle, signedIn } from './fakes';
import { cleanup, fakeLayout, renderOn } from './render';

const NOW = 1_800_000_000_000;
const MINUTE = 60_000;

let restoreLayout: () => void;
beforeEach(() => {
  restoreLayout = fakeLayout();
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
  vi.setSystemTime(NOW);
});
afterEach(() => {
  cleanup();
  restoreLayout();
  vi.useRealTimers();
});

const rows = () =>
  within(screen.getByRole('listbox', { name: 'Open requests' })).getAllByRole('option');
const row = (reference: string) =>
  screen.getByRole('option', { name: new RegExp(`^${reference}`) });
const age = (reference: string) => row(reference).querySelector('.queue-age')!;

async function mounted(queue: RequestView[], config = realmConfig()) {
  const h = harness({ queue, config });
  await signedIn(h);
  renderOn(h.store, <QueuePanel />);
  return h;
}

const waiting = (reference: string, waitedMs: number, over: Partial<RequestView> = {}) =>
  requestView({ reference, createdAt: NOW - waitedMs, updatedAt: NOW - waitedMs, ...over });

describe('urgency', () => {
  it('is fresh, then amber past 2 minutes, then red past 5 by default, with words and a shape', async () => {
    await mounted([waiting('AAA-111', 90_000)]);
    expect(age('AAA-111').className).toContain('queue-age-fresh');
    expect(row('AAA-111').textContent).toContain('waiting 1 min');
    expect(row('AAA-111').textContent).not.toMatch(/waiting long|urgent/);

    act(() => {
      vi.advanceTimersByTime(30_000);
    });
    expect(age('AAA-111').className).toContain('queue-age-warn');
    expect(row('AAA-111').textContent).toContain('waiting 2 min, waiting long');
    expect(age('AAA-111').querySelector('[aria-hidden="true"]')?.textContent).toBe('◆');

    act(() => {
      vi.advanceTimersByTime(3 * MINUTE);
    });
    expect(age('AAA-111').className).toContain('queue-age-urgent');
    expect(row('AAA-111').textContent).toContain('waiting 5 min, urgent');
    expect(age('AAA-111').querySelector('[aria-hidden="true"]')?.textContent).toBe('▲');
  });

  it('follows the realm’s thresholds, and changes of them as they are saved', async () => {
    const config = realmConfig({ queueUrgency: { warnAfterMinutes: 10, urgentAfterMinutes: 20 } });
    const h = await mounted([waiting('AAA-111', 6 * MINUTE)], config);
    expect(age('AAA-111').className).toContain('queue-age-fresh');
    act(() =>
      h.link.handlers.configUpdated({
        ...config,
        queueUrgency: { warnAfterMinutes: 3, urgentAfterMinutes: 6 },
      }),
    );
    expect(age('AAA-111').className).toContain('queue-age-urgent');
  });

  it('is not shown on a request someone holds: they are not waiting for an agent', async () => {
    await mounted([
      waiting('AAA-111', 9 * MINUTE, {
        state: 'claimed',
        claimedBy: { id: 'agent-bob', username: 'bob' },
      }),
    ]);
    expect(age('AAA-111').className).toContain('queue-age-fresh');
    expect(row('AAA-111').textContent).not.toMatch(/waiting long|urgent/);
  });

  it('counts by the server’s clock, learnt from the stamps of live events', async () => {
    // This PC's clock is 4 minutes slow: a request the server stamps now looks 4 minutes old.
    const h = await mounted([waiting('OLD-001', 0)]);
    expect(age('OLD-001').className).toContain('queue-age-fresh');
    act(() =>
      h.link.handlers.requestCreated(
        requestView({
          reference: 'NEW-001',
          createdAt: NOW + 4 * MINUTE,
          updatedAt: NOW + 4 * MINUTE,
        }),
      ),
    );
    expect(h.store.getState().serverClockOffset).toBe(4 * MINUTE);
    expect(row('NEW-001').textContent).toContain('waiting 0 s');
    expect(age('OLD-001').className).toContain('queue-age-warn');
    expect(row('OLD-001').textContent).toContain('waiting 4 min');
  });

  it('ignores a stamp that would mean a clock off by more than half a day', async () => {
    const h = await mounted([]);
    act(() => h.link.handlers.requestCreated(requestView({ createdAt: 5, updatedAt: 5 })));
    expect(h.store.getState().serverClockOffset).toBe(0);
  });

  it('is a pure rule of the thresholds', () => {
    const thresholds = { warnAfterMinutes: 2, urgentAfterMinutes: 5 };
    expect(urgencyOf(2 * MINUTE - 1, thresholds)).toBe('fresh');
    expect(urgencyOf(2 * MINUTE, thresholds)).toBe('warn');
    expect(urgencyOf(5 * MINUTE - 1, thresholds)).toBe('warn');
    expect(urgencyOf(5 * MINUTE, thresholds)).toBe('urgent');
    expect(urgencyOf(3 * MINUTE, undefined)).toBe('warn');
  });
});

describe('the order', () => {
  it('is oldest first, however the requests arrive', async () => {
    const h = await mounted([waiting('MID-002', 2 * MINUTE), waiting('NEW-003', MINUTE)]);
    act(() => h.link.handlers.requestCreated(waiting('OLD-001', 3 * MINUTE)));
    act(() => h.link.handlers.requestCreated(waiting('NEWEST4', 0)));
    await act(settle);
    expect(rows().map((r) => r.textContent!.slice(0, 7))).toEqual([
      'OLD-001',
      'MID-002',
      'NEW-003',
      'NEWEST4',
    ]);
  });
});

describe('the open request’s header', () => {
  it('says how long the caller has waited while open, and never “waiting” once closed', async () => {
    const open = waiting('AAA-111', 3 * MINUTE);
    const h = harness({ queue: [open] });
    let detail = requestDetail(open);
    h.link.answer('request:get', () => detail);
    await signedIn(h);
    await h.store.getState().openRequest(open.id);
    renderOn(h.store, <RequestPanel />);
    const kicker = () => document.querySelector('.request-kicker')!.textContent;
    expect(kicker()).toBe('Help Desk 1 · IT Service Desk · waiting 3 min');

    detail = { ...detail, state: 'completed', updatedAt: NOW + 2 * MINUTE };
    act(() => h.link.handlers.requestUpdated(detail));
    act(() => {
      vi.advanceTimersByTime(10 * MINUTE);
    });
    expect(kicker()).toBe('Help Desk 1 · IT Service Desk · closed after 5 min');
    expect(kicker()).not.toContain('waiting');
  });
});
