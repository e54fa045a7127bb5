// SIGKILLs the real server at random moments under mixed load: nothing acknowledged may be lost, and
// every request's state must agree with the audit log after each restart.
import { randomInt } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { verifyAuditLog } from '../../server/store/embedded/audit-journal';
import type { RequestStateName, RequestView } from '../../server/contract/request-view';
import { readJsonLines } from '../support/data-dir-snapshot';
import { demoCredentials, demoPassword } from '../support/demo-credentials';
import { flowOf } from '../support/flow-cookie';
import type { ServerProcess } from '../support/server-process';
import { runServer } from '../support/server-process';
import type { AgentSocket } from '../support/test-server';
import { ask, connectAgent, login } from '../support/test-server';
import { FormBrowser } from '../support/form-browser';

const KILLS = Number(process.env.CRASH_KILLS ?? 12);
const SEED = Number(process.env.CRASH_SEED ?? randomInt(2 ** 31));
const USERS = ['jsmith', 'rpatel', 'mlee', 'agarcia', 'tnguyen'] as const;
const AGENTS = ['admin', 'alice', 'bob'] as const;
const BROWSERS_PER_USER = 2;
/** Below the sign-in pages' per-address (50) and per-user (10) submit limits of one server run. */
const SUBMITS_PER_RUN = 45;
const SUBMITS_PER_USER_PER_RUN = 9;

/** mulberry32: the load's choices and the kill moments follow CRASH_SEED (timing still varies). */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = seededRandom(SEED);
const between = (low: number, high: number) => low + Math.floor(random() * (high - low + 1));
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Lifecycle order; every closed state is beyond every open one. Only monotone operations are used. */
const OPEN_RANK: Record<string, number> = { queued: 0, claimed: 1, verified: 2, 'otp-issued': 3 };
const rankOf = (state: string) => OPEN_RANK[state] ?? 4;
const isClosed = (state: string) => !(state in OPEN_RANK);

interface AckedWrite {
  what: string;
  requestId: string;
  /** The state the acknowledgement reported (or implied). */
  state: RequestStateName;
}

interface AuditEntryLine {
  seq: number;
  action: string;
  requestId?: string;
  details: { from?: string; to?: string };
}

/** What the harness has been told: acknowledged writes, passcodes read out, requests an agent closed. */
class Ledger {
  readonly acked: AckedWrite[] = [];
  readonly otps = new Map<string, string>();
  readonly endedByAgent = new Set<string>();

  record(write: AckedWrite): void {
    this.acked.push(write);
  }
}

/**
 * One server run's state shared by the load: when to stop, writes in flight, and submit budgets under
 * the rate limits. Most kills are aimed: once the load time is up, the kill waits (briefly) for a
 * moment when several writes are in flight and lands a few milliseconds after the next one is sent,
 * while the server is persisting them — the moments where a crash can split a change.
 */
class Run {
  stopped = false;
  private armed = false;
  private inFlight = 0;
  private submits = 0;
  private readonly perUser = new Map<string, number>();

  constructor(private readonly server: ServerProcess) {}

  /** After `loadMs`, kills at once (unaimed) or within a few ms of a write sent under load. */
  async killAfter(loadMs: number, aimed: boolean): Promise<void> {
    await sleep(loadMs);
    if (aimed) {
      this.armed = true;
      const deadline = Date.now() + 400;
      while (!this.stopped && Date.now() < deadline) await sleep(1);
    }
    this.kill();
  }

  /** Sends one write (unless the run is over); its outcome is known only if it settles. */
  async write<T>(send: () => Promise<T>): Promise<T | undefined> {
    if (this.stopped) return undefined;
    this.inFlight += 1;
    if (this.armed && this.inFlight >= 3) {
      this.armed = false;
      setTimeout(() => this.kill(), between(0, 4));
    }
    try {
      return await send();
    } finally {
      this.inFlight -= 1;
    }
  }

  private kill(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.server.child.kill('SIGKILL');
  }

  takeSubmit(username: string): boolean {
    const used = this.perUser.get(username) ?? 0;
    if (this.submits >= SUBMITS_PER_RUN || used >= SUBMITS_PER_USER_PER_RUN) return false;
    this.submits += 1;
    this.perUser.set(username, used + 1);
    return true;
  }
}

