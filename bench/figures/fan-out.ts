// Figures 1 and 4's measure: a person submits through the sign-in pages → request:created at every
// agent of that desk.
import type { AgentFleet } from '../lib/agents';
import { ipFor, openLoop, pick } from '../lib/load';
import { submitThroughPages } from '../lib/sign-in';
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
  /** Why submits were refused, by answer (first few). */
  refusals?: string[];
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

/**
 * At `perSecond`, one new person after another walks the pages: the start page, their username,
 * the method page, then the desk form (the submit, timed from just before its POST), then the
 * request page it leads to.
 */
async function measureFanOut(
  url: string | readonly string[],
  fleet: AgentFleet,
  options: FanOutOptions,
): Promise<FanOutResult> {
  // Warm up (JIT, connection pools) so neither side is measured cold.
  if (options.warmUp !== false)
    await openLoop(100, options.perSecond, (i) =>
      submitThroughPages(
        pick(url, i),
        `${options.prefix}warm${i}`,
        i % 2 === 0 ? '1' : '2',
        ipFor(700_000 + options.ipOffset + i),
      ),
    );
  await sleep(500);
  const { sentAt, samples } = latencyTracker(fleet);
  let rejected = 0;
  const refusals: string[] = [];
  await openLoop(options.count, options.perSecond, async (i) => {
    const username = `${options.prefix}${i}`;
    const desk = i % 2 === 0 ? '1' : '2';
    const res = await submitThroughPages(
      pick(url, i),
      username,
      desk,
      ipFor(options.ipOffset + i),
      () => sentAt.set(username, performance.now()),
    );
    if (res.status !== 303) {
      rejected++;
      if (refusals.length < 5) refusals.push(res.failure ?? `desk form answered ${res.status}`);
    }
  });
  const expected = (options.count - rejected) * options.agentsPerDesk;
  for (let waited = 0; samples.length < expected && waited < 5_000; waited += 20) await sleep(20);
  options.keepSamples?.push(...samples);
  return {
    ...summarize(samples),
    deliveries: samples.length,
    expected,
    rejected,
    ...(refusals.length > 0 ? { refusals } : {}),
  };
}

export interface InterleavedResult extends FanOutResult {
  /** Each round's p99 on its own. */
  roundP99: number[];
  /** Server CPU time per submit (the whole walk: five pages), when the target's CPU can be read. */
  cpuMsPerSubmit?: number;
}

/**
 * Runs the fan-out measure on several servers in alternating rounds (A B A B …) and pools each
 * one's samples, so drift on a shared machine (other load, disk hiccups) falls on both alike.
 */
export async function measureFanOutInterleaved(
  targets: Array<{
    /** Several `urls` (processes of one cluster) take the people in turn. */
    url: string | readonly string[];
    fleet: AgentFleet;
    prefix: string;
    cpuMs?: () => Promise<number>;
  }>,
  options: Omit<FanOutOptions, 'prefix'> & { rounds: number },
): Promise<InterleavedResult[]> {
  const perRound = Math.ceil(options.count / options.rounds);
  const pooled = targets.map(() => ({
    samples: [] as number[],
    expected: 0,
    rejected: 0,
    roundP99: [] as number[],
    cpuMs: 0,
    measured: 0,
    refusals: [] as string[],
  }));
  for (let round = 0; round < options.rounds; round++) {
    for (const [t, target] of targets.entries()) {
      const cpuBefore = round > 0 ? await target.cpuMs?.() : undefined;
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
      pooled[t]!.refusals.push(...(result.refusals ?? []));
      pooled[t]!.roundP99.push(result.p99);
      if (cpuBefore !== undefined) {
        pooled[t]!.cpuMs += (await target.cpuMs!()) - cpuBefore;
        pooled[t]!.measured += perRound;
      }
    }
  }
  return pooled.map((p) => ({
    ...summarize(p.samples),
    deliveries: p.samples.length,
    expected: p.expected,
    rejected: p.rejected,
    roundP99: p.roundP99,
    ...(p.refusals.length > 0 ? { refusals: p.refusals.slice(0, 5) } : {}),
    ...(p.measured > 0 ? { cpuMsPerSubmit: Math.round((p.cpuMs / p.measured) * 100) / 100 } : {}),
  }));
}
