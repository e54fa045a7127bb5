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
  honestRejected: number;
  flood: FloodCounts;
}

async function floodRound(
  url: string,
  fleet: AgentFleet,
  options: { durationMs: number; honestUsers: number; agentsPerDesk: number; round: number },
  pooled: number[],
): Promise<{ honest: LatencySummary; rejected: number; flood: FloodCounts }> {
  const { sentAt, samples } = latencyTracker(fleet);
  let rejected = 0;
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
  flooder.stdout.on('data', (chunk: Buffer) => (floodOutput += chunk.toString()));
  const floodDone = new Promise<void>((resolve) => flooder.once('exit', () => resolve()));
  await sleep(500);
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
    if (res.status !== 303) rejected++;
  });
  await floodDone;
  const flood = JSON.parse(floodOutput) as FloodCounts;
  const expected = (honestTotal - rejected) * options.agentsPerDesk;
  for (let waited = 0; samples.length < expected && waited < 5_000; waited += 20) await sleep(20);
  pooled.push(...samples);
  return { honest: summarize(samples), rejected, flood };
}

export async function measureFlood(
  url: string,
  fleet: AgentFleet,
  options: { roundMs: number; rounds: number; honestUsers: number; agentsPerDesk: number },
): Promise<FloodResult> {
  const pooled: number[] = [];
  const roundP99: number[] = [];
  let honestRejected = 0;
  const flood: FloodCounts = { sent: 0, answered429: 0, accepted: 0, other: 0 };
  for (let round = 0; round < options.rounds; round++) {
    const result = await floodRound(
      url,
      fleet,
      { ...options, durationMs: options.roundMs, round },
      pooled,
    );
    roundP99.push(result.honest.p99);
    honestRejected += result.rejected;
    for (const key of Object.keys(flood) as (keyof FloodCounts)[]) flood[key] += result.flood[key];
  }
  return { honest: summarize(pooled), roundP99, honestRejected, flood };
}
