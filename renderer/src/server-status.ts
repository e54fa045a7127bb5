// Asks the server how it is: through the desktop bridge inside Electron, or /healthz in a browser.
import { z } from 'zod';
import { ServerHealthSchema, type ServerHealth } from '../../server/contract/health';

export { ServerHealthSchema, type ServerHealth };

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
