// Figure 3: whole lifecycles per second with agents working, and what each step costs.
import type { Socket } from 'socket.io-client';
import { ipFor } from '../lib/load';
import { round } from '../lib/stats';

const STEPS = ['submit', 'claim', 'verify', 'verify2', 'reveal', 'otp'] as const;
type Step = (typeof STEPS)[number];

async function ask(
  socket: Socket,
  event: string,
  payload: unknown,
): Promise<Record<string, unknown>> {
  const result = (await socket.timeout(10_000).emitWithAck(event, payload)) as {
    data?: Record<string, unknown>;
    error?: { message: string };
  };
  if (!result.data) throw new Error(`${event}: ${result.error?.message}`);
  return result.data;
}

export async function measureLifecycles(
  url: string,
  workers: Array<{ socket: Socket; desk: '1' | '2' }>,
  durationMs: number,
): Promise<{
  perSecond: number;
  completed: number;
  stepMeanMs: Record<Step, number>;
  failures: number;
}> {
  const totals = Object.fromEntries(STEPS.map((s) => [s, 0])) as Record<Step, number>;
  let completed = 0;
  let failures = 0;
  let counter = 0;
  const end = performance.now() + durationMs;
  const started = performance.now();
  await Promise.all(
    workers.map(async ({ socket, desk }) => {
      while (performance.now() < end) {
        const n = counter++;
        const ip = ipFor(500_000 + n);
        const timed = async <T>(step: Step, work: () => Promise<T>): Promise<T> => {
          const t = performance.now();
          const value = await work();
          totals[step] += performance.now() - t;
          return value;
        };
        try {
          let cookie = '';
          const submitted = await timed('submit', async () => {
            const res = await fetch(`${url}/api/enduser/requests`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
              body: JSON.stringify({ username: `life${n}`, desk }),
            });
            cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
            return ((await res.json()) as { data: { id: string } }).data;
          });
          const requestId = submitted.id;
          await timed('claim', () => ask(socket, 'request:claim', { requestId }));
          await timed('verify', () =>
            ask(socket, 'request:verify', { requestId, checkId: 'callback', note: 'called back' }),
          );
          await timed('verify2', () =>
            ask(socket, 'request:verify', { requestId, checkId: 'employee-id', note: 'gave it' }),
          );
          const { otp } = (await timed('reveal', () =>
            ask(socket, 'request:reveal', { requestId }),
          )) as { otp: string };
          const outcome = await timed('otp', async () => {
            const res = await fetch(`${url}/api/enduser/requests/${requestId}/otp`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', 'x-forwarded-for': ip, cookie },
              body: JSON.stringify({ otp }),
            });
            return ((await res.json()) as { data?: { result: string } }).data?.result;
          });
          if (outcome === 'completed') completed++;
          else failures++;
        } catch {
          failures++;
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const stepMeanMs = Object.fromEntries(
    STEPS.map((s) => [s, round(totals[s] / Math.max(1, completed + failures))]),
  ) as Record<Step, number>;
  return { perSecond: round(completed / seconds, 1), completed, stepMeanMs, failures };
}
