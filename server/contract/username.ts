// The one username normalisation: every lookup, record, limit key and form uses it, so one account is one key.
import { z } from 'zod';

/**
 * A username as the system knows it: surrounding whitespace trimmed, lower-cased (locale-free, so
 * the same on every server) and composed to Unicode NFC, so ` Alice`, `ALICE ` and `alice` — or an
 * `é` typed as one code point or as `e` + accent — are one account.
 */
export function normaliseUsername(raw: string): string {
  return raw.trim().toLowerCase().normalize('NFC');
}

/**
 * A username field as sent: a string, normalised. Length and character rules are added where it is
 * used (agents, the sign-in form and the end-user API each accept their own alphabet); they check
 * the normalised value.
 */
export const UsernameInputSchema = z.string().overwrite(normaliseUsername);

/**
 * A directory user's username: what the sign-in form accepts (letters of any script, digits and
 * `. _ @ + -`, so `jane.doe` and `jane@example.com` both work), normalised.
 */
export const DirectoryUsernameSchema = UsernameInputSchema.min(1, 'Enter a username')
  .max(128, 'At most 128 characters')
  .regex(/^[\p{L}\p{N}._@+-]+$/u, 'Only letters, digits and . _ @ + -');

/** Built once: a zod schema costs ~100 µs to build and compile, and this runs on every sign-in form post. */
const UsernameBodySchema = z.object({ username: UsernameInputSchema });

/**
 * The normalised `username` of an untrusted body, or undefined when there is none or it is not a
 * string — for rate-limit keys and logs, which must never stringify raw input.
 */
export function usernameOf(body: unknown): string | undefined {
  const parsed = UsernameBodySchema.safeParse(body);
  return parsed.success && parsed.data.username !== '' ? parsed.data.username : undefined;
}
