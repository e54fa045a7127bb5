// Why the PostgreSQL store refused a write, and how to tell a lost database from a refused statement.

/**
 * The database could not be reached (down, restarting, the network cut): the write was not
 * acknowledged and may or may not have been applied. Reads keep answering from the caches.
 */
export class StoreUnavailableError extends Error {
  readonly code = 'store-unavailable';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}

/** SQLSTATE classes and codes that mean the connection, not the statement, failed. */
const CONNECTION_STATES = /^(08|57P0[123]|53300)/;
/** Node's socket errors and node-postgres's own messages for a connection that is gone. */
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND']);
const CONNECTION_MESSAGES =
  /Connection terminated|connection error|not queryable|timeout exceeded when trying to connect|Client was closed|Cannot use a pool after calling end/i;

/** Whether the error says the database could not be reached (rather than refusing the statement). */
export function isConnectionError(error: unknown): boolean {
  if (error instanceof StoreUnavailableError) return true;
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (CONNECTION_CODES.has(code) || CONNECTION_STATES.test(code)))
    return true;
  return CONNECTION_MESSAGES.test(error.message);
}

/** A deadlock or a serialization failure: the transaction may simply be run again. */
export function isRetryable(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return code === '40P01' || code === '40001';
}

/** The error a caller gets for a write the database could not take. */
export function unavailable(where: string, cause: unknown): StoreUnavailableError {
  const why = cause instanceof Error ? cause.message : String(cause);
  return new StoreUnavailableError(
    `The PostgreSQL database at ${where} cannot be reached (${why}), so nothing was saved. ` +
      'Check that the database is running and reachable; the server reconnects by itself.',
    { cause },
  );
}

/** The error as the caller should see it: a lost connection becomes StoreUnavailableError. */
export function asStoreError(where: string, error: unknown): unknown {
  return isConnectionError(error) && !(error instanceof StoreUnavailableError)
    ? unavailable(where, error)
    : error;
}

/** `postgres://user@host:port/db` without the password, for messages. */
export function maskUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'the configured address';
  }
}
