// Asks the server how it is: through the desktop bridge inside Electron, or /healthz in a browser.
import { z } from 'zod';

/**
 * The part of the `/healthz` answer the console shows; extra fields are ignored. Kept here until
 * server/contract exports the schema the server answers with.
 */
export const ServerHealthSchema = z.looseObject({
  product: z.string().default('Help Desk OTP'),
  status: z.string(),
  version: z.string(),
  storage: z.looseObject({
    status: z.string(),
    kind: z.string().optional(),
  }),
});
export type ServerHealth = z.infer<typeof ServerHealthSchema>;

export type ServerStatus =
  | { state: 'up'; health: ServerHealth }
  /** Something answered, but not with a health report this console understands. */
  | { state: 'unexpected'; detail: string }
  | { state: 'unreachable' };

const TIMEOUT_MS = 5000;

export async function checkServerStatus(): Promise<ServerStatus> {
  let answer: unknown;
  try {
    answer = window.desk ? await window.desk.getServerStatus() : await fetchHealth();
  } catch {
    return { state: 'unreachable' };
  }
  const health = ServerHealthSchema.safeParse(answer);
  return health.success
    ? { state: 'up', health: health.data }
    : { state: 'unexpected', detail: z.prettifyError(health.error) };
}

async function fetchHealth(): Promise<unknown> {
  const response = await fetch('/healthz', {
    headers: { accept: 'application/json' },
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  if (!response.ok) throw new Error(`/healthz answered ${response.status}`);
  return response.json();
}
