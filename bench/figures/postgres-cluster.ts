// Figure 11: two server processes on one PostgreSQL beside one embedded process, in the same run,
// rounds alternating between them: durable submits a second (11a), submit → every agent p99 with
// the agents spread over both processes (11b), and both again with 100,000 closed requests in the
// database beside an empty one (11c).
import { combineFleets, connectFleet, type AgentFleet } from '../lib/agents';
import type { BenchAgent } from '../lib/data-dir';
import { buildDataDir } from '../lib/data-dir';
import { copyToPostgres, startPostgres } from '../lib/postgres';
import { startServer, type Running } from '../lib/processes';
import { round, sleep, spreadOf, type Spread } from '../lib/stats';
import { measureFanOutInterleaved } from './fan-out';
import { measureThroughputInterleaved } from './throughput';

export interface ClusterFigure {
  id: string;
  what: string;
  unit: string;
  value: number | null;
  baseline: number | null;
  ratio: number | null;
  spread: Spread | null;
  target: string;
  met: boolean;
  details: Record<string, unknown>;
}

export interface ClusterOptions {
  agentsPerDesk: number;
  history: number;
  directoryUsers: number;
  throughput: { roundMs: number; rounds: number; concurrency: number };
  fanOut: { perSecond: number; count: number; rounds: number };
}

interface Target {
  name: string;
  urls: string[];
  agents: BenchAgent[];
  servers: Running[];
}

/** Each agent connects to one process of the target, in turn: a desk's agents are on every process. */
async function spreadFleet(target: Target): Promise<AgentFleet> {
  const fleets = await Promise.all(
    target.urls.map((url, p) =>
      connectFleet(
        url,
        target.agents.filter((_, i) => i % target.urls.length === p),
      ),
    ),
  );
  return combineFleets(fleets);
}

const ratio = (a: number, b: number) => (b > 0 ? round(a / b, 3) : null);
const perRound = (a: readonly number[], b: readonly number[]) => a.map((x, i) => x / b[i]!);

export async function measurePostgresCluster(
  dirs: string[],
  options: ClusterOptions,
): Promise<ClusterFigure[]> {
  const postgres = await startPostgres();
  const servers: Running[] = [];
  try {
    const embeddedDir = await buildDataDir({
      agentsPerDesk: options.agentsPerDesk,
      directoryUsers: options.directoryUsers,
    });
    const emptyDir = await buildDataDir({
      agentsPerDesk: options.agentsPerDesk,
      directoryUsers: options.directoryUsers,
    });
    const historyDir = await buildDataDir({
      agentsPerDesk: options.agentsPerDesk,
      directoryUsers: options.directoryUsers,
      closedRequests: options.history,
    });
    dirs.push(embeddedDir.dir, emptyDir.dir, historyDir.dir);
    const emptyUrl = await postgres.newDatabase();
    const historyUrl = await postgres.newDatabase();
    const copySeconds = {
      empty: round(await copyToPostgres(emptyDir.dir, emptyUrl), 1),
      history: round(await copyToPostgres(historyDir.dir, historyUrl), 1),
    };

    const start = async (store: string) => {
      const server = await startServer(store);
      servers.push(server);
      return server;
    };
    const embedded = await start(embeddedDir.dir);
    const empty = [await start(emptyUrl), await start(emptyUrl)];
    const history = [await start(historyUrl), await start(historyUrl)];
    const targets: Target[] = [
      { name: 'embedded', urls: [embedded.url], agents: embeddedDir.agents, servers: [embedded] },
      { name: 'postgres', urls: empty.map((s) => s.url), agents: emptyDir.agents, servers: empty },
      {
        name: 'postgres-history',
        urls: history.map((s) => s.url),
        agents: historyDir.agents,
        servers: history,
      },
    ];
    const fleets = await Promise.all(targets.map(spreadFleet));
    try {
      const [eRate, pRate, hRate] = await measureThroughputInterleaved(
        targets.map((t, i) => ({ url: t.urls, prefix: `t11-${i}-` })),
        { ...options.throughput, ipOffset: 300_000 },
      );
      const [eLatency, pLatency, hLatency] = await measureFanOutInterleaved(
        targets.map((t, i) => ({ url: t.urls, fleet: fleets[i]!, prefix: `f11-${i}-` })),
        { ...options.fanOut, agentsPerDesk: options.agentsPerDesk, ipOffset: 400_000 },
      );
      const rate11 = ratio(pRate!.perSecond, eRate!.perSecond);
      const p99Ratio = ratio(pLatency!.p99, eLatency!.p99);
      const historyRate = ratio(pRate!.perSecond, hRate!.perSecond);
      const historyP99 = ratio(hLatency!.p99, pLatency!.p99);
      const delivered = [eLatency, pLatency, hLatency].every(
        (r) => r!.deliveries === r!.expected && r!.rejected === 0,
      );
      const load = `${options.agentsPerDesk * 2} agents per store, spread over the processes`;
      return [
        {
          id: '11a',
          what: 'durable submits/s through the pages: two processes on PostgreSQL beside one embedded process',
          unit: '/s',
          value: pRate!.perSecond,
          baseline: eRate!.perSecond,
          ratio: rate11,
          spread: spreadOf('ratio', perRound(pRate!.roundRates, eRate!.roundRates)),
          target: '≥ 1.5 × one embedded process',
          met: rate11 !== null && rate11 >= 1.5,
          details: { embedded: eRate, postgres: pRate, load, copySeconds, ...options.throughput },
        },
        {
          id: '11b',
          what: 'submit → request:created at every agent of the desk, p99: agents spread over two PostgreSQL processes, beside one embedded process',
          unit: 'ms',
          value: pLatency!.p99,
          baseline: eLatency!.p99,
          ratio: p99Ratio,
          spread: spreadOf('ratio', perRound(pLatency!.roundP99, eLatency!.roundP99)),
          target: '≤ 2 × the embedded p99',
          met: p99Ratio !== null && p99Ratio <= 2 && delivered,
          details: { embedded: eLatency, postgres: pLatency, load, ...options.fanOut },
        },
        {
          id: '11c',
          what: `11a and 11b with ${options.history.toLocaleString('en')} closed requests (and ${(options.history * 6).toLocaleString('en')} audit entries) in the database beside an empty one (worse of the rate and p99 ratios)`,
          unit: '×',
          value: round(Math.max(historyRate ?? Infinity, historyP99 ?? Infinity), 3),
          baseline: 1,
          ratio: round(Math.max(historyRate ?? Infinity, historyP99 ?? Infinity), 3),
          spread: spreadOf('ratio', perRound(hLatency!.roundP99, pLatency!.roundP99)),
          target: '≤ 1.1',
          met:
            historyRate !== null &&
            historyP99 !== null &&
            Math.max(historyRate, historyP99) <= 1.1 &&
            delivered,
          details: {
            rate: { empty: pRate, history: hRate, ratio: historyRate },
            p99: { empty: pLatency, history: hLatency, ratio: historyP99 },
          },
        },
      ];
    } finally {
      for (const fleet of fleets) fleet.close();
      await sleep(200);
    }
  } finally {
    for (const server of servers) await server.stop();
    await postgres.dispose();
  }
}
