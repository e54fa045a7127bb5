// Error codes every acknowledgement and HTTP error body may carry, shared by server and console.
export const ERROR_CODES = [
  'bad-request',
  'unauthenticated',
  'forbidden',
  'not-found',
  'invalid-state',
  'already-claimed',
  'not-claimed-by-you',
  'verification-incomplete',
  /** Two browsers asked for the same user: one must be ended before a passcode is revealed. */
  'contested',
  /** The reveal needs a second person's approval first (privileged user, or the risk level). */
  'approval-required',
  'unknown-check',
  'not-due',
  'conflict',
  'rate-limited',
  'totp-required',
  /** Something the server depends on (the directory) does not answer; nothing was decided. */
  'unavailable',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface WireError {
  code: ErrorCode;
  message: string;
  /** Field-level messages keyed by dotted path (e.g. `helpDesks.2.phone`). */
  fields?: Record<string, string>;
}

/** Every acknowledgement is exactly one of these. */
export type AckResult<T> = { data: T } | { error: WireError };
