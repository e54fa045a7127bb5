// Figures 1 and 5's measure: submit → request:created at every agent of that desk.
import type { AgentFleet } from '../lib/agents';
import { ipFor, openLoop, submit } from '../lib/load';
import type { LatencySummary } from '../lib/stats';
import { sleep, summarize } from '../lib/stats';

export interface FanOutOptions {
  count: number;
  perSecond: number;
  agentsPerDesk: number;
  /** Distinguishes usernames (and so addresses) between runs against one server. */
  prefix: string;
  ipOffset: number;
  /** Also push every sample here (for pooling rounds). */
  keepSamples?: number[];
  /** Submit 100 unmeasured requests first (default true). */
  warmUp?: boolean;
}

export interface FanOutResult extends LatencySummary {
  deliveries: number;
  expected: number;
  rejected: number;
}

/** Tracks when each username was submitted and when its request reached each agent. */
export function latencyTracker(fleet: AgentFleet) {
  const sentAt = new Map<string, number>();
  const samples: number[] = [];
  fleet.onCreated((username, _desk, at) => {
    const t0 = sentAt.get(username);
    if (t0 !== undefined) samples.push(at - t0);
  });
  return { sentAt, samples };
}

export async function measureFanOut(
  url: string,
  fleet: AgentFleet,
  options: FanOutOptions,
): Promise<FanOutResult> {
  // Warm up (JIT, connection pools) so neither side is measured cold.
  if (options.warmUp !== false)
    await openLoop(100, options.perSecond, (i) =>
      submit(
        url,
        `${options.prefix}warm${i}`,
        i % 2 === 0 ? '1' : '2',
        ipFor(700_000 + options.ipOffset + i),
      ),
    );
  await sleep(500);
  const { sentAt, samples } = latencyTracker(fleet);
  let rejected = 0;
  await openLoop(options.count, options.perSecond, async (i) => {
    const username = `${options.prefix}${i}`;
    const desk = i % 2 === 0 ? '1' : '2';
    sentAt.set(username, performance.now());
    const res = await submit(url, username, desk, ipFor(options.ipOffset + i));
    if (res.status !== 201) rejected++;
  });
  const expected = (options.count - rejected) * options.agentsPerDesk;
  for (let waited = 0; samples.length < expected && waited < 5_000; waited += 20) await sleep(20);
  options.keepSamples?.push(...samples);
  return { ...summarize(samples), deliveries: samples.length, expected, rejected };
}

/**
 * Runs the fan-out measure on several servers in alternating rounds (A B A B …) and pools each
 * one's samples, so drift on a shared machine (other load, disk hiccups) falls on both alike.
 */
export async function measureFanOutInterleaved(
  targets: Array<{ url: string; fleet: AgentFleet; prefix: string }>,
  options: Omit<FanOutOptions, 'prefix'> & { rounds: number },
): Promise<FanOutResult[]> {
  const perRound = Math.ceil(options.count / options.rounds);
  const pooled = targets.map(() => ({ samples: [] as number[], expected: 0, rejected: 0 }));
  for (let round = 0; round < options.rounds; round++) {
    for (const [t, target] of targets.entries()) {
      const result = await measureFanOut(target.url, target.fleet, {
        ...options,
        count: perRound,
        prefix: `${target.prefix}r${round}-`,
        ipOffset: options.ipOffset + round * perRound,
        keepSamples: pooled[t]!.samples,
        warmUp: round === 0,
      });
      pooled[t]!.expected += result.expected;
      pooled[t]!.rejected += result.rejected;
    }
  }
  return pooled.map((p) => ({
    ...summarize(p.samples),
    deliveries: p.samples.length,
    expected: p.expected,
    rejected: p.rejected,
  }));
}
