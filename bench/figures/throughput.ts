// Figure 2: sustained durable submits per second through the sign-in pages (the desk form's 303
// comes once the request is on disk).
import { closedLoop, ipFor } from '../lib/load';
import { submitThroughPages } from '../lib/sign-in';
import { round } from '../lib/stats';
import { pick } from '../lib/load';

export interface ThroughputResult {
  perSecond: number;
  accepted: number;
  rejected: number;
  /** Each round's rate on its own. */
  roundRates: number[];
}

/**
 * Several servers in alternating rounds (A B A B …): in each, `concurrency` people walk the pages
 * back to back (start page, username, method page, desk form, request page) for `roundMs`.
 */
export async function measureThroughputInterleaved(
  /** Several `urls` (processes of one cluster) take the people in turn. */
  targets: Array<{ url: string | readonly string[]; prefix: string }>,
  options: { roundMs: number; rounds: number; concurrency: number; ipOffset: number },
): Promise<ThroughputResult[]> {
  const results = targets.map(() => ({
    accepted: 0,
    rejected: 0,
    seconds: 0,
    rates: [] as number[],
  }));
  let n = 0;
  for (const target of targets)
    await closedLoop(options.concurrency, 1_000, () =>
      submitThroughPages(
        pick(target.url, n),
        `${target.prefix}warm${n}`,
        n % 2 === 0 ? '1' : '2',
        ipFor(800_000 + options.ipOffset + n++),
      ),
    );
  for (let r = 0; r < options.rounds; r++) {
    for (const [t, target] of targets.entries()) {
      let accepted = 0;
      const started = performance.now();
      await closedLoop(options.concurrency, options.roundMs, async (i) => {
        const res = await submitThroughPages(
          pick(target.url, i),
          `${target.prefix}r${r}-${i}`,
          i % 2 === 0 ? '1' : '2',
          ipFor(options.ipOffset + r * 20_000 + i),
        );
        if (res.status === 303) accepted++;
        else results[t]!.rejected++;
      });
      const seconds = (performance.now() - started) / 1000;
      results[t]!.accepted += accepted;
      results[t]!.seconds += seconds;
      results[t]!.rates.push(round(accepted / seconds, 1));
    }
  }
  return results.map((r) => ({
    perSecond: round(r.accepted / r.seconds, 1),
    accepted: r.accepted,
    rejected: r.rejected,
    roundRates: r.rates,
  }));
}
