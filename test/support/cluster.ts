// Several real server processes on one PostgreSQL database, as `npm run server -- --store …` starts them.
//
// Usage (once per file, beside startPostgres):
//
//   let cluster: Cluster;
//   beforeAll(async () => {
//     cluster = await startCluster({ databaseUrl: await postgres.newDatabase(), size: 2, agents, users });
//   });
//   afterAll(() => cluster?.dispose());
//   ...const alice = await cluster.connectAs(1, 'alice');   // signed in on process 1
//
// Each process is `server/index.ts` with `--store <url> --port 0 --trust-proxy 1` (the one proxy the
// deployment recipe puts in front). The first one starts alone on the empty database and prints the
// admin's one-time password; the realm is then seeded through that process's own admin API, as an
// admin would in the console (both desks enabled, the relaxed risk policy the other tests use, the
// agents and directory users asked for), and only then do the others start.
//
// `kill(i)` sends a signal (SIGKILL by default) and waits for the process to be gone; `restart(i)`
// starts it again on the same port, so a proxy configured with that port finds it again.
import type {
  AgentEventName,
  AgentPayload,
  AgentResults,
} from '../../server/contract/agent-events';
import type { AgentCreate } from '../../server/contract/agents';
import type { AckResult } from '../../server/contract/errors';
import { demoCredentials, demoPassword } from './demo-credentials';
import type { ServerProcess } from './server-process';
import { runServer } from './server-process';
import type { AgentSocket } from './test-server';
import { PASSWORD, RELAXED_RISK_POLICY, connectAgent, login } from './test-server';

export interface ClusterOptions {
  databaseUrl: string;
  /** How many processes (default 2). */
  size?: number;
  /** Agents to create (their passwords are generated; see `password()`). */
  agents?: AgentCreate[];
  /** Directory users to add, each with the test PASSWORD. */
  users?: string[];
  /** More flags for every process. */
  args?: string[];
}

export interface Cluster {
  databaseUrl: string;
  size: number;
  /** `http://127.0.0.1:PORT` of process i (its current run). */
  url(i: number): string;
  port(i: number): number;
  process(i: number): ServerProcess;
  /** Whether process i is running (not killed, not exited). */
  alive(i: number): boolean;
  /** The password of an agent or of the admin (directory users have the test PASSWORD). */
  password(username: string): string;
  /** Signs in on process i and connects an agent socket there. */
  connectAs(i: number, username: string): Promise<AgentSocket>;
  /** Sends `signal` (default SIGKILL) to process i and waits until it has exited. */
  kill(i: number, signal?: NodeJS.Signals): Promise<void>;
  /** Starts process i again on its port; resolves with its URL once it is ready. */
  restart(i: number): Promise<string>;
  /** Stops every process (SIGTERM, then SIGKILL if one hangs). */
  dispose(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Member {
  server: ServerProcess;
  url: string;
  port: number;
}

function start(databaseUrl: string, port: number, args: readonly string[]): ServerProcess {
  return runServer(['--store', databaseUrl, '--port', String(port), '--trust-proxy', '1', ...args]);
}

/** Ready, or the output of a process that stopped before it was. */
async function whenReady(server: ServerProcess): Promise<Member> {
  const url = await server.ready;
  return { server, url, port: Number(new URL(url).port) };
}

/** Starts on `port`; right after a kill the port may still be held for a moment, so retry briefly. */
async function startOn(databaseUrl: string, port: number, args: readonly string[]) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const server = start(databaseUrl, port, args);
    try {
      return await whenReady(server);
    } catch (error) {
      if (!/EADDRINUSE/.test(server.output()) || Date.now() > deadline) throw error;
      await sleep(200);
    }
  }
}

async function stopProcess(server: ServerProcess, signal: NodeJS.Signals): Promise<void> {
  const { child } = server;
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill(signal);
  const gone = await Promise.race([
    server.exited.then(() => true),
    sleep(10_000).then(() => false),
  ]);
  if (!gone) {
    child.kill('SIGKILL');
    await server.exited;
  }
}

