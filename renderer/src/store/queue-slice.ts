// The live queue: open requests on the agent's desks by id, oldest first, with desk and text filters.
import { defaultQueueUrgency, type QueueUrgency } from '../../../server/contract/realm-config';
import type { RequestView } from '../../../server/contract/request-view';
import { normaliseReference } from '../../../server/domain/reference-code';
import { isOpenState } from '../../../server/domain/request-states';
import type { DeskFilter, QueueSlice } from './queue-state';
import type { ConsoleState, SliceCreator } from './state';
import type { ConsoleRuntime } from './types';
import { messageOf } from './types';

const before = (a: RequestView, b: RequestView) =>
  a.createdAt !== b.createdAt ? a.createdAt < b.createdAt : a.id < b.id;

/** Where `request` goes in `order` (binary search on createdAt, then id). */
function insertionIndex(
  order: string[],
  requests: ReadonlyMap<string, RequestView>,
  request: RequestView,
) {
  let low = 0;
  let high = order.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    const other = requests.get(order[mid]!)!;
    if (before(other, request)) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** A clock further off than this is broken beyond what the console corrects (or a test's fixture). */
const MAX_CLOCK_OFFSET_MS = 12 * 60 * 60_000;
/** How many recent stamps the offset rests on: a server clock set back is followed within these. */
const CLOCK_SAMPLES = 16;

export function createQueueSlice(runtime: ConsoleRuntime): SliceCreator<QueueSlice> {
  // Each stamp is at most the server's time when it arrived: the largest recent one is the best guess.
  const samples: number[] = [];
  return (set, get) => ({
    requests: new Map(),
    order: [],
    queueStatus: 'idle',
    queueError: null,
    deskFilter: 'all',
    search: '',
    activeId: null,
    serverClockOffset: 0,

    async loadQueue() {
      set({ queueStatus: 'loading', queueError: null });
      try {
        const { requests } = await runtime.request('queue:list', {});
        get().replaceQueue(requests);
      } catch (error) {
        set({ queueStatus: 'error', queueError: messageOf(error) });
      }
    },

    replaceQueue(list) {
      const requests = new Map<string, RequestView>();
      for (const request of list) if (isOpenState(request.state)) requests.set(request.id, request);
      const order = [...requests.values()].sort((a, b) => (before(a, b) ? -1 : 1)).map((r) => r.id);
      const activeId = get().activeId;
      set({
        requests,
        order,
        queueStatus: 'ready',
        queueError: null,
        activeId: activeId && requests.has(activeId) ? activeId : null,
      });
    },

    upsertRequest(request) {
      const { requests, order, activeId } = get();
      const known = requests.get(request.id);
      // Answers and events can cross on the wire: never let an older view replace a newer one.
      if (known && known.updatedAt > request.updatedAt) return;
      if (!isOpenState(request.state)) {
        if (!known) return;
        const rest = new Map(requests);
        rest.delete(request.id);
        set({
          requests: rest,
          order: order.filter((id) => id !== request.id),
          activeId: activeId === request.id ? null : activeId,
        });
        return;
      }
      const next = new Map(requests).set(request.id, request);
      if (known) {
        set({ requests: next });
        return;
      }
      const at = insertionIndex(order, requests, request);
      set({ requests: next, order: [...order.slice(0, at), request.id, ...order.slice(at)] });
    },

    observeServerTime(serverAt, localAt = Date.now()) {
      const sample = serverAt - localAt;
      if (!Number.isFinite(sample) || Math.abs(sample) > MAX_CLOCK_OFFSET_MS) return;
      samples.push(sample);
      if (samples.length > CLOCK_SAMPLES) samples.shift();
      // Latency makes every sample a little early; a second of difference is not worth a render.
      const offset = Math.max(...samples);
      if (Math.abs(offset - get().serverClockOffset) >= 1000) set({ serverClockOffset: offset });
    },

    setDeskFilter(deskFilter) {
      set({ deskFilter });
    },
    setSearch(search) {
      set({ search });
    },
    setActiveId(activeId) {
      set({ activeId });
    },
    moveActive(delta) {
      const visible = queueSelectors.visibleIds(get());
      if (visible.length === 0) return;
      const current = get().activeId;
      const index = current ? visible.indexOf(current) : -1;
      const target =
        index === -1
          ? delta > 0
            ? 0
            : visible.length - 1
          : Math.min(visible.length - 1, Math.max(0, index + delta));
      set({ activeId: visible[target]! });
    },
    moveActiveToEdge(edge) {
      const visible = queueSelectors.visibleIds(get());
      if (visible.length === 0) return;
      set({ activeId: edge === 'first' ? visible[0]! : visible[visible.length - 1]! });
    },
  });
}

/** A reference matches however it was read aloud and typed back; names match case-insensitively. */
export function matchesSearch(request: RequestView, search: string): boolean {
  const query = search.trim().toLowerCase();
  if (!query) return true;
  const reference = normaliseReference(query);
  return (
    (reference.length > 0 && normaliseReference(request.reference).includes(reference)) ||
    request.username.toLowerCase().includes(query) ||
    request.displayName.toLowerCase().includes(query)
  );
}

interface VisibleMemo {
  order: string[];
  requests: ReadonlyMap<string, RequestView>;
  deskFilter: DeskFilter;
  search: string;
  ids: string[];
}
let visibleMemo: VisibleMemo | undefined;

/** The ids the list shows, recomputed only when the queue or the filters change. */
function visibleIds(s: ConsoleState): string[] {
  const memo = visibleMemo;
  if (
    memo &&
    memo.order === s.order &&
    memo.requests === s.requests &&
    memo.deskFilter === s.deskFilter &&
    memo.search === s.search
  )
    return memo.ids;
  const filtered =
    s.deskFilter === 'all' && !s.search.trim()
      ? s.order
      : s.order.filter((id) => {
          const request = s.requests.get(id)!;
          return (
            (s.deskFilter === 'all' || request.desk === s.deskFilter) &&
            matchesSearch(request, s.search)
          );
        });
  visibleMemo = {
    order: s.order,
    requests: s.requests,
    deskFilter: s.deskFilter,
    search: s.search,
    ids: filtered,
  };
  return filtered;
}

let pendingMemo: { requests: ReadonlyMap<string, RequestView>; count: number } | undefined;

/** Requests nobody has claimed yet: the badge and tab-title count. */
function pendingCount(s: ConsoleState): number {
  if (pendingMemo?.requests === s.requests) return pendingMemo.count;
  let count = 0;
  for (const request of s.requests.values()) if (request.state === 'queued') count++;
  pendingMemo = { requests: s.requests, count };
  return count;
}

export type Urgency = 'fresh' | 'warn' | 'urgent';

/** How pressing a wait is, by the realm's thresholds (amber, then red). */
export function urgencyOf(waitedMs: number, thresholds: QueueUrgency | undefined): Urgency {
  const { warnAfterMinutes, urgentAfterMinutes } = thresholds ?? defaultQueueUrgency();
  if (waitedMs >= urgentAfterMinutes * 60_000) return 'urgent';
  if (waitedMs >= warnAfterMinutes * 60_000) return 'warn';
  return 'fresh';
}

export const queueSelectors = {
  visibleIds,
  serverClockOffset: (s: ConsoleState) => s.serverClockOffset,
  urgencyThresholds: (s: ConsoleState) => s.config?.queueUrgency,
  request: (id: string) => (s: ConsoleState) => s.requests.get(id),
  activeId: (s: ConsoleState) => s.activeId,
  deskFilter: (s: ConsoleState) => s.deskFilter,
  search: (s: ConsoleState) => s.search,
  status: (s: ConsoleState) => s.queueStatus,
  error: (s: ConsoleState) => s.queueError,
  openCount: (s: ConsoleState) => s.order.length,
  pendingCount,
};
