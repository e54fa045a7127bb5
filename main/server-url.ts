// What counts as a Help Desk OTP server's address: the one rule, used by main for every source of
// it and by the first-run screen for what an agent types. zod only, no Node, so both can load it.
import { z } from 'zod';

/** An http(s) address with nothing but scheme, host, port and path; kept without a trailing slash. */
export const ServerUrlSchema = z
  .url({ protocol: /^https?$/, error: 'Use an http:// or https:// address' })
  .refine((value) => {
    // zod runs this even when the address failed the check above, which has said so already.
    if (!URL.canParse(value)) return true;
    const url = new URL(value);
    return !url.username && !url.password && !url.search && !url.hash;
  }, 'Use a plain server address, without a user name, query or fragment')
  .transform((value) => value.replace(/\/+$/, ''));

/** The packaged page opens at this hash for the tray's "Change server…" (main and renderer). */
export const CHANGE_SERVER_HASH = 'change-server';
