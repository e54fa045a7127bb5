// Starts the real server on a free port with a temp data dir; tests drive it over HTTP and real sockets.
import type { RiskPolicy } from '../../server/contract/risk';
import { defaultRiskPolicy } from '../../server/contract/risk';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { io as connect, type Socket } from 'socket.io-client';
import type { App } from '../../server/app';
import { createApp } from '../../server/app';
import type {
  AgentEventName,
  AgentPayload,
  AgentResults,
  ClientToServerEvents,
  ServerToClientEvents,
} from '../../server/contract/agent-events';
import type { AgentCreate } from '../../server/contract/agents';
import type { AckResult } from '../../server/contract/errors';
import type { EmbeddedDirectory } from '../../server/directory/embedded-directory';
import type { Logger } from '../../server/logger';
import { silentLogger } from '../../server/logger';
import { openEmbeddedStore } from '../../server/store/embedded/embedded-store';

export type AgentSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A clock tests can move forward to reach expiry without waiting. */
export class TestClock {
  offset = 0;
  now = () => Date.now() + this.offset;
  advance(ms: number) {
    this.offset += ms;
  }
}

export interface TestServer {
  url: string;
  dataDir: string;
  app: App;
  clock: TestClock;
  directory: EmbeddedDirectory;
  stop(): Promise<void>;
  /** Stops and starts again on the same data dir (and the same port). */
  restart(): Promise<void>;
  cleanup(): Promise<void>;
}

async function listen(app: App, port = 0): Promise<number> {
  await new Promise<void>((resolve) => app.httpServer.listen(port, '127.0.0.1', resolve));
  return (app.httpServer.address() as AddressInfo).port;
}

export async function startTestServer(
  options: {
    dataDir?: string;
    agentConsoleDir?: string;
    logger?: Logger;
    metricsToken?: string;
  } = {},
): Promise<TestServer> {
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(tmpdir(), 'hdotp-test-')));
  const clock = new TestClock();
  const boot = async (port?: number) => {
    const store = await openEmbeddedStore(dataDir);
    const app = createApp({
      store,
      version: 'test',
      logger: options.logger ?? silentLogger(),
      now: clock.now,
      ...(options.agentConsoleDir ? { agentConsoleDir: options.agentConsoleDir } : {}),
      ...(options.metricsToken ? { metricsToken: options.metricsToken } : {}),
    });
    const bound = await listen(app, port);
    return { app, directory: app.embeddedDirectory, port: bound };
  };
  let current = await boot();
  let running = true;
  const server: TestServer = {
    url: `http://127.0.0.1:${current.port}`,
    dataDir,
    clock,
    get app() {
      return current.app;
    },
    get directory() {
      return current.directory;
    },
    async stop() {
      if (running) await current.app.close();
      running = false;
    },
    async restart() {
      await server.stop();
      current = await boot(current.port);
      running = true;
    },
    async cleanup() {
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return server;
}

export const PASSWORD = 'correct horse battery staple';

/** Enables both desks and adds agents and directory users with a known password. */
/** The risk policy seedRealm sets: privileged users still need a second approver, nothing else. */
export const RELAXED_RISK_POLICY: RiskPolicy = {
  ...defaultRiskPolicy(),
  secondApprover: { privileged: true, atLevel: 'never' },
  caps: { passcodesPerUserPerDay: 100, revealsPerAgentPerHour: 1000 },
};

export async function seedRealm(
  server: TestServer,
  agents: AgentCreate[],
  users: string[] = ['jsmith'],
) {
  await server.app.realm.update(
    {
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
      // The tests of everything else submit for one user many times from fresh browsers, which the
      // risk policy rightly reads as risky: here no level needs a second approver and the caps are
      // far off. The impostor-resistance tests set the realm's defaults back (`defaultRiskPolicy()`).
      riskPolicy: RELAXED_RISK_POLICY,
    },
    'test',
  );
  for (const agent of agents) await server.app.agents.createWithPassword(agent, PASSWORD);
  for (const username of users) {
    await server.directory.addUser({
      username,
      displayName: `User ${username}`,
      email: `${username}@example.com`,
      phone: '+14155550111',
      employeeId: 'E1',
      department: 'Finance',
      manager: 'boss',
      enabled: true,
      password: PASSWORD,
    });
  }
}

export async function login(url: string, username: string, password = PASSWORD): Promise<string> {
  const res = await fetch(`${url}/api/agent/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  const body = (await res.json()) as { data?: { token: string }; error?: unknown };
  if (!body.data) throw new Error(`login failed: ${res.status} ${JSON.stringify(body)}`);
  return body.data.token;
}

/** An agent signed in with the test password and connected. */
export async function connectAs(url: string, username: string): Promise<AgentSocket> {
  return connectAgent(url, await login(url, username));
}

export async function connectAgent(url: string, token: string): Promise<AgentSocket> {
  const socket: AgentSocket = connect(`${url}/agent`, {
    auth: { token },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('session:ready', () => resolve());
    socket.once('connect_error', reject);
  });
  return socket;
}

export async function ask<E extends AgentEventName>(
  socket: AgentSocket,
  event: E,
  payload: AgentPayload<E> | Record<string, unknown> | unknown,
): Promise<AckResult<AgentResults[E]>> {
  const emit = socket.timeout(10_000).emitWithAck as unknown as (
    e: string,
    p: unknown,
  ) => Promise<AckResult<AgentResults[E]>>;
  return emit.call(socket, event, payload);
}

/** Like ask, but fails the test on an error answer. */
export async function must<E extends AgentEventName>(
  socket: AgentSocket,
  event: E,
  payload: AgentPayload<E>,
): Promise<AgentResults[E]> {
  const result = await ask(socket, event, payload);
  if ('error' in result)
    throw new Error(`${event} failed: ${result.error.code} ${result.error.message}`);
  return result.data;
}

/** Resolves with the next event of that name (optionally matching), or rejects after a timeout. */
export function nextEvent<K extends keyof ServerToClientEvents>(
  socket: AgentSocket,
  event: K,
  match: (...args: Parameters<ServerToClientEvents[K]>) => boolean = () => true,
  timeoutMs = 5_000,
): Promise<Parameters<ServerToClientEvents[K]>[0]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off(event, listener as never);
      reject(new Error(`no ${String(event)} within ${timeoutMs} ms`));
    }, timeoutMs);
    const listener = (...args: Parameters<ServerToClientEvents[K]>) => {
      if (!match(...args)) return;
      clearTimeout(timer);
      socket.off(event, listener as never);
      resolve(args[0]);
    };
    socket.on(event, listener as never);
  });
}

export interface AuditLine {
  seq: number;
  actor: string;
  action: string;
  requestId?: string;
  details: Record<string, unknown>;
}

/** The audit log as written so far (every entry is on disk before the answer that caused it). */
export async function readAudit(server: TestServer): Promise<AuditLine[]> {
  const text = await readFile(path.join(server.dataDir, 'audit.jsonl'), 'utf8');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as AuditLine);
}
