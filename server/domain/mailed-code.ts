// The rules of the code mailed for a `mailed-code` verification check: its length, life, and how
// many wrong entries and sends a request gets.
export const MAILED_CODE = {
  digits: 6,
  ttlMs: 10 * 60_000,
  /** Wrong codes typed before the code is void (a new one must be sent). */
  maxWrong: 3,
  /** Codes that may be sent for one request. */
  maxSends: 3,
} as const;