/** One end-user at one browser: submits to a random desk, sometimes cancels, enters the code read out. */
class BrowserLane {
  private browser: FormBrowser;
  private requestId: string | undefined;
  private waitingSince = 0;
  private patienceMs = 0;

  constructor(
    readonly username: string,
    private readonly password: string,
    private readonly ledger: Ledger,
    url: string,
  ) {
    this.browser = new FormBrowser(url);
  }

  /** Signs in with username and password (the realm's default workflow asks for both first). */
  async signIn(url: string): Promise<boolean> {
    const browser = new FormBrowser(url);
    await browser.get('/sign-in');
    const res = await browser.post('/sign-in', {
      username: this.username,
      password: this.password,
    });
    if (res.location !== '/sign-in/method') return false;
    this.browser = browser;
    this.requestId = undefined;
    return true;
  }

  /** The same browser (cookies and all) talking to the restarted server on its new port. */
  moveTo(url: string): void {
    const moved = new FormBrowser(url);
    for (const [name, value] of this.browser.cookies) moved.cookies.set(name, value);
    moved.csrf = this.browser.csrf;
    this.browser = moved;
    this.waitingSince = Date.now();
  }

  async run(run: Run, url: string): Promise<void> {
    while (!run.stopped) {
      try {
        await this.step(run, url);
      } catch {
        // The server died under a call: its outcome is unknown, so nothing is recorded.
      }
      await sleep(between(5, 40));
    }
  }

  private async step(run: Run, url: string): Promise<void> {
    const current = this.requestId;
    if (current === undefined || Date.now() - this.waitingSince > this.patienceMs) {
      // Now and then a browser starts over from the password page (which costs a slow hash).
      if (random() < 0.05 && !(await this.signIn(url))) return;
      if (run.stopped || !run.takeSubmit(this.username)) return;
      const desk = pick(['1', '2'] as const);
      const res = await run.write(() => this.browser.post('/sign-in/method', { desk }));
      if (res?.status !== 303 || res.location !== '/sign-in/request') return;
      const requestId = flowOf(this.browser)?.rid;
      if (!requestId) throw new Error('a submitted request left no request id in the flow cookie');
      this.ledger.record({ what: 'submit', requestId, state: 'queued' });
      this.requestId = requestId;
      this.waitingSince = Date.now();
      this.patienceMs = between(400, 2500);
      return;
    }
    const otp = this.ledger.otps.get(current);
    if (otp !== undefined) {
      const res = await run.write(() => this.browser.post('/sign-in/code', { otp }));
      if (res?.status === 303 && res.location === '/sign-in/done') {
        this.ledger.record({ what: 'passcode', requestId: current, state: 'completed' });
        this.requestId = undefined;
      } else if (res?.status === 200) {
        this.requestId = undefined; // the request ended (denied, superseded…) before the code
      }
      return;
    }
    if (this.ledger.endedByAgent.has(current)) {
      this.requestId = undefined;
      return;
    }
    if (random() < 0.04) {
      const res = await run.write(() => this.browser.post('/sign-in/cancel'));
      if (res?.status !== 303) return;
      // The flow carries a notice only when this cancel really cancelled the request.
      if (flowOf(this.browser)?.notice)
        this.ledger.record({ what: 'cancel', requestId: current, state: 'cancelled' });
      this.requestId = undefined;
    }
  }
}

type AgentWrite = 'request:claim' | 'request:verify' | 'request:reveal' | 'request:deny';

/**
 * An agent console working the queue: each round it takes the next step on every request it holds
 * (record the callback check, then the employee-id check, then reveal or now and then deny) and
 * claims some queued ones, all at once, as a busy desk would.
 */
