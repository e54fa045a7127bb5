// The honest path's agent time: a low-risk request (the user signed in from this browser before, the
// realm's default risk policy) worked the way an agent works it — claim, record the policy's checks
// with a note each, reveal — with each acknowledgement's round trip timed; the person signs in first
// from the same browser (not measured) and enters the code afterwards (checked, not measured).
// Against the bare baseline the same script runs, less the code page it does not have: the person
// asks through its pages, an agent works that first request, the same browser asks again, and that
// second request's claim, checks and reveal are timed the same way.
import type { Socket } from 'socket.io-client';
import type { VerificationPolicy } from '../../server/contract/realm-config';
import { ipFor } from '../lib/load';
import { type PageClient, submitThroughPages } from '../lib/sign-in';
import { summarize, type LatencySummary } from '../lib/stats';

/** One agent event and its acknowledgement, `{ data }` or `{ error }`. */
export type AgentAsk = (
  event: string,
  payload: unknown,
) => Promise<{ data?: unknown; error?: { code: string; message: string } }>;

/** An agent's action on the honest path, and how long its acknowledgement took to come back. */
export interface TimedAction {
  step: 'claim' | 'check' | 'reveal';
  event: string;
  ms: number;
}

/**
 * The checks an agent records on an honest call: the policy's required checks, then its other checks
 * in the policy's order until the minimum is met. Only checks the agent attests (a mailed code is the
 * server's to verify).
 */
export function checksToRecord(policy: VerificationPolicy): string[] {
  const attested = policy.checks.filter((c) => c.kind !== 'mailed-code').map((c) => c.id);
  const chosen = [...new Set(policy.required)];
  for (const id of attested) {
    if (chosen.length >= policy.minimumChecks) break;
    if (!chosen.includes(id)) chosen.push(id);
  }
  return chosen;
}

/**
 * Works one request as an agent does on a low-risk call and times each acknowledgement: claim, each
 * check with a note, reveal. Fails on any refusal (an honest low-risk request needs nothing else).
 */
export async function workHonestRequest(
  ask: AgentAsk,
  requestId: string,
  policy: VerificationPolicy,
): Promise<{
  otp: string;
  actions: TimedAction[];
  risk: { level: string; approvalNeeded: boolean };
}> {
  const actions: TimedAction[] = [];
  const act = async (step: TimedAction['step'], event: string, payload: unknown) => {
    const t = performance.now();
    const answer = await ask(event, payload);
    actions.push({ step, event, ms: performance.now() - t });
    if (answer.error || answer.data === undefined)
      throw new Error(
        `${event}: ${answer.error?.code ?? ''} ${answer.error?.message ?? 'no data'}`,
      );
    return answer.data as Record<string, unknown>;
  };
  const claimed = (await act('claim', 'request:claim', { requestId })) as {
    risk: { level: string };
    approvalNeeded: boolean;
  };
  for (const checkId of checksToRecord(policy)) {
    const label = policy.checks.find((c) => c.id === checkId)?.label ?? checkId;
    await act('check', 'request:verify', { requestId, checkId, note: `Confirmed: ${label}` });
  }
  const { otp } = (await act('reveal', 'request:reveal', { requestId })) as { otp: string };
  return {
    otp,
    actions,
    risk: { level: claimed.risk.level, approvalNeeded: claimed.approvalNeeded },
  };
}

async function askOn(socket: Socket, event: string, payload: unknown) {
  return (await socket.timeout(10_000).emitWithAck(event, payload)) as Awaited<
    ReturnType<AgentAsk>
  >;
}

/** The person types the passcode on the code page and lands on the done page. */
async function enterCode(browser: PageClient, otp: string): Promise<boolean> {
  await browser.get('/sign-in/code');
  const posted = await browser.post('/sign-in/code', { otp });
  const landed = await browser.follow(posted);
  return posted.location === '/sign-in/done' && landed.status === 200;
}

/**
 * A person's browser that has signed in once through the desk (so the browser is known); on the
 * baseline, whose pages end at the request page, the first request is worked but no code entered.
 */
async function signedInOnce(
  url: string,
  username: string,
  ip: string,
  ask: AgentAsk,
  policy: VerificationPolicy,
  codePage: boolean,
): Promise<PageClient> {
  const first = await submitThroughPages(url, username, '1', ip);
  if (!first.requestId || !first.browser)
    throw new Error(`first request of ${username}: ${first.failure ?? first.status}`);
  const { otp } = await workHonestRequest(ask, first.requestId, policy);
  if (codePage && !(await enterCode(first.browser, otp)))
    throw new Error(`first sign-in of ${username} did not complete`);
  return first.browser;
}

