// Agent sockets for benchmarks: connect many, and time when each submitted request reaches each of them.
import { io, type Socket } from 'socket.io-client';
import type { BenchAgent } from './data-dir';

export interface AgentFleet {
  sockets: Socket[];
  /** Called for each request:created at each agent, with the arrival time. */
  onCreated(listener: (username: string, desk: string, at: number) => void): void;
  close(): void;
}

export async function connectFleet(
  url: string,
  agents: readonly BenchAgent[],
  baseline = false,
): Promise<AgentFleet> {
  const listeners: Array<(username: string, desk: string, at: number) => void> = [];
  const sockets = await Promise.all(
    agents.map(
      (agent) =>
        new Promise<Socket>((resolve, reject) => {
          const socket = io(`${url}/agent`, {
            auth: baseline ? { desk: agent.desk } : { token: agent.token },
            transports: ['websocket'],
            forceNew: true,
            reconnection: false,
          });
          socket.on('request:created', (r: { username: string; desk: string }) => {
            const at = performance.now();
            for (const l of listeners) l(r.username, r.desk, at);
          });
          socket.once('session:ready', () => resolve(socket));
          socket.once('connect_error', reject);
        }),
    ),
  );
  return {
    sockets,
    onCreated: (l) => listeners.push(l),
    close: () => sockets.forEach((s) => s.disconnect()),
  };
}

/** Several fleets (one per process of a cluster) as one: every arrival at any of them is heard. */
export function combineFleets(fleets: readonly AgentFleet[]): AgentFleet {
  return {
    sockets: fleets.flatMap((f) => f.sockets),
    onCreated: (listener) => fleets.forEach((f) => f.onCreated(listener)),
    close: () => fleets.forEach((f) => f.close()),
  };
}
