// What the audit exporter asks of a destination (syslog, a webhook): deliver a batch in seq order,
// and say, when it cannot, whether trying again may help.
import type { AuditEntry } from '../audit-chain';

export interface AuditSink {
  /**
   * Delivers the entries (consecutive seqs, oldest first) and resolves once the destination has
   * them, as far as its protocol can tell; rejects with a DeliveryError otherwise.
   */
  deliver(entries: readonly AuditEntry[]): Promise<void>;
  /** Drops its connection; a delivery in progress is the caller's to wait for. */
  close(): void;
}

/**
 * A delivery that failed. `retry`: the destination may take it later — no connection, no answer, a
 * certificate that does not verify (fixed on the far side, it heals by itself), 5xx, 429, 408.
 * Otherwise the destination refused it for a reason repeating will not change (another 4xx).
 */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly retry: boolean,
    /** The destination's own wait (Retry-After), when it named one. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

/** A failure's message, safe to log and show admins (no secret is ever in one). */
export function describeFailure(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' && !error.message.includes(code)
      ? `${code}: ${error.message}`
      : error.message;
  }
  return String(error);
}
