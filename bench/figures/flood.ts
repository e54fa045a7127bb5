// Figure 5: one client scripting the sign-in forms as fast as it can while new honest people walk
// the pages at 20 a second; in rounds, each with a fresh flood, so a bad round is not averaged away.
import type { AgentFleet } from '../lib/agents';
import { spawn } from 'node:child_process';
import { ipFor, openLoop } from '../lib/load';
import { ROOT } from '../lib/processes';
import { submitThroughPages } from '../lib/sign-in';
import { sleep, summarize, type LatencySummary } from '../lib/stats';
import { latencyTracker } from './fan-out';

export interface FloodCounts {
  sent: number;
  answered429: number;
  accepted: number;
  other: number;
}

export interface FloodResult {
  honest: LatencySummary;
  /** Each round's honest p99 on its own. */
  roundP99: number[];
  /** Each round's honest p99 for submits in its first 2 s, and after. */
  roundP99FirstTwoSeconds: number[];
  roundP99Rest: number[];
  honestRejected: number;
  /** Why honest submits were refused (first few). */
  honestRefusals: string[];
  flood: FloodCounts;
}

async function floodRound(
  url: string,
  fleet: AgentFleet,
  options: { durationMs: number; honestUsers: number; agentsPerDesk: number; round: number },
  pooled: number[],
): Promise<{
  honest: LatencySummary;
  firstTwoSeconds: LatencySummary;
  rest: LatencySummary;
  rejected: number;
  refusals: string[];
  flood: FloodCounts;
}> {
  const { sentAt, samples } = latencyTracker(fleet);
  // Where in the round the slow ones were: the first 2 s (when the flood's allowance is spent
  // inside express) against the rest (when the gate answers it).
  const early: number[] = [];
  const late: number[] = [];
  let roundStart = 0;
  fleet.onCreated((username, _desk, at) => {
    const t0 = sentAt.get(username);
    if (t0 !== undefined) (t0 - roundStart < 2_000 ? early : late).push(at - t0);
  });
  let rejected = 0;
  const refusals: string[] = [];
  const honestTotal = Math.floor((options.durationMs / 1000) * options.honestUsers);
  // The attacker would be on another machine; here it shares two cores with the server, so it runs
  // at the lowest CPU priority (nice 19): the figure then measures what the server pays for the flood.
  // Each round's flood comes from a new address, so the gate's window starts afresh.
  const flooder = spawn(
    'nice',
    [
      '-n',
      '19',
      process.execPath,
      '--import',
      'tsx',
      'bench/flood-client.ts',
      url,
      String(options.durationMs),
      `192.0.2.${66 + options.round}`,
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let floodOutput = '';
  let flooding: () => void = () => {};
  const underWay = new Promise<void>((resolve) => (flooding = resolve));
  flooder.stdout.on('data', (chunk: Buffer) => {
    floodOutput += chunk.toString();
    if (floodOutput.includes('flooding\n')) flooding();
  });
  const floodDone = new Promise<void>((resolve) => flooder.once('exit', () => resolve()));
  // Honest traffic starts once the flooder has loaded and is sending, not while it is starting up.
  await Promise.race([underWay, floodDone]);
  roundStart = performance.now();
  const base = 900_000 + options.round * 10_000;
  // Each honest submit is a different person at a different address, 20 of them every second.
  await openLoop(honestTotal, options.honestUsers, async (i) => {
    const username = `honest${options.round}-${i}`;
    const res = await submitThroughPages(
      url,
      username,
      i % 2 === 0 ? '1' : '2',
      ipFor(base + i),
      () => sentAt.set(username, performance.now()),
    );
    if (res.status !== 303) {
      rejected++;
      if (refusals.length < 5) refusals.push(res.failure ?? `desk form answered ${res.status}`);
    }
  });
  await floodDone;
  const flood = JSON.parse(floodOutput.trim().split('\n').at(-1)!) as FloodCounts;
  const expected = (honestTotal - rejected) * options.agentsPerDesk;
  for (let waited = 0; samples.length < expected && waited < 5_000; waited += 20) await sleep(20);
  pooled.push(...samples);
  return {
    honest: summarize(samples),
    firstTwoSeconds: summarize(early),
    rest: summarize(late),
    rejected,
    refusals,
    flood,
  };
}

export async function measureFlood(
  url: string,
  fleet: AgentFleet,
  options: { roundMs: number; rounds: number; honestUsers: number; agentsPerDesk: number },
): Promise<FloodResult> {
  const pooled: number[] = [];
  const roundP99: number[] = [];
  const roundP99FirstTwoSeconds: number[] = [];
  const roundP99Rest: number[] = [];
  let honestRejected = 0;
  const honestRefusals: string[] = [];
  const flood: FloodCounts = { sent: 0, answered429: 0, accepted: 0, other: 0 };
  for (let round = 0; round < options.rounds; round++) {
    const result = await floodRound(
      url,
      fleet,
      { ...options, durationMs: options.roundMs, round },
      pooled,
    );
    roundP99.push(result.honest.p99);
    roundP99FirstTwoSeconds.push(result.firstTwoSeconds.p99);
    roundP99Rest.push(result.rest.p99);
    honestRejected += result.rejected;
    honestRefusals.push(...result.refusals);
    for (const key of Object.keys(flood) as (keyof FloodCounts)[]) flood[key] += result.flood[key];
  }
  return {
    honest: summarize(pooled),
    roundP99,
    roundP99FirstTwoSeconds,
    roundP99Rest,
    honestRejected,
    honestRefusals: honestRefusals.slice(0, 5),
    flood,
  };
}
