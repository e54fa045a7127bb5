// The shape of the queue slice: the open requests, the filters over them, and its actions.
import type { HelpDeskId } from '../../../server/contract/realm-config';
import type { RequestView } from '../../../server/contract/request-view';

export type DeskFilter = 'all' | HelpDeskId;

export interface QueueSlice {
  /** Open requests by id; a new Map on every change (copying a Map is cheaper than an object). */
  requests: ReadonlyMap<string, RequestView>;
  /** Ids of the open requests, oldest first (the order callers have waited). */
  order: string[];
  queueStatus: 'idle' | 'loading' | 'ready' | 'error';
  queueError: string | null;
  deskFilter: DeskFilter;
  search: string;
  /** The row the keyboard is on. */
  activeId: string | null;
  /**
   * Milliseconds to add to this machine's clock to read the server's, estimated from live events:
   * ages and countdowns are the server's times, and an agent's PC clock may be minutes off.
   */
  serverClockOffset: number;

  loadQueue(): Promise<void>;
  /** Replaces the whole queue with the server's list (after sign-in and every reconnection). */
  replaceQueue(requests: RequestView[]): void;
  /** Adds or updates one request from an event or an answer; closed requests leave the queue. */
  upsertRequest(request: RequestView): void;
  /** A time the server has just stamped (a live event's), to keep the clock offset in step. */
  observeServerTime(serverAt: number, localAt?: number): void;
  setDeskFilter(desk: DeskFilter): void;
  setSearch(search: string): void;
  setActiveId(id: string | null): void;
  /** Moves the keyboard row by `delta` among the visible rows (clamped). */
  moveActive(delta: number): void;
  /** Moves the keyboard row to the first or last visible row. */
  moveActiveToEdge(edge: 'first' | 'last'): void;
}
