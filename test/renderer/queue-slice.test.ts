// The queue slice: ordering of upserts, closed requests leaving, filters, keyboard row, pending count.
import { describe, expect, it } from 'vitest';
import { matchesSearch } from '../../renderer/src/store/queue-slice';
import { queueSelectors } from '../../renderer/src/store';
import { harness, requestView, signedIn } from './fakes';

describe('upserts', () => {
  it('keeps the queue oldest first, wherever a request is inserted', () => {
    const { store } = harness();
    const state = () => store.getState();
    const old = requestView({ id: 'a'.repeat(16), createdAt: 100, updatedAt: 100 });
    const newest = requestView({ id: 'c'.repeat(16), createdAt: 300, updatedAt: 300 });
    const middle = requestView({ id: 'b'.repeat(16), createdAt: 200, updatedAt: 200 });
    state().upsertRequest(newest);
    state().upsertRequest(old);
    state().upsertRequest(middle);
    expect(state().order).toEqual([old.id, middle.id, newest.id]);
  });

  it('breaks ties in creation time by id, the same way every time', () => {
    const { store } = harness();
    const b = requestView({ id: 'b'.repeat(16), createdAt: 5 });
    const a = requestView({ id: 'a'.repeat(16), createdAt: 5 });
    store.getState().upsertRequest(b);
    store.getState().upsertRequest(a);
    expect(store.getState().order).toEqual([a.id, b.id]);
  });

  it('updates a known request in place without moving it', () => {
    const { store } = harness();
    const first = requestView({ createdAt: 1 });
    const second = requestView({ createdAt: 2 });
    store.getState().replaceQueue([first, second]);
    const claimed = {
      ...first,
      state: 'claimed' as const,
      claimedBy: { id: 'agent-bob', username: 'bob' },
      updatedAt: first.updatedAt + 10,
    };
    store.getState().upsertRequest(claimed);
    expect(store.getState().order).toEqual([first.id, second.id]);
    expect(store.getState().requests.get(first.id)?.claimedBy?.username).toBe('bob');
  });

  it('ignores a view older than the one it has (answers and events can cross)', () => {
    const { store } = harness();
    const request = requestView({ updatedAt: 50 });
    store.getState().upsertRequest({ ...request, state: 'claimed', updatedAt: 60 });
    store.getState().upsertRequest({ ...request, state: 'queued', updatedAt: 55 });
    expect(store.getState().requests.get(request.id)?.state).toBe('claimed');
  });

  it('drops a request from the queue once it closes, and the keyboard row with it', () => {
    const { store } = harness();
    const request = requestView();
    store.getState().replaceQueue([request]);
    store.getState().setActiveId(request.id);
    store
      .getState()
      .upsertRequest({ ...request, state: 'completed', updatedAt: request.updatedAt + 1 });
    expect(store.getState().order).toEqual([]);
    expect(store.getState().requests.size).toBe(0);
    expect(store.getState().activeId).toBeNull();
  });

  it('does not add a request it first hears of as closed', () => {
    const { store } = harness();
    store.getState().upsertRequest(requestView({ state: 'cancelled' }));
    expect(store.getState().order).toEqual([]);
  });

  it('replaces the whole queue with the server list, sorted, without closed ones', () => {
    const { store } = harness();
    store.getState().upsertRequest(requestView({ createdAt: 1 }));
    const later = requestView({ createdAt: 30 });
    const sooner = requestView({ createdAt: 20 });
    store.getState().replaceQueue([later, requestView({ state: 'denied' }), sooner]);
    expect(store.getState().order).toEqual([sooner.id, later.id]);
  });
});