async function agentLoop(socket: AgentSocket, name: string, ledger: Ledger, run: Run) {
  /** Sends one event; records the write when it is acknowledged with data. */
  const act = async (event: AgentWrite, payload: Record<string, string>): Promise<void> => {
    const requestId = payload.requestId as string;
    const result = (await run.write(() => ask(socket, event, payload))) as
      { data: { state?: RequestStateName; otp?: string } } | { error: unknown } | undefined;
    if (!result || !('data' in result)) return;
    if (event === 'request:reveal') {
      ledger.otps.set(requestId, result.data.otp as string);
      ledger.record({ what: event, requestId, state: 'otp-issued' });
      return;
    }
    const state = result.data.state as RequestStateName;
    if (isClosed(state)) ledger.endedByAgent.add(requestId);
    ledger.record({ what: event, requestId, state });
  };

  const nextStep = (request: RequestView): Promise<void> | undefined => {
    const requestId = request.id;
    const checks = new Set(request.verification.map((v) => v.checkId));
    if (request.state === 'otp-issued')
      // A code whose acknowledgement was lost with the server is unknown: read out a new one.
      return ledger.otps.has(requestId) ? undefined : act('request:reveal', { requestId });
    if (!checks.has('callback'))
      return act('request:verify', { requestId, checkId: 'callback', note: 'Called back' });
    if (!checks.has('employee-id'))
      return act('request:verify', { requestId, checkId: 'employee-id', note: 'ID matches' });
    if (random() < 0.15)
      return act('request:deny', { requestId, reason: 'Caller could not answer' });
    return act('request:reveal', { requestId });
  };

  while (!run.stopped) {
    try {
      const listed = await ask(socket, 'queue:list', {});
      if ('data' in listed) {
        const requests = listed.data.requests;
        const steps = requests
          .filter((r) => r.claimedBy?.username === name)
          .map(nextStep)
          .concat(
            requests
              .filter((r) => r.state === 'queued' && random() < 0.6)
              .map((r) => act('request:claim', { requestId: r.id })),
          );
        await Promise.allSettled(steps);
      }
    } catch {
      // The server died under a call: its outcome is unknown.
    }
    await sleep(between(1, 15));
  }
}

/** Starts the server on the data dir; right after a SIGKILL the lock may still say "Another server". */
async function start(dataDir: string, extra: string[] = []) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const server = runServer(['--port', '0', '--data', dataDir, ...extra]);
    try {
      return { server, url: await server.ready };
    } catch (error) {
      if (!/Another server/.test(server.output()) || Date.now() > deadline) throw error;
      await sleep(200);
    }
  }
}

interface Findings {
  lost: Set<string>;
  mismatches: Set<string>;
  details: string[];
}

/** Reads the restarted server's state (open through the admin's queue, closed and audit from disk) and checks it. */
async function inspect(
  dataDir: string,
  admin: AgentSocket,
  ledger: Ledger,
  findings: Findings,
  kill: number,
): Promise<void> {
  const note = (set: Set<string>, key: string, text: string) => {
    if (set.has(key)) return;
    set.add(key);
    findings.details.push(`after kill ${kill}: ${text}`);
  };
  const listed = await ask(admin, 'queue:list', {});
  if (!('data' in listed)) throw new Error(`queue:list failed: ${JSON.stringify(listed)}`);
  const open = new Map(listed.data.requests.map((r) => [r.id, r.state as string]));
  const closed = new Map<string, string>();
  for (const request of await readJsonLines<{ id: string; state: string }>(
    path.join(dataDir, 'closed-requests.jsonl'),
  )) {
    if (closed.has(request.id))
      note(findings.mismatches, `twice-closed:${request.id}`, `${request.id} closed twice`);
    closed.set(request.id, request.state);
  }
  const auditFile = path.join(dataDir, 'audit.jsonl');
  const chain = await verifyAuditLog(auditFile);
  if (!chain.ok) note(findings.mismatches, `chain@${kill}`, `audit chain broken: ${chain.reason}`);
  const audit = await readJsonLines<AuditEntryLine>(auditFile);

  const stateOf = (id: string) => open.get(id) ?? closed.get(id);
  for (const id of open.keys())
    if (closed.has(id)) note(findings.mismatches, `both:${id}`, `${id} is both open and closed`);

  // (a) and (b): every acknowledged write is reflected, at or beyond the state it reported.
  ledger.acked.forEach((write, index) => {
    const state = stateOf(write.requestId);
    const reflected =
      state !== undefined &&
      (isClosed(write.state) ? state === write.state : rankOf(state) >= rankOf(write.state));
    if (!reflected)
      note(
        findings.lost,
        `write:${index}`,
        `acked ${write.what} of ${write.requestId} (${write.state}) lost: now ${state ?? 'missing'}`,
      );
  });

  // (d): state and audit agree.
  const submitted = new Set<string>();
  const lastTo = new Map<string, string>();
  for (const entry of audit) {
    if (entry.requestId === undefined) continue;
    if (entry.action === 'request.submitted') submitted.add(entry.requestId);
    if (entry.details?.to !== undefined) lastTo.set(entry.requestId, entry.details.to);
    if (stateOf(entry.requestId) === undefined)
      note(
        findings.mismatches,
        `unknown:${entry.requestId}`,
        `audit seq ${entry.seq} (${entry.action}) names ${entry.requestId}, which exists nowhere`,
      );
  }
  for (const id of new Set([...open.keys(), ...closed.keys()])) {
    const state = stateOf(id) as string;
    if (!submitted.has(id))
      note(findings.mismatches, `unsubmitted:${id}`, `${id} (${state}) has no submitted entry`);
    const audited = lastTo.get(id) ?? 'queued';
    if (audited !== state)
      note(
        findings.mismatches,
        `disagree:${id}:${state}`,
        `${id} is ${state} but its last audited state is ${audited}`,
      );
  }
}

