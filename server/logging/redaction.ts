// What never reaches a log: the fields that hold secrets (by name, at any depth pino's redaction
// can name) and the secrets that hide inside text (a database URL's password, a bearer token, a
// cookie, a `password=` pair). Log lines are written by our own code, which passes no secret; this is
// the second line of defence, for error messages and objects that come from libraries.

/** pino `redact` paths: these keys are replaced wherever a logged object has them (two levels deep). */
export const REDACTED_PATHS: readonly string[] = [
  'password',
  'token',
  'otp',
  'passcode',
  'secret',
  '_csrf',
  'cookie',
  'authorization',
  'headers.authorization',
  'headers.cookie',
  'headers["set-cookie"]',
  '*.password',
  '*.token',
  '*.otp',
  '*.passcode',
  '*.secret',
  '*._csrf',
  '*.cookie',
  '*.authorization',
  '*.headers.authorization',
  '*.headers.cookie',
  '*.headers["set-cookie"]',
];

export const CENSOR = '[redacted]';

const TEXT_SECRETS: ReadonlyArray<[RegExp, string]> = [
  // scheme://user:password@host → scheme://user:[redacted]@host
  [/\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*):[^\s@/]*@/gi, `$1:${CENSOR}@`],
  [/\b(bearer)\s+[A-Za-z0-9._~+/=-]+/gi, `$1 ${CENSOR}`],
  [/\b(cookie|set-cookie|authorization)(["']?\s*[:=]\s*)[^\r\n]+/gi, `$1$2${CENSOR}`],
  [
    /\b(password|passwd|secret|token|otp|passcode)(["']?\s*[:=]\s*["']?)[^\s"'&,;}]+/gi,
    `$1$2${CENSOR}`,
  ],
];

/** The text with every secret-shaped part replaced. */
export function scrubText(text: string): string {
  let scrubbed = text;
  for (const [pattern, replacement] of TEXT_SECRETS)
    scrubbed = scrubbed.replace(pattern, replacement);
  return scrubbed;
}
