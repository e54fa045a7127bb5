// Passcodes as people type them back: read aloud in groups, typed with spaces or dashes.
// (Generating and checking them takes randomness and a key: that is server/security/otp.ts.)

/** The digits of what was typed, separators dropped; anything else stays, so it cannot match. */
export function normalizeOtpInput(typed: string): string {
  return typed.replace(/[\s\-‐-―.]/g, '');
}
