// The `/healthz` answer: what the server says of itself and its storage, for consoles and probes.
import { z } from 'zod';

export const PRODUCT_NAME = 'Help Desk OTP';

/**
 * Loose objects: a console parses this from servers older or newer than itself, so fields it
 * does not know are kept, never a reason to call the server broken.
 */
export const ServerHealthSchema = z.looseObject({
  /** Tells this server from anything else answering at the address. */
  product: z.string(),
  status: z.string(),
  version: z.string(),
  storage: z.looseObject({
    kind: z.string(),
    status: z.string(),
    openRequests: z.number().int().nonnegative().optional(),
    closedRequests: z.number().int().nonnegative().optional(),
    auditEntries: z.number().int().nonnegative().optional(),
  }),
  directory: z.string().optional(),
  /** `unavailable` while the directory cannot be read: sign-in is refused, the server keeps running. */
  directoryState: z.string().optional(),
  uptimeSeconds: z.number().nonnegative().optional(),
});
export type ServerHealth = z.infer<typeof ServerHealthSchema>;
