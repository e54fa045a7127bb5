// Figure 3: whole lifecycles per second with agents working, and what each step costs; the
// person's steps go through the sign-in pages (workflow `username|second-factor`).
import type { Socket } from 'socket.io-client';
import { ipFor } from '../lib/load';
import { type PageClient, submitThroughPages } from '../lib/sign-in';
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

export interface LifecycleResult {
  perSecond: number;
  completed: number;
  seconds: number;
  stepMeanMs: Record<Step, number>;
  failures: number;
  firstFailure?: string;
  /** The next unused directory user. */
  next: number;
}

export async function measureLifecycles(
  url: string,
  workers: Array<{ socket: Socket; desk: '1' | '2' }>,
  durationMs: number,
  /** The first directory user (`life<from>`) this run signs in; each run needs its own. */
  from = 0,
): Promise<LifecycleResult> {
  const totals = Object.fromEntries(STEPS.map((s) => [s, 0])) as Record<Step, number>;
  let completed = 0;
  let failures = 0;
  let counter = from;
  let firstFailure: string | undefined;
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
          let browser: PageClient | undefined;
          const requestId = await timed('submit', async () => {
            const res = await submitThroughPages(url, `life${n}`, desk, ip);
            browser = res.browser;
            if (!res.requestId) throw new Error(`submit answered ${res.status}`);
            return res.requestId;
          });
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
          // The person goes on to the code page, types the passcode and lands on the done page.
          const outcome = await timed('otp', async () => {
            await browser!.get('/sign-in/code');
            const posted = await browser!.post('/sign-in/code', { otp });
            const landed = await browser!.follow(posted);
            return posted.location === '/sign-in/done' && landed.status === 200
              ? 'completed'
              : `${posted.status} ${posted.location ?? ''}`;
          });
          if (outcome === 'completed') completed++;
          else {
            failures++;
            firstFailure ??= `the code step answered ${outcome}`;
          }
        } catch (error) {
          failures++;
          firstFailure ??= String(error);
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const stepMeanMs = Object.fromEntries(
    STEPS.map((s) => [s, round(totals[s] / Math.max(1, completed + failures))]),
  ) as Record<Step, number>;
  return {
    perSecond: round(completed / seconds, 1),
    completed,
    seconds: round(seconds, 3),
    stepMeanMs,
    failures,
    ...(firstFailure ? { firstFailure } : {}),
    next: counter,
  };
}
