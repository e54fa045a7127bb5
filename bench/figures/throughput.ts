// Figure 2: sustained durable submits per second (an answer of 201 means it is on disk).
import { closedLoop, ipFor, submit } from '../lib/load';
import { round } from '../lib/stats';

export async function measureThroughput(
  url: string,
  options: { durationMs: number; concurrency: number; prefix: string; ipOffset: number },
): Promise<{ perSecond: number; accepted: number; rejected: number }> {
  await closedLoop(options.concurrency, 1_000, (i) =>
    submit(
      url,
      `${options.prefix}warm${i}`,
      i % 2 === 0 ? '1' : '2',
      ipFor(800_000 + options.ipOffset + i),
    ),
  );
  let accepted = 0;
  let rejected = 0;
  const started = performance.now();
  await closedLoop(options.concurrency, options.durationMs, async (i) => {
    const res = await submit(
      url,
      `${options.prefix}${i}`,
      i % 2 === 0 ? '1' : '2',
      ipFor(options.ipOffset + i),
    );
    if (res.status === 201) accepted++;
    else rejected++;
  });
  const seconds = (performance.now() - started) / 1000;
  return { perSecond: round(accepted / seconds, 1), accepted, rejected };
}