/** Like `must`, with a minute for the answer instead of ten seconds. */
async function slowly<E extends AgentEventName>(
  socket: AgentSocket,
  event: E,
  payload: AgentPayload<E>,
): Promise<AgentResults[E]> {
  const emit = socket.timeout(60_000).emitWithAck as unknown as (
    e: string,
    p: unknown,
  ) => Promise<AckResult<AgentResults[E]>>;
  const result = await emit.call(socket, event, payload);
  if ('error' in result)
    throw new Error(`${event} failed: ${result.error.code} ${result.error.message}`);
  return result.data;
}

/** Seeds the realm through process `url`'s admin API: desks, risk policy, agents, users. */
async function seedThroughAdmin(
  url: string,
  adminPassword: string,
  agents: readonly AgentCreate[],
  users: readonly string[],
): Promise<Map<string, string>> {
  const passwords = new Map<string, string>([['admin', adminPassword]]);
  const admin = await connectAgent(url, await login(url, 'admin', adminPassword));
  try {
    await slowly(admin, 'config:update', {
      helpDesks: {
        '1': {
          enabled: true,
          name: 'IT Service Desk',
          phone: '+14155550100',
          email: 'it@example.com',
        },
        '2': {
          enabled: true,
          name: 'Security Desk',
          phone: '+14155550199',
          email: 'sec@example.com',
        },
      },
      riskPolicy: RELAXED_RISK_POLICY,
    });
    // One at a time, with time to spare: each costs a password hash (scrypt, 128 MiB), and a busy
    // machine is slow at them (all at once, they only fight for memory and the two cores).
    for (const agent of agents) {
      const created = await slowly(admin, 'agents:create', agent);
      passwords.set(agent.username, created.password);
    }
    for (const username of users) {
      await slowly(admin, 'users:add', {
        user: {
          username,
          displayName: `User ${username}`,
          email: `${username}@example.com`,
          phone: '+14155550111',
          employeeId: 'E1',
          department: 'Finance',
          manager: 'boss',
          enabled: true,
          privileged: false,
        },
        password: PASSWORD,
      });
    }
  } finally {
    admin.disconnect();
  }
  return passwords;
}

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const { databaseUrl } = options;
  const size = options.size ?? 2;
  const args = options.args ?? [];
  const members: Member[] = [];
  const stopAll = () => {
    for (const member of members) member.server.child.kill('SIGKILL');
  };
  process.once('exit', stopAll);
  try {
    const first = await whenReady(start(databaseUrl, 0, args));
    members.push(first);
    const adminPassword = demoPassword(demoCredentials(first.server.output()), 'admin');
    const passwords = await seedThroughAdmin(
      first.url,
      adminPassword,
      options.agents ?? [],
      options.users ?? [],
    );
    members.push(
      ...(await Promise.all(
        Array.from({ length: size - 1 }, () => whenReady(start(databaseUrl, 0, args))),
      )),
    );

    const member = (i: number): Member => {
      const found = members[i];
      if (!found) throw new Error(`the cluster has no process ${i}`);
      return found;
    };
    const cluster: Cluster = {
      databaseUrl,
      size,
      url: (i) => member(i).url,
      port: (i) => member(i).port,
      process: (i) => member(i).server,
      alive: (i) => {
        const { child } = member(i).server;
        return child.exitCode === null && child.signalCode === null;
      },
      password: (username) => {
        const password = passwords.get(username);
        if (password === undefined) throw new Error(`the cluster created no agent ${username}`);
        return password;
      },
      connectAs: async (i, username) =>
        connectAgent(
          member(i).url,
          await login(member(i).url, username, cluster.password(username)),
        ),
      kill: (i, signal = 'SIGKILL') => stopProcess(member(i).server, signal),
      restart: async (i) => {
        const old = member(i);
        await stopProcess(old.server, 'SIGKILL');
        members[i] = await startOn(databaseUrl, old.port, args);
        return members[i].url;
      },
      dispose: async () => {
        process.off('exit', stopAll);
        await Promise.all(members.map((m) => stopProcess(m.server, 'SIGTERM')));
      },
    };
    return cluster;
  } catch (error) {
    stopAll();
    process.off('exit', stopAll);
    throw error;
  }
}
