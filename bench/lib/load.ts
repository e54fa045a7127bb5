// Load generators: an open loop at a fixed rate, and a closed loop as fast as answers come back.
import { sleep } from './stats';

/** A distinct client address per simulated user, so per-IP limits see many honest users. */
export const ipFor = (n: number) => `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;

/** Fires `count` calls at `perSecond`, each at its scheduled time whatever the previous did. */
export async function openLoop(
  count: number,
  perSecond: number,
  fire: (i: number) => Promise<unknown>,
): Promise<void> {
  const start = performance.now();
  const pending: Promise<unknown>[] = [];
  for (let i = 0; i < count; i++) {
    const due = start + (i * 1000) / perSecond;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    pending.push(fire(i));
  }
  await Promise.all(pending);
}

/** `concurrency` workers calling `fire` back to back until `durationMs` has passed; returns calls made. */
export async function closedLoop(
  concurrency: number,
  durationMs: number,
  fire: (i: number) => Promise<unknown>,
): Promise<number> {
  const end = performance.now() + durationMs;
  let n = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) await fire(n++);
    }),
  );
  return n;
}

/** The server person `n` goes to: the one URL, or each of a cluster's processes in turn. */
export const pick = (url: string | readonly string[], n: number): string =>
  typeof url === 'string' ? url : url[n % url.length]!;
