// The fields the sign-in forms post, parsed with the messages shown next to them.
import { z } from 'zod';
import { HelpDeskIdSchema } from '../../contract/realm-config';
import { normaliseUsername } from '../../contract/username';

export const UsernameSchema = z
  .string({ error: 'Enter your username' })
  .overwrite(normaliseUsername)
  .min(1, 'Enter your username')
  .max(128, 'A username has at most 128 characters')
  .regex(/^[\p{L}\p{N}._@+-]+$/u, 'A username has only letters, digits and . _ @ + -');

export const PasswordSchema = z
  .string({ error: 'Enter your password' })
  .min(1, 'Enter your password')
  .max(256, 'A password has at most 256 characters');

export const DeskSchema = z.object({ desk: HelpDeskIdSchema }, { error: 'Choose a help desk' });

/** The message for a field that did not parse. */
export const firstIssue = (error: z.ZodError, fallback: string) =>
  error.issues[0]?.message ?? fallback;

/** A text field of a posted form, or '' (a field sent twice arrives as an array). */
export function formText(body: unknown, key: string): string {
  const value = (body as Record<string, unknown> | undefined)?.[key];
  return typeof value === 'string' ? value : '';
}