/** The same browser identifies again and asks desk 1: the low-risk request to measure. */
async function askAgain(browser: PageClient, username: string): Promise<string> {
  await browser.get('/sign-in');
  const method = await browser.follow(await browser.post('/sign-in', { username }));
  if (method.status !== 200) throw new Error(`identify ${username} again: ${method.status}`);
  const posted = await browser.post('/sign-in/method', { desk: '1' });
  const page = await browser.follow(posted);
  const requestId = /data-live-request="([^"]+)"/.exec(page.html)?.[1];
  if (posted.status !== 303 || !requestId)
    throw new Error(`second request of ${username}: ${posted.status} ${posted.location ?? ''}`);
  return requestId;
}

export interface HonestPathResult {
  requests: number;
  /** Agent actions per low-risk request (claim + each check + reveal): the same for every request. */
  actionsPerRequest: number;
  /** Each step's acknowledgement round trip, and the whole of one request's agent time (their sum). */
  claim: LatencySummary;
  check: LatencySummary;
  reveal: LatencySummary;
  perRequest: LatencySummary;
  /** Requests that were not low risk, needed a second approver, or did not sign in. */
  failures: number;
  firstFailure?: string;
}

/** Every round's samples of one server, pooled for per-step percentiles over the figure. */
export interface HonestPathSamples {
  claim: number[];
  check: number[];
  reveal: number[];
  perRequest: number[];
}

export const noSamples = (): HonestPathSamples => ({
  claim: [],
  check: [],
  reveal: [],
  perRequest: [],
});

/**
 * One round: each agent works `perAgent` low-risk requests, agents in parallel. Users are
 * `life<from>`…; each signs in once first (not measured), then asks again from the same browser.
 * `codePage: false` for the bare baseline, which has no code page (the person's code is not entered).
 */
export async function measureHonestPath(
  url: string,
  agents: readonly Socket[],
  options: {
    perAgent: number;
    from: number;
    policy: VerificationPolicy;
    ipOffset: number;
    codePage?: boolean;
    /** Also push every sample here (for pooling rounds). */
    keepSamples?: HonestPathSamples;
  },
): Promise<HonestPathResult> {
  const codePage = options.codePage ?? true;
  const samples = { claim: [] as number[], check: [] as number[], reveal: [] as number[] };
  const perRequest: number[] = [];
  const counts = new Set<number>();
  let failures = 0;
  let firstFailure: string | undefined;
  await Promise.all(
    agents.map(async (socket, a) => {
      const ask: AgentAsk = (event, payload) => askOn(socket, event, payload);
      for (let i = 0; i < options.perAgent; i++) {
        const n = options.from + a * options.perAgent + i;
        const username = `life${n}`;
        try {
          const browser = await signedInOnce(
            url,
            username,
            ipFor(options.ipOffset + n),
            ask,
            options.policy,
            codePage,
          );
          const requestId = await askAgain(browser, username);
          const worked = await workHonestRequest(ask, requestId, options.policy);
          if (worked.risk.level !== 'low' || worked.risk.approvalNeeded)
            throw new Error(`${username}'s second request was ${worked.risk.level} risk`);
          for (const action of worked.actions) samples[action.step].push(action.ms);
          perRequest.push(worked.actions.reduce((sum, x) => sum + x.ms, 0));
          counts.add(worked.actions.length);
          if (codePage && !(await enterCode(browser, worked.otp)))
            throw new Error(`${username}'s second sign-in did not complete`);
        } catch (error) {
          failures++;
          firstFailure ??= String(error);
        }
      }
    }),
  );
  if (counts.size > 1) {
    failures++;
    firstFailure ??= `agent actions differed between requests: ${[...counts].join(', ')}`;
  }
  if (options.keepSamples) {
    for (const step of ['claim', 'check', 'reveal'] as const)
      options.keepSamples[step].push(...samples[step]);
    options.keepSamples.perRequest.push(...perRequest);
  }
  return {
    requests: perRequest.length,
    actionsPerRequest: [...counts][0] ?? 0,
    claim: summarize(samples.claim),
    check: summarize(samples.check),
    reveal: summarize(samples.reveal),
    perRequest: summarize(perRequest),
    failures,
    ...(firstFailure ? { firstFailure } : {}),
  };
}
