// Figure 5: one client submitting as fast as it can while honest users submit at 1/s each.
import type { AgentFleet } from '../lib/agents';
import { closedLoop, ipFor, openLoop, submit } from '../lib/load';
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
  const flood = { sent: 0, answered429: 0, accepted: 0 };
  let honestRejected = 0;
  const honestTotal = Math.floor((options.durationMs / 1000) * options.honestUsers);
  await Promise.all([
    closedLoop(4, options.durationMs, async (i) => {
      flood.sent++;
      const res = await submit(url, `flood${i}`, '1', '192.0.2.66');
      if (res.status === 429) flood.answered429++;
      else if (res.status === 201) flood.accepted++;
    }),
    // Each honest submit is a different person at a different address, 20 of them every second.
    openLoop(honestTotal, options.honestUsers, async (i) => {
      const username = `honest${i}`;
      sentAt.set(username, performance.now());
      const res = await submit(url, username, i % 2 === 0 ? '1' : '2', ipFor(900_000 + i));
      if (res.status !== 201) honestRejected++;
    }),
  ]);
  const expected = (honestTotal - honestRejected) * options.agentsPerDesk;
  for (let waited = 0; samples.length < expected && waited < 5_000; waited += 20) await sleep(20);
  return { honest: summarize(samples), honestRejected, flood };
}