describe('filters', () => {
  const queue = [
    requestView({ reference: 'K7M-4QX', username: 'jsmith', displayName: 'Jane Smith', desk: '1' }),
    requestView({
      reference: 'ABC-123',
      username: 'bwayne',
      displayName: 'Bruce Wayne',
      desk: '2',
    }),
    requestView({ reference: 'Z0Z-111', username: 'ckent', displayName: 'Clark Kent', desk: '1' }),
  ];

  it('filters by desk', () => {
    const { store } = harness();
    store.getState().replaceQueue(queue);
    store.getState().setDeskFilter('2');
    expect(queueSelectors.visibleIds(store.getState())).toEqual([queue[1]!.id]);
  });

  it('finds a reference typed without the dash, in lower case, or with look-alike letters', () => {
    expect(matchesSearch(queue[0]!, 'k7m4')).toBe(true);
    expect(matchesSearch(queue[0]!, 'K7M-4QX')).toBe(true);
    expect(matchesSearch(queue[2]!, 'zoz-iii')).toBe(true);
    expect(matchesSearch(queue[0]!, 'k7m 4qx')).toBe(true);
  });

  it('finds a username or display name, and combines with the desk filter', () => {
    const { store } = harness();
    store.getState().replaceQueue(queue);
    store.getState().setSearch('smith');
    expect(queueSelectors.visibleIds(store.getState())).toEqual([queue[0]!.id]);
    store.getState().setSearch('KENT');
    expect(queueSelectors.visibleIds(store.getState())).toEqual([queue[2]!.id]);
    store.getState().setDeskFilter('2');
    expect(queueSelectors.visibleIds(store.getState())).toEqual([]);
  });

  it('returns the same array while nothing changed, so the list does not re-render', () => {
    const { store } = harness();
    store.getState().replaceQueue(queue);
    store.getState().setSearch('a');
    const first = queueSelectors.visibleIds(store.getState());
    store.getState().setActiveId(queue[0]!.id);
    expect(queueSelectors.visibleIds(store.getState())).toBe(first);
  });

  // How quick this is with thousands is the bench's figure 6; here, that it stays right.
  it('keeps thousands of requests in order through a load, arrivals and a search', () => {
    const { store } = harness();
    const many = Array.from({ length: 5000 }, (_, i) =>
      requestView({ createdAt: 10_000 - i, username: `user-${i}` }),
    );
    store.getState().replaceQueue(many);
    for (let i = 0; i < 100; i++)
      store.getState().upsertRequest(requestView({ createdAt: 5_000 + i, username: `late-${i}` }));
    const { order, requests } = store.getState();
    expect(order).toHaveLength(5100);
    const created = order.map((id) => requests.get(id)!.createdAt);
    expect(created).toEqual([...created].sort((a, b) => a - b));
    store.getState().setSearch('user-4999');
    expect(queueSelectors.visibleIds(store.getState())).toEqual([many[4999]!.id]);
  });
});

describe('the keyboard row', () => {
  it('moves among the visible rows and stops at either end', () => {
    const { store } = harness();
    const rows = [requestView(), requestView({ desk: '2' }), requestView()];
    store.getState().replaceQueue(rows);
    store.getState().moveActive(1);
    expect(store.getState().activeId).toBe(rows[0]!.id);
    store.getState().moveActive(1);
    expect(store.getState().activeId).toBe(rows[1]!.id);
    store.getState().moveActive(10);
    expect(store.getState().activeId).toBe(rows[2]!.id);
    store.getState().moveActive(-10);
    expect(store.getState().activeId).toBe(rows[0]!.id);
    store.getState().setDeskFilter('1');
    store.getState().moveActive(1);
    expect(store.getState().activeId).toBe(rows[2]!.id);
    store.getState().moveActiveToEdge('first');
    expect(store.getState().activeId).toBe(rows[0]!.id);
  });
});

describe('pending count and notifications', () => {
  it('tells the host how many requests nobody has claimed, as that changes', async () => {
    const first = requestView();
    const h = harness({ queue: [first, requestView()] });
    await signedIn(h);
    expect(h.host.pendingCounts.at(-1)).toBe(2);
    h.link.handlers.requestUpdated({
      ...first,
      state: 'claimed',
      claimedBy: { id: 'agent-bob', username: 'bob' },
      updatedAt: first.updatedAt + 1,
    });
    expect(h.host.pendingCounts.at(-1)).toBe(1);
    h.link.handlers.requestCreated(requestView());
    expect(h.host.pendingCounts.at(-1)).toBe(2);
  });

  it('notifies of a new request on the agent desks, naming the desk, and not of reloads', async () => {
    const h = harness({ queue: [requestView()] });
    await signedIn(h);
    expect(h.host.notices).toEqual([]);
    const arriving = requestView({
      desk: '2',
      reference: 'NEW-001',
      displayName: 'Ann Example',
      username: 'ann',
    });
    h.link.handlers.requestCreated(arriving);
    expect(h.host.notices).toEqual([
      {
        title: 'New request NEW-001',
        body: 'Ann Example (ann) · Help Desk 2 · Security Desk',
        requestId: arriving.id,
      },
    ]);
    expect(h.store.getState().order).toContain(arriving.id);
  });
});