let dataDir: string | undefined;
let running: ServerProcess | undefined;
/** Set when the test is over (e.g. timed out): the loop must not start another server. */
let finished = false;

afterAll(async () => {
  finished = true;
  if (running && running.child.exitCode === null && running.child.signalCode === null) {
    running.child.kill('SIGTERM');
    await running.exited;
  }
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

it(
  'loses no acknowledged write and keeps state and audit in agreement across SIGKILLs under load',
  async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'hdotp-crash-'));
    const ledger = new Ledger();
    const findings: Findings = { lost: new Set(), mismatches: new Set(), details: [] };

    let { server, url } = await start(dataDir, ['--demo']);
    running = server;
    const credentials = demoCredentials(server.output());
    const tokens = new Map<string, string>();
    for (const agent of AGENTS)
      tokens.set(agent, await login(url, agent, demoPassword(credentials, agent)));
    const lanes: BrowserLane[] = [];
    for (const username of USERS)
      for (let i = 0; i < BROWSERS_PER_USER; i++)
        lanes.push(new BrowserLane(username, demoPassword(credentials, username), ledger, url));
    const signedIn = await Promise.all(lanes.map((lane) => lane.signIn(url)));
    expect(signedIn.every(Boolean)).toBe(true);

    for (let kill = 1; kill <= KILLS + 1; kill++) {
      if (kill > 1) {
        ({ server, url } = await start(dataDir));
        running = server;
        if (finished) {
          server.child.kill('SIGKILL');
          return;
        }
      }
      const sockets = new Map<string, AgentSocket>();
      for (const agent of AGENTS)
        sockets.set(agent, await connectAgent(url, tokens.get(agent) as string));
      try {
        if (kill > 1) await inspect(dataDir, sockets.get('admin')!, ledger, findings, kill - 1);
        if (kill > KILLS) break;

        for (const lane of lanes) lane.moveTo(url);
        const run = new Run(server);
        const load = [
          ...lanes.map((lane) => lane.run(run, url)),
          ...AGENTS.map((agent) => agentLoop(sockets.get(agent)!, agent, ledger, run)),
        ];
        await run.killAfter(between(150, 1500), random() < 0.75);
        await server.exited;
        await Promise.allSettled(load);
      } finally {
        for (const socket of sockets.values()) socket.disconnect();
      }
    }

    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);

    console.log(
      `crash harness: ${KILLS} kills, ${ledger.acked.length} acknowledged writes, ` +
        `${findings.lost.size} lost, ${findings.mismatches.size} state/audit mismatches (seed ${SEED})` +
        findings.details.map((line) => `\n  ${line}`).join(''),
    );
    expect({ lost: findings.lost.size, mismatches: findings.mismatches.size }).toEqual({
      lost: 0,
      mismatches: 0,
    });
  },
  60_000 + KILLS * 10_000,
);
