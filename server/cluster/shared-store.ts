// What the cluster's wiring needs of a store several server processes share (the PostgreSQL store),
// told apart from the embedded store without importing either: services stay on the repositories.
import type { Pool } from 'pg';
import type { Store } from '../store/repositories';

/** A store other server processes use at the same time, through one PostgreSQL database. */
export interface SharedStore extends Store {
  readonly kind: 'postgres';
  /** The store's connection pool: the socket.io adapter, the shared limits and the leader lock use it too. */
  readonly pool: Pool;
  /**
   * Another process's change reached this process's caches: `('outbox', id)`, `('realm', '')`,
   * `('agents', id)`, `('sessions', id)`, `('requests', id)`…
   */
  onRemoteChange(listener: (table: string, key: string) => void): () => void;
}

/** The store as a shared one, or undefined for a store only this process uses (embedded). */
export function sharedStoreOf(store: Store): SharedStore | undefined {
  const candidate = store as Partial<SharedStore>;
  return candidate.kind === 'postgres' && candidate.pool !== undefined
    ? (store as SharedStore)
    : undefined;
}

/** What the PostgreSQL store rejects a write with while the database cannot be reached. */
export const STORE_UNAVAILABLE = 'store-unavailable';

/**
 * Whether this is the store saying the database is out of reach (its `StoreUnavailableError`),
 * read by its code so that the HTTP and socket layers need not import a store.
 */
export function isStoreUnavailable(error: unknown): boolean {
  return error instanceof Error && (error as Error & { code?: unknown }).code === STORE_UNAVAILABLE;
}

/** What an API client or agent is told while the database is out of reach. */
export const STORE_UNAVAILABLE_MESSAGE =
  'The service cannot reach its database for a moment; nothing was changed. Try again in a minute.';
