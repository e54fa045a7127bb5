// Two real server processes on one real PostgreSQL: live events and claims cross processes, one of
// many simultaneous claims wins, kill -9 of a process under load loses no acknowledged write while
// its agents carry on at the other, and a PostgreSQL restart under load gets 503s, never a wrong
// answer, and is survived without restarting either process.
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AgentCreate } from '../../server/contract/agents';
import type { EndUserRequestStatus } from '../../server/contract/enduser';
import type { HelpDeskId } from '../../server/contract/realm-config';
import type { RequestStateName, RequestView } from '../../server/contract/request-view';
import type { EndUserServerToClientEvents } from '../../server/realtime/enduser-namespace';
import type { Cluster } from '../support/cluster';
import { startCluster } from '../support/cluster';
import { flowOf } from '../support/flow-cookie';
import type { PageResponse } from '../support/form-browser';
import { pageText } from '../support/form-browser';
import type { Postgres } from '../support/postgres';
import { startPostgres } from '../support/postgres';
import type { AgentSocket } from '../support/test-server';
import { PASSWORD, ask, connectAgent, login, must, nextEvent } from '../support/test-server';

const A = 0;
const B = 1;
const KILL_ROUNDS = 3;
const users = (prefix: string, count: number) =>
  Array.from({ length: count }, (_, i) => `${prefix}${String(i + 1).padStart(2, '0')}`);
/** Users of the kill rounds and of the outage: each at an address of its own. */
const KILL_USERS = users('kill.user', 8);
const OUTAGE_USERS = users('outage.user', 4);
/** Under the sign-in pages' per-user limit (10 submits in 15 minutes), shared by both processes. */
const SUBMITS_PER_USER = 9;
/** Every agent staffs both desks; the first two work from A, the other two from B. */
const AGENT_NAMES = ['alice', 'bob', 'carol', 'dave'] as const;
const AGENTS: AgentCreate[] = AGENT_NAMES.map((username) => ({
  username,
  displayName: `Agent ${username}`,
  role: 'agent',
  desks: ['1', '2'],
}));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const between = (low: number, high: number) => low + Math.floor(Math.random() * (high - low + 1));
const other = (i: number) => (i === A ? B : A);
/** The last lines process i printed (its logs), for a failure message. */
const tail = (i: number) => cluster.process(i).output().split('\n').slice(-60).join('\n');

let postgres: Postgres;
let cluster: Cluster;

beforeAll(async () => {
  postgres = await startPostgres();
  cluster = await startCluster({
    databaseUrl: await postgres.newDatabase(),
    size: 2,
    agents: AGENTS,
    users: ['first.user', 'race.user', 'after.a', 'after.b', ...KILL_USERS, ...OUTAGE_USERS],
  });
}, 240_000);

afterAll(async () => {
  await cluster?.dispose();
  await postgres?.dispose();
});

/**
 * An end-user's browser without JavaScript at an address of its own: the servers trust one proxy
 * (`--trust-proxy 1`), so X-Forwarded-For is where they see it come from, for the per-address
 * limits. Keeps cookies and the CSRF token; `base` is the process it talks to.
 */
class Caller {
  readonly cookies = new Map<string, string>();
  private csrf = '';
  signedIn = false;
  requestId: string | undefined;
  submits = 0;

  constructor(
    readonly username: string,
    readonly address: string,
    public base: string,
  ) {}

  cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  async request(
    method: 'GET' | 'POST',
    path: string,
    form?: Record<string, string>,
  ): Promise<PageResponse> {
    const res = await fetch(`${this.base}${path}`, {
      method,
      redirect: 'manual',
      headers: {
        'x-forwarded-for': this.address,
        ...(this.cookies.size ? { cookie: this.cookieHeader() } : {}),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(form ? { body: new URLSearchParams({ _csrf: this.csrf, ...form }).toString() } : {}),
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
      const eq = pair.indexOf('=');
      const [name, value] = [pair.slice(0, eq), pair.slice(eq + 1)];
      const expired = attributes.some(
        (a) =>
          /^max-age=0$/i.test(a) || (/^expires=/i.test(a) && Date.parse(a.slice(8)) <= Date.now()),
      );
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const html = await res.text();
    const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
    if (token) this.csrf = token;
    const location = res.headers.get('location') ?? undefined;
    return { status: res.status, location, html, headers: res.headers };
  }

  /** A fresh sign-in with username and password (the realm's default workflow asks for both). */
  async signIn(): Promise<PageResponse> {
    this.cookies.clear();
    this.requestId = undefined;
    await this.request('GET', '/sign-in');
    const res = await this.request('POST', '/sign-in', {
      username: this.username,
      password: PASSWORD,
    });
    this.signedIn = res.status === 303 && res.location === '/sign-in/method';
    return res;
  }

  /** Asks `desk` for help; the request's id when the server acknowledged it. */
  async submit(desk: HelpDeskId): Promise<{ res: PageResponse; requestId?: string }> {
    this.submits += 1;
    const res = await this.request('POST', '/sign-in/method', { desk });
    if (res.status !== 303 || res.location !== '/sign-in/request') return { res };
    const requestId = flowOf(this)?.rid;
    if (!requestId) throw new Error('a submitted request left no request id in the flow cookie');
    this.requestId = requestId;
    return { res, requestId };
  }

  /** Types the passcode; true when the sign-in completed. */
  async enterCode(otp: string): Promise<PageResponse> {
    return this.request('POST', '/sign-in/code', { otp });
  }
}

/** Lifecycle order; every closed state is beyond every open one. The load only moves forward. */
const OPEN_RANK: Record<string, number> = { queued: 0, claimed: 1, verified: 2, 'otp-issued': 3 };
const rankOf = (state: string) => OPEN_RANK[state] ?? 4;
const isClosed = (state: string) => !(state in OPEN_RANK);

interface AckedWrite {
  what: string;
  requestId: string;
  /** The state the acknowledgement reported (or implied). */
  state: RequestStateName;
  /** The process that acknowledged it. */
  by: number;
}

/** What the clients were told: acknowledged writes, passcodes read out, requests an agent ended. */
class Ledger {
  readonly acked: AckedWrite[] = [];
  readonly otps = new Map<string, string>();
  readonly endedByAgent = new Set<string>();

  record(write: AckedWrite): void {
    this.acked.push(write);
  }
}

/** One stretch of load: when to stop, and every answer that must never be given. */
class Load {
  stopped = false;
  /** Set while PostgreSQL is down: answers then are tallied by kind. */
  outage = false;
  readonly outageAnswers = new Map<string, number>();
  /** A 500 or an `internal` error, at any time: never a right answer. */
  readonly wrong: string[] = [];
  /** A 503 page as the servers showed it, to read. */
  unavailablePage: PageResponse | undefined;
  /** The longest a visit to the first sign-in page waited for its answer during the outage. */
  slowestVisitMs = 0;

  private tally(kind: string): void {
    if (this.outage) this.outageAnswers.set(kind, (this.outageAnswers.get(kind) ?? 0) + 1);
  }

  page(what: string, res: PageResponse): void {
    if (res.status >= 500 && res.status !== 503)
      this.wrong.push(`${what}: HTTP ${res.status} ${pageText(res.html).slice(0, 120)}`);
    if (res.status === 503) this.unavailablePage ??= res;
    this.tally(`HTTP ${res.status}`);
  }

  ack(what: string, result: { data: unknown } | { error: { code: string; message: string } }) {
    if ('error' in result && result.error.code === 'internal')
      this.wrong.push(`${what}: internal ${result.error.message}`);
    this.tally('error' in result ? `ack ${result.error.code}` : 'ack data');
  }
}

/** An agent working the queue from one process, moving to the other when its process goes. */
class DeskAgent {
  socket: AgentSocket | undefined;
  at: number;
  /** Moves to another process since the round began, and answers received there since. */
  moves = 0;
  answersAfterMove = 0;

  constructor(
    readonly name: string,
    private readonly token: string,
    readonly home: number,
  ) {
    this.at = home;
  }

  static async signIn(name: string, home: number): Promise<DeskAgent> {
    const token = await login(cluster.url(home), name, cluster.password(name));
    const agent = new DeskAgent(name, token, home);
    await agent.goHome();
    return agent;
  }

  async goHome(): Promise<void> {
    this.socket?.disconnect();
    this.socket = await connectAgent(cluster.url(this.home), this.token);
    this.at = this.home;
    this.moves = 0;
    this.answersAfterMove = 0;
  }

  /** Connects with the same session token where it was, else to the other process. */
  async reconnect(): Promise<void> {
    this.socket?.disconnect();
    for (const i of [this.at, other(this.at)]) {
      try {
        this.socket = await connectAgent(cluster.url(i), this.token);
        if (i !== this.at) this.moves += 1;
        this.at = i;
        return;
      } catch {
        // Not there (killed, or cannot check the session now): try the next.
      }
    }
    this.socket = undefined;
  }

  disconnect(): void {
    this.socket?.disconnect();
  }
}

type AgentWrite = 'request:claim' | 'request:verify' | 'request:reveal';

/** Claims some queued requests and takes the next step on each one it holds, as a busy desk does. */
async function agentWork(agent: DeskAgent, ledger: Ledger, load: Load): Promise<void> {
  const act = async (event: AgentWrite, payload: Record<string, string>): Promise<void> => {
    const socket = agent.socket;
    if (!socket) return;
    const requestId = payload.requestId as string;
    const by = agent.at;
    let result: Awaited<ReturnType<typeof ask<AgentWrite>>>;
    try {
      result = await ask(socket, event, payload);
    } catch {
      return; // no answer (the process died under the call): the outcome is unknown
    }
    load.ack(`${event} by ${agent.name}`, result);
    if (!('data' in result)) return;
    if (event === 'request:reveal') {
      ledger.otps.set(requestId, (result.data as { otp: string }).otp);
      ledger.record({ what: event, requestId, state: 'otp-issued', by });
      return;
    }
    const state = (result.data as RequestView).state;
    if (isClosed(state)) ledger.endedByAgent.add(requestId);
    ledger.record({ what: event, requestId, state, by });
  };

  const nextStep = (request: RequestView): Promise<void> | undefined => {
    const requestId = request.id;
    const checks = new Set(request.verification.map((v) => v.checkId));
    if (request.state === 'otp-issued')
      // A passcode whose acknowledgement was lost with a process is unknown: read out a new one.
      return ledger.otps.has(requestId) ? undefined : act('request:reveal', { requestId });
    if (!checks.has('callback'))
      return act('request:verify', { requestId, checkId: 'callback', note: 'Called back' });
    if (!checks.has('employee-id'))
      return act('request:verify', { requestId, checkId: 'employee-id', note: 'ID matches' });
    return act('request:reveal', { requestId });
  };

  while (!load.stopped) {
    if (!agent.socket?.connected) {
      await agent.reconnect();
      if (!agent.socket) await sleep(200);
      continue;
    }
    try {
      const listed = await ask(agent.socket, 'queue:list', {});
      load.ack(`queue:list by ${agent.name}`, listed);
      if ('data' in listed) {
        if (agent.moves > 0) agent.answersAfterMove += 1;
        const { requests } = listed.data;
        await Promise.allSettled([
          ...requests.filter((r) => r.claimedBy?.username === agent.name).map(nextStep),
          ...requests
            .filter((r) => r.state === 'queued' && Math.random() < 0.5)
            .map((r) => act('request:claim', { requestId: r.id })),
        ]);
      }
    } catch {
      // The process died under the call.
    }
    await sleep(between(5, 30));
  }
}

/** An end-user: signs in, asks a desk, types the passcode once an agent reveals one, again and again. */
async function userWork(caller: Caller, ledger: Ledger, load: Load): Promise<void> {
  let waitingSince = 0;
  const atA = () => caller.base === cluster.url(A);
  const step = async (): Promise<void> => {
    const by = atA() ? A : B;
    if (!caller.signedIn) {
      load.page(`sign-in of ${caller.username}`, await caller.signIn());
      return;
    }
    const current = caller.requestId;
    // Waited long with no passcode: ask again (the new request supersedes the old).
    if (current === undefined || Date.now() - waitingSince > 4_000) {
      if (caller.submits >= SUBMITS_PER_USER) return;
      const { res, requestId } = await caller.submit(Math.random() < 0.5 ? '1' : '2');
      load.page(`submit of ${caller.username}`, res);
      if (requestId) {
        ledger.record({ what: 'submit', requestId, state: 'queued', by });
        waitingSince = Date.now();
      } else if (res.status === 303) caller.signedIn = false;
      return;
    }
    const otp = ledger.otps.get(current);
    if (otp !== undefined) {
      const res = await caller.enterCode(otp);
      load.page(`passcode of ${caller.username}`, res);
      if (res.status === 303 && res.location === '/sign-in/done') {
        ledger.record({ what: 'passcode', requestId: current, state: 'completed', by });
        caller.signedIn = false;
      } else if (res.status === 200 || res.status === 303) caller.requestId = undefined;
      return;
    }
    if (ledger.endedByAgent.has(current)) caller.requestId = undefined;
  };
  while (!load.stopped) {
    try {
      await step();
    } catch {
      // No answer (the process is gone): go to the other one, as a proxy would.
      caller.base = cluster.url(atA() ? B : A);
    }
    await sleep(between(20, 80));
  }
}

/**
 * Every acknowledged write, read back through process `through` by the admin: the request is at
 * or beyond the state the acknowledgement reported (closed states exactly). Returns what is not.
 */
async function lostWrites(ledger: Ledger, through: number): Promise<string[]> {
  const admin = await cluster.connectAs(through, 'admin');
  try {
    const states = new Map<string, string>();
    for (const requestId of new Set(ledger.acked.map((w) => w.requestId))) {
      const found = await ask(admin, 'history:get', { requestId });
      states.set(requestId, 'data' in found ? found.data.request.state : 'missing');
    }
    const chain = await must(admin, 'audit:verify', {});
    const lost = ledger.acked
      .filter((write) => {
        const state = states.get(write.requestId) ?? 'missing';
        if (state === 'missing') return true;
        return isClosed(write.state) ? state !== write.state : rankOf(state) < rankOf(write.state);
      })
      .map(
        (w) =>
          `${w.what} of ${w.requestId} (${w.state}, acknowledged by ${w.by === A ? 'A' : 'B'}) is now ${states.get(w.requestId)}`,
      );
    if (!chain.ok) lost.push(`the audit chain is broken: ${chain.reason}`);
    return lost;
  } finally {
    admin.disconnect();
  }
}

describe('two processes, one database', () => {
  it('a request submitted through A reaches an agent on B; the claim on B is seen on A; the code revealed on B signs in on A', async () => {
    const alice = await cluster.connectAs(B, 'alice');
    const bob = await cluster.connectAs(A, 'bob');
    const statuses: EndUserRequestStatus[] = [];
    let follower: Socket<EndUserServerToClientEvents> | undefined;
    try {
      const caller = new Caller('first.user', '198.51.100.1', cluster.url(A));
      expect((await caller.signIn()).location).toBe('/sign-in/method');
      const created = nextEvent(alice, 'request:created', (r) => r.username === 'first.user');
      const { requestId } = await caller.submit('1');
      expect(requestId).toBeDefined();
      const arrived = await created;
      expect(arrived).toMatchObject({ id: requestId, state: 'queued', desk: '1' });

      // The end-user's page follows the request live from A.
      follower = connect(`${cluster.url(A)}/enduser`, {
        auth: { requestId },
        extraHeaders: { cookie: caller.cookieHeader() },
        transports: ['websocket'],
        reconnection: false,
        forceNew: true,
      });
      follower.on('status', (status) => statuses.push(status));
      await vi.waitFor(() => expect(statuses.at(-1)?.phase).toBe('waiting'), { timeout: 10_000 });

      const seenOnA = nextEvent(
        bob,
        'request:updated',
        (r) => r.id === requestId && r.claimedBy?.username === 'alice',
      );
      await must(alice, 'request:claim', { requestId: requestId! });
      expect(await seenOnA).toMatchObject({ state: 'claimed' });
      await vi.waitFor(() => expect(statuses.at(-1)?.phase).toBe('verifying'), {
        timeout: 10_000,
      });
      // Bob, on A, cannot take it: A knows B's claim.
      expect(await ask(bob, 'request:claim', { requestId })).toMatchObject({
        error: { code: 'already-claimed' },
      });

      await must(alice, 'request:verify', {
        requestId: requestId!,
        checkId: 'callback',
        note: 'Called back the number on file',
      });
      await must(alice, 'request:verify', {
        requestId: requestId!,
        checkId: 'employee-id',
        note: 'Stated the employee ID',
      });
      const { otp } = await must(alice, 'request:reveal', { requestId: requestId! });
      await vi.waitFor(() => expect(statuses.at(-1)?.phase).toBe('code-ready'), {
        timeout: 10_000,
      });

      const completedOnA = nextEvent(
        bob,
        'request:updated',
        (r) => r.id === requestId && r.state === 'completed',
      );
      const done = await caller.enterCode(otp);
      expect(done).toMatchObject({ status: 303, location: '/sign-in/done' });
      await completedOnA;
    } finally {
      follower?.disconnect();
      alice.disconnect();
      bob.disconnect();
    }
  });

  it('exactly one of four simultaneous claims of one request, two through A and two through B, wins', async () => {
    const sockets = await Promise.all(
      AGENT_NAMES.map((name, i) => cluster.connectAs(i < 2 ? A : B, name)),
    );
    try {
      const caller = new Caller('race.user', '198.51.100.2', cluster.url(A));
      expect((await caller.signIn()).location).toBe('/sign-in/method');
      for (let round = 0; round < 5; round++) {
        caller.base = cluster.url(round % 2 === 0 ? A : B);
        const everyone = Promise.all(
          sockets.map((s) =>
            nextEvent(s, 'request:created', (r) => r.username === 'race.user', 10_000),
          ),
        );
        const { requestId } = await caller.submit('1');
        expect(requestId).toBeDefined();
        await everyone;

        const answers = await Promise.all(
          sockets.map((socket) => ask(socket, 'request:claim', { requestId })),
        );
        const winners = AGENT_NAMES.filter((_, i) => 'data' in answers[i]!);
        expect(winners, JSON.stringify(answers)).toHaveLength(1);
        for (const answer of answers)
          if ('error' in answer) expect(answer.error.code).toBe('already-claimed');

        // Both processes name the same holder.
        for (const socket of [sockets[0]!, sockets[2]!]) {
          const detail = await must(socket, 'request:get', { requestId: requestId! });
          expect(detail.claimedBy?.username).toBe(winners[0]);
        }
      }
    } finally {
      sockets.forEach((s) => s.disconnect());
    }
  });
});

describe('losing a process', () => {
  it(`kill -9 of A under load, ${KILL_ROUNDS} times: A's agents carry on at B and no acknowledged write is lost`, async () => {
    const ledger = new Ledger();
    const callers = KILL_USERS.map(
      (username, i) => new Caller(username, `203.0.113.${i + 1}`, cluster.url(i % 2)),
    );
    const agents = await Promise.all(
      AGENT_NAMES.map((name, i) => DeskAgent.signIn(name, i < 2 ? A : B)),
    );
    const wrong: string[] = [];
    const lost: string[] = [];
    const movedPerRound: number[] = [];
    // Signed in beforehand (a password hash each), so the load submits from its first moment.
    await Promise.all(callers.map((caller) => caller.signIn()));
    try {
      for (let round = 1; round <= KILL_ROUNDS; round++) {
        // Everyone starts the round at their own process (A is back from the last kill).
        for (const agent of agents) if (agent.at !== agent.home) await agent.goHome();
        callers.forEach((caller, i) => (caller.base = cluster.url(i % 2)));
        const load = new Load();
        const work = [
          ...callers.map((caller) => userWork(caller, ledger, load)),
          ...agents.map((agent) => agentWork(agent, ledger, load)),
        ];
        await sleep(between(2_000, 3_500));
        await cluster.kill(A);

        // A's agents find B with the session they had, and work on there.
        const fromA = agents.filter((agent) => agent.home === A);
        await vi.waitFor(
          () => {
            for (const agent of fromA) {
              expect(agent.at, agent.name).toBe(B);
              expect(agent.answersAfterMove, agent.name).toBeGreaterThan(0);
            }
          },
          { timeout: 30_000, interval: 100 },
        );
        movedPerRound.push(fromA.length);
        await sleep(1_000);
        load.stopped = true;
        await Promise.allSettled(work);
        wrong.push(...load.wrong);

        await cluster.restart(A);
        lost.push(...(await lostWrites(ledger, round % 2 === 0 ? A : B)));
      }
    } finally {
      agents.forEach((agent) => agent.disconnect());
    }
    const requests = new Set(ledger.acked.map((w) => w.requestId)).size;
    console.log(
      `cluster kill -9: ${KILL_ROUNDS} rounds, ${ledger.acked.length} acknowledged writes ` +
        `(${requests} requests, ${ledger.acked.filter((w) => w.by === A).length} by A), ` +
        `${lost.length} lost, agents moved to B per round: ${movedPerRound.join(', ')}` +
        lost.map((line) => `\n  ${line}`).join(''),
    );
    expect(ledger.acked.filter((w) => w.by === A).length).toBeGreaterThan(0);
    expect(wrong).toEqual([]);
    expect(lost).toEqual([]);
  }, 300_000);
});

describe('losing the database', () => {
  it('PostgreSQL restarted under load: 503 meanwhile, never a wrong answer, both processes work again without a restart', async () => {
    const ledger = new Ledger();
    const load = new Load();
    const pids = [cluster.process(A).child.pid, cluster.process(B).child.pid];
    const callers = OUTAGE_USERS.map(
      (username, i) => new Caller(username, `192.0.2.${i + 1}`, cluster.url(i % 2)),
    );
    const agents = await Promise.all(
      AGENT_NAMES.map((name, i) => DeskAgent.signIn(name, i < 2 ? A : B)),
    );
    const health: number[] = [];
    /** A new visitor opening the first sign-in page of each process, every half second of the outage. */
    const visit = async () => {
      while (!load.stopped) {
        if (load.outage)
          for (const i of [A, B]) {
            const visitor = new Caller('visitor', `192.0.2.${200 + i}`, cluster.url(i));
            const started = Date.now();
            const page = await visitor.request('GET', '/sign-in').catch(() => undefined);
            if (page) load.page(`a visit to ${i === A ? 'A' : 'B'}`, page);
            load.slowestVisitMs = Math.max(load.slowestVisitMs, Date.now() - started);
          }
        await sleep(500);
      }
    };
    await Promise.all(callers.map((caller) => caller.signIn()));
    try {
      const work = [
        ...callers.map((caller) => userWork(caller, ledger, load)),
        ...agents.map((agent) => agentWork(agent, ledger, load)),
        visit(),
      ];
      await sleep(3_000);
      load.outage = true;
      await postgres.stop();
      // Down for a while under load; each process says so on its health check.
      for (const i of [A, B])
        health.push(
          await fetch(`${cluster.url(i)}/healthz`).then(
            (r) => r.status,
            () => 0,
          ),
        );
      await sleep(5_000);
      await postgres.start();
      load.outage = false;
      await sleep(3_000);
      load.stopped = true;
      await Promise.allSettled(work);
    } finally {
      agents.forEach((agent) => agent.disconnect());
    }

    for (const i of [A, B])
      expect(cluster.alive(i), `process ${i} stopped:\n${tail(i)}`).toBe(true);
    // Once each says it is healthy again, every write acknowledged around the outage is there.
    for (const i of [A, B])
      await vi.waitFor(
        async () => expect((await fetch(`${cluster.url(i)}/healthz`)).status).toBe(200),
        { timeout: 60_000, interval: 500 },
      );
    const lost = await lostWrites(ledger, A);
    const answers = [...load.outageAnswers].map(([kind, n]) => `${kind} ×${n}`).join(', ');
    const page = load.unavailablePage;
    console.log(
      `cluster PostgreSQL restart: ${ledger.acked.length} acknowledged writes, ${lost.length} lost; ` +
        `health while down: ${health.join(', ')}; answers while down: ${answers} ` +
        `(slowest visit ${load.slowestVisitMs} ms); ` +
        `the 503 page: ${page ? pageText(page.html).slice(0, 200) : 'none seen'}` +
        [...load.wrong, ...lost].map((line) => `\n  ${line}`).join(''),
    );
    expect(health).toEqual([503, 503]);
    expect(load.wrong).toEqual([]);
    expect(lost).toEqual([]);
    // Visitors met the outage, and were told so on a page of the product's own.
    expect(page).toBeDefined();
    expect(page!.headers.get('content-type')).toMatch(/text\/html/);
    expect(pageText(page!.html)).toMatch(/try again/i);

    // Back without a restart of their own: the same processes take a fresh request, and the
    // other one's agent claims it.
    expect([cluster.process(A).child.pid, cluster.process(B).child.pid]).toEqual(pids);
    for (const [i, username] of [
      [A, 'after.a'],
      [B, 'after.b'],
    ] as const) {
      const caller = new Caller(username, `192.0.2.${100 + i}`, cluster.url(i));
      expect((await caller.signIn()).location, tail(i)).toBe('/sign-in/method');
      const { res, requestId } = await caller.submit('2');
      expect(
        requestId,
        `${res.status} ${pageText(res.html).slice(0, 200)}\n${tail(i)}`,
      ).toBeDefined();
      const agent = await cluster.connectAs(other(i), 'carol');
      try {
        const claimed = await ask(agent, 'request:claim', { requestId });
        expect(claimed, tail(other(i))).toMatchObject({ data: { state: 'claimed' } });
      } finally {
        agent.disconnect();
      }
    }
  }, 180_000);
});
