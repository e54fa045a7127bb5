// The in-memory copy of one table that the synchronous reads answer from: each key holds the
// revision of its last change, so changes that arrive late or twice never overwrite a newer one.
import type pg from 'pg';

/** How long a deleted key remembers its revision, so a late older change does not bring it back. */
const TOMBSTONE_MS = 120_000;

export interface Row {
  key: string;
  rev: number | string;
  data: unknown;
}

export interface TableSpec<T> {
  /** The name changes are notified under (and `onRemoteChange` reports). */
  name: string;
  /** Every row, as `key, rev, data` (data: what `parse` reads). */
  loadSql: string;
  /** One row by key ($1), as `key, rev, data`. */
  rereadSql: string;
  /** Checks a row's data (from the database or a notification) and returns the cached value. */
  parse(data: unknown): T;
}

/** Called after a key's value changed in the cache (before/after undefined: absent). */
export type CacheListener<T> = (key: string, before: T | undefined, after: T | undefined) => void;

export class CachedTable<T> {
  readonly #live = new Map<string, { rev: number; value: T }>();
  readonly #dead = new Map<string, { rev: number; at: number }>();
  #lastPrune = Date.now();
  #listeners: CacheListener<T>[] = [];

  constructor(readonly spec: TableSpec<T>) {}

  get name(): string {
    return this.spec.name;
  }

  onChange(listener: CacheListener<T>): void {
    this.#listeners.push(listener);
  }

  get(key: string): T | undefined {
    return this.#live.get(key)?.value;
  }

  has(key: string): boolean {
    return this.#live.has(key);
  }

  get size(): number {
    return this.#live.size;
  }

  values(): IterableIterator<T> {
    return [...this.#live.values()].map((e) => e.value)[Symbol.iterator]();
  }

  entries(): [string, T][] {
    return [...this.#live].map(([key, e]) => [key, e.value]);
  }

  /** The revision the cache holds for the key (live or deleted), 0 when it knows none. */
  revOf(key: string): number {
    return this.#live.get(key)?.rev ?? this.#dead.get(key)?.rev ?? 0;
  }

  /** Applies a change (value undefined: deleted) when it is newer than what is held; true if applied. */
  apply(key: string, rev: number, value: T | undefined): boolean {
    if (rev <= this.revOf(key)) return false;
    const before = this.#live.get(key)?.value;
    if (value === undefined) {
      this.#live.delete(key);
      this.#dead.set(key, { rev, at: Date.now() });
    } else {
      this.#dead.delete(key);
      this.#live.set(key, { rev, value });
    }
    this.#prune();
    for (const listener of this.#listeners) listener(key, before, value);
    return true;
  }

  /**
   * Deletes the key as of now, when the database no longer has it but the revision that removed it
   * is unknown: a change notified later, whose revision is newer than what was held, still applies.
   */
  forget(key: string): boolean {
    if (!this.#live.has(key)) return false;
    return this.apply(key, this.revOf(key) + 0.5, undefined);
  }

  /** Applies a row as read from the database (or a notification's data). */
  applyRow(row: Row): boolean {
    return this.apply(row.key, Number(row.rev), this.spec.parse(row.data));
  }

  /**
   * Replaces what is held with a full read of the table, taken when the revisions reached
   * `horizon`: a key held at a newer revision than the read's is kept (changed after it); a key the
   * read lacks is deleted unless it changed after the read. Returns the keys that changed.
   */
  replaceAll(rows: readonly Row[], horizon: number): string[] {
    const changed: string[] = [];
    const seen = new Set<string>();
    for (const row of rows) {
      seen.add(row.key);
      const rev = Number(row.rev);
      const held = this.#live.get(row.key);
      if (held && held.rev >= rev) continue;
      this.#dead.delete(row.key);
      const before = held?.value;
      const value = this.spec.parse(row.data);
      this.#live.set(row.key, { rev, value });
      for (const listener of this.#listeners) listener(row.key, before, value);
      changed.push(row.key);
    }
    for (const [key, held] of [...this.#live]) {
      if (seen.has(key) || held.rev > horizon) continue;
      this.#live.delete(key);
      this.#dead.set(key, { rev: held.rev + 0.5, at: Date.now() });
      for (const listener of this.#listeners) listener(key, held.value, undefined);
      changed.push(key);
    }
    return changed;
  }

  async load(db: pg.ClientBase, horizon: number): Promise<string[]> {
    const { rows } = await db.query<Row>(this.spec.loadSql);
    return this.replaceAll(rows, horizon);
  }

  /** Reads one key again; a key the database no longer has is deleted at `rev`. */
  async reread(db: pg.Pool | pg.ClientBase, key: string, rev: number): Promise<boolean> {
    const { rows } = await db.query<Row>(this.spec.rereadSql, [key]);
    const row = rows[0];
    return row ? this.applyRow(row) : this.apply(key, rev, undefined);
  }

  #prune(): void {
    const now = Date.now();
    if (now - this.#lastPrune < TOMBSTONE_MS) return;
    this.#lastPrune = now;
    for (const [key, dead] of this.#dead) if (now - dead.at > TOMBSTONE_MS) this.#dead.delete(key);
  }
}

/** Something that follows the database's changes: a cached table, or a head such as the audit chain's. */
export interface Follower {
  readonly name: string;
  /** False for what listeners of remote changes are not told about (a counter of this store's own). */
  readonly reported?: boolean;
  /** A notified change: its data, or `deleted`, or neither (too large to notify: read it again). */
  receive(
    db: pg.Pool,
    key: string,
    rev: number,
    change: NotifiedChange,
  ): Promise<boolean> | boolean;
  /** Reads everything again (at open, and after the change feed was lost); the keys that changed. */
  load(db: pg.ClientBase, horizon: number): Promise<string[]>;
}

export interface NotifiedChange {
  data?: unknown;
  deleted?: boolean;
}

/** A cached table as a follower of the change feed. */
export function followTable<T>(table: CachedTable<T>): Follower {
  return {
    name: table.name,
    receive(db, key, rev, change) {
      if (change.deleted) return table.apply(key, rev, undefined);
      if (change.data !== undefined) return table.apply(key, rev, table.spec.parse(change.data));
      if (rev <= table.revOf(key)) return false;
      return table.reread(db, key, rev);
    },
    load: (db, horizon) => table.load(db, horizon),
  };
}
