// Figure 5: one client submitting as fast as it can while honest users submit at 1/s each.
import type { AgentFleet } from '../lib/agents';
import { spawn } from 'node:child_process';
import { ipFor, openLoop, submit } from '../lib/load';
import { ROOT } from '../lib/processes';
import { sleep, summarize, type LatencySummary } from '../lib/stats';
import { latencyTracker } from './fan-out';

export async function measureFlood(
  url: string,
  fleet: AgentFleet,
  options: { durationMs: number; honestUsers: number; agentsPerDesk: number },
): Promise<{
  honest: LatencySummary;
  honestRejected: number;
  flood: { sent: number; answered429: number; accepted: number };
}> {
  const { sentAt, samples } = latencyTracker(fleet);
  let honestRejected = 0;
  const honestTotal = Math.floor((options.durationMs / 1000) * options.honestUsers);
  // The attacker would be on another machine; here it shares two cores with the server, so it runs
  // at the lowest CPU priority (nice 19): the figure then measures what the server pays for the flood.
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
      '192.0.2.66',
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let floodOutput = '';
  flooder.stdout.on('data', (chunk: Buffer) => (floodOutput += chunk.toString()));
  const floodDone = new Promise<void>((resolve) => flooder.once('exit', () => resolve()));
  await sleep(200);
  // Each honest submit is a different person at a different address, 20 of them every second.
  await openLoop(honestTotal, options.honestUsers, async (i) => {
    const username = `honest${i}`;
    sentAt.set(username, performance.now());
    const res = await submit(url, username, i % 2 === 0 ? '1' : '2', ipFor(900_000 + i));
    if (res.status !== 201) honestRejected++;
  });
  await floodDone;
  const flood = JSON.parse(floodOutput) as { sent: number; answered429: number; accepted: number };
  const expected = (honestTotal - honestRejected) * options.agentsPerDesk;
  for (let waited = 0; samples.length < expected && waited < 5_000; waited += 20) await sleep(20);
  return { honest: summarize(samples), honestRejected, flood };
}
