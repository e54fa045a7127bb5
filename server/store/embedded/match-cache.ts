// Which records of an index match a filter, as positions newest first, remembered for a few filters
// (the last used kept): paging through one filter's results scans the index once, not once a page.
// Records are only ever appended (and are the newest), so a remembered list stays true for the
// records it covers and is brought up to date by scanning just those appended since.
import { performance } from 'node:perf_hooks';
import { nextTurn } from './journal-lines';

/** A test of one record by its position; 'all' and 'none' when the filter decides alone. */
export type Matcher = ((i: number) => boolean) | 'all' | 'none';

/** A matcher passing only when every condition passes ('all' when there are none). */
export function allOf(conditions: readonly ((i: number) => boolean)[]): Matcher {
  if (conditions.length === 0) return 'all';
  if (conditions.length === 1) return conditions[0]!;
  const [first, second, ...rest] = conditions as [
    (i: number) => boolean,
    (i: number) => boolean,
    ...((i: number) => boolean)[],
  ];
  if (rest.length === 0) return (i) => first(i) && second(i);
  return (i) => first(i) && second(i) && rest.every((condition) => condition(i));
}

/**
 * A filter's normalised parts as a cache key: undefined, numbers (NaN too) and strings (or lists of
 * them) each told apart.
 */
export function filterKey(
  parts: readonly (string | number | readonly string[] | undefined)[],
): string {
  return parts
    .map((part) =>
      part === undefined
        ? '-'
        : typeof part === 'number'
          ? `n${String(part)}`
          : JSON.stringify(part),
    )
    .join(',');
}

/** Records looked at between checks of the clock while scanning. */
const CHECK_EVERY = 1_024;
/** How long a scan holds the event loop before giving it a turn. */
const HOLD_MS = 1;

/**
 * Calls `each(i)` for every position from `end - 1` down to `start` (newest first), giving the event
 * loop a turn whenever it has been held for about a millisecond.
 */
export async function scanDown(
  start: number,
  end: number,
  each: (i: number) => void,
): Promise<void> {
  let since = performance.now();
  for (let i = end - 1; i >= start;) {
    const stop = Math.max(start, i - CHECK_EVERY + 1);
    for (; i >= stop; i -= 1) each(i);
    if (i >= start && performance.now() - since >= HOLD_MS) {
      await nextTurn();
      since = performance.now();
    }
  }
}

/** The same, oldest first, from `start` up to `end - 1`. */
export async function scanUp(start: number, end: number, each: (i: number) => void): Promise<void> {
  let since = performance.now();
  for (let i = start; i < end;) {
    const stop = Math.min(end, i + CHECK_EVERY);
    for (; i < stop; i += 1) each(i);
    if (i < end && performance.now() - since >= HOLD_MS) {
      await nextTurn();
      since = performance.now();
    }
  }
}

/** Positions in [start, end) that `test` passes, newest (highest) first. */
async function matching(
  start: number,
  end: number,
  test: (i: number) => boolean,
): Promise<Int32Array> {
  // Grown as needed: most filters match a small part of the index, and a scan should not
  // allocate (and the collector then reclaim) a slot for every record.
  let found = new Int32Array(Math.min(end - start, 4_096));
  let n = 0;
  await scanDown(start, end, (i) => {
    if (!test(i)) return;
    if (n === found.length) {
      const bigger = new Int32Array(Math.min(end - start, found.length * 4));
      bigger.set(found);
      found = bigger;
    }
    found[n++] = i;
  });
  return found.slice(0, n);
}

interface Remembered {
  /** Matching positions below `length`, newest first. */
  positions: Int32Array;
  /** How many records the index held when they were found. */
  length: number;
}

export interface MatchCacheLimits {
  /** Filters remembered at most. */
  entries: number;
  /** Bytes of positions remembered at most (a longer list is not remembered). */
  bytes: number;
}

export const DEFAULT_LIMITS: MatchCacheLimits = { entries: 32, bytes: 8 * 1024 * 1024 };

export class MatchCache {
  /** In order of use, the least recently used first. */
  readonly #remembered = new Map<string, Remembered>();
  #bytes = 0;

  constructor(private readonly limits: MatchCacheLimits = DEFAULT_LIMITS) {}

  /** How many filters are remembered, and the bytes their positions take. */
  get size(): { entries: number; bytes: number } {
    return { entries: this.#remembered.size, bytes: this.#bytes };
  }

  /**
   * The positions below `end` that the filter (by `key`, its normalised form) matches, newest
   * first. `matcher` is the filter's test as the index is now (it must answer for every position
   * below `end`).
   */
  async positions(key: string, end: number, matcher: Matcher): Promise<Int32Array> {
    if (matcher === 'none') return new Int32Array(0);
    if (matcher === 'all') {
      const all = new Int32Array(end);
      for (let k = 0; k < end; k += 1) all[k] = end - 1 - k;
      return all;
    }
    const known = this.#remembered.get(key);
    let positions: Int32Array;
    if (known !== undefined && known.length === end) positions = known.positions;
    else if (known !== undefined && known.length < end) {
      const added = await matching(known.length, end, matcher);
      positions = new Int32Array(added.length + known.positions.length);
      positions.set(added);
      positions.set(known.positions, added.length);
    } else positions = await matching(0, end, matcher);
    this.#remember(key, { positions, length: end });
    return positions;
  }

  /** `limit` matching positions from `offset` (newest first), and how many match in all. */
  async page(
    key: string,
    end: number,
    matcher: Matcher,
    offset: number,
    limit: number,
  ): Promise<{ positions: number[]; total: number }> {
    // As a scan that counts matches and keeps those from `offset` until it has `limit` would.
    const from = Math.max(0, Math.ceil(offset));
    const to = from + Math.max(0, Math.ceil(limit));
    if (matcher === 'all') {
      const positions: number[] = [];
      for (let k = from; k < Math.min(end, to); k += 1) positions.push(end - 1 - k);
      return { positions, total: end };
    }
    const all = await this.positions(key, end, matcher);
    return { positions: Array.from(all.subarray(from, to)), total: all.length };
  }

  #remember(key: string, entry: Remembered): void {
    const known = this.#remembered.get(key);
    // A scan that started earlier and ended later must not replace a longer list.
    if (known !== undefined && known.length > entry.length) entry = known;
    if (known !== undefined) {
      this.#remembered.delete(key);
      this.#bytes -= known.positions.byteLength;
    }
    if (entry.positions.byteLength > this.limits.bytes) return;
    this.#remembered.set(key, entry);
    this.#bytes += entry.positions.byteLength;
    for (const [oldest, old] of this.#remembered) {
      if (this.#remembered.size <= this.limits.entries && this.#bytes <= this.limits.bytes) break;
      this.#remembered.delete(oldest);
      this.#bytes -= old.positions.byteLength;
    }
  }
}
