// `npm run bench`: every figure measured beside a bare express + socket.io baseline in the same run.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { connectFleet } from './lib/agents';
import { buildDataDir } from './lib/data-dir';
import { ROOT, startBaseline, startServer, type Running } from './lib/processes';
import { round, sleep } from './lib/stats';
import { measureFanOutInterleaved, type FanOutResult } from './figures/fan-out';
import { measureFlood } from './figures/flood';
import { measureLifecycles } from './figures/lifecycle';
import { measureThroughput } from './figures/throughput';
import { ensureConsoleBuilt, launch, measureConsole } from './figures/console';

interface Figure {
  id: string;
  what: string;
  unit: string;
  value: number | null;
  baseline: number | null;
  ratio: number | null;
  target: string;
  met: boolean;
  details: Record<string, unknown>;
}

const { values } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, out: { type: 'string' } },
});
/** --quick scales every load down, for trying the harness; only full runs go in the README. */
const scale = values.quick ? 0.1 : 1;
const AGENTS_PER_DESK = 100;
const FIG1 = { count: Math.round(2000 * scale), perSecond: 100 };
const FIG2_MS = 30_000 * scale;
const FIG3_MS = 5_000 * scale;
const FIG5_MS = 60_000 * scale;
const HISTORY = Math.round(100_000 * scale);
const OPEN_FOR_RSS = 10_000;
const CONSOLE_PENDING = 5_000;
const CONSOLE_EVENTS = Math.max(20, Math.round(70 * scale));

const figures: Figure[] = [];
const ratio = (a: number, b: number) => (b > 0 ? round(a / b, 3) : null);
const benchStart = performance.now();
function report(figure: Figure) {
  figures.push(figure);
  process.stdout.write(`[${Math.round((performance.now() - benchStart) / 1000)} s]`);
  console.log(
    `  ${figure.id.padEnd(4)} ${figure.what}: ${figure.value} ${figure.unit} (baseline ${figure.baseline ?? '—'}, ratio ${figure.ratio ?? '—'}, target ${figure.target}) ${figure.met ? 'met' : 'MISSED'}`,
  );
}

async function withFleet<T>(
  target: Running,
  agents: Awaited<ReturnType<typeof buildDataDir>>['agents'],
  baseline: boolean,
  work: (fleet: Awaited<ReturnType<typeof connectFleet>>) => Promise<T>,
): Promise<T> {
  const fleet = await connectFleet(target.url, agents, baseline);
  try {
    return await work(fleet);
  } finally {
    fleet.close();
    await sleep(200);
  }
}

async function main() {
  const startedAt = new Date();
  const t0 = performance.now();
  console.log(
    `Help Desk OTP bench — ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}${values.quick ? ' (quick)' : ''}`,
  );
  const dirs: string[] = [];

  // Empty store: figures 1, 2, 3, 5.
  const empty = await buildDataDir({ agentsPerDesk: AGENTS_PER_DESK, directoryUsers: 5_000 });
  dirs.push(empty.dir);
  const baseline = await startBaseline();
  const baselineRss = await baseline.rssMb();
  const baselineStartup = baseline.startupMs;
  const ours = await startServer(empty.dir);

  const fanOpts = { ...FIG1, agentsPerDesk: AGENTS_PER_DESK };
  const fig1 = await withFleet(baseline, empty.agents, true, (baseFleet) =>
    withFleet(ours, empty.agents, false, (ourFleet) =>
      measureFanOutInterleaved(
        [
          { url: baseline.url, fleet: baseFleet, prefix: 'b1-' },
          { url: ours.url, fleet: ourFleet, prefix: 'f1-' },
        ],
        { ...fanOpts, rounds: 4, ipOffset: 0 },
      ),
    ),
  );
  const [base1, ours1] = fig1 as [FanOutResult, FanOutResult];
  report({
    id: '1',
    what: 'submit → request:created at every agent of the desk, p99',
    unit: 'ms',
    value: ours1.p99,
    baseline: base1.p99,
    ratio: ratio(ours1.p99, base1.p99),
    target: '≤ 1.5 × baseline p99',
    met:
      ours1.p99 <= 1.5 * base1.p99 && ours1.deliveries === ours1.expected && ours1.rejected === 0,
    details: {
      ours: ours1,
      baseline: base1,
      load: `${AGENTS_PER_DESK * 2} agents, ${FIG1.perSecond} submits/s, ${FIG1.count} submits`,
    },
  });

  const base2 = await withFleet(baseline, empty.agents, true, () =>
    measureThroughput(baseline.url, {
      durationMs: FIG2_MS,
      concurrency: 32,
      prefix: 'b2-',
      ipOffset: 100_000,
    }),
  );
  const ours2 = await withFleet(ours, empty.agents, false, () =>
    measureThroughput(ours.url, {
      durationMs: FIG2_MS,
      concurrency: 32,
      prefix: 'f2-',
      ipOffset: 100_000,
    }),
  );
  report({
    id: '2',
    what: 'sustained durable submits/s (200 agents connected)',
    unit: '/s',
    value: ours2.perSecond,
    baseline: base2.perSecond,
    ratio: ratio(ours2.perSecond, base2.perSecond),
    target: '≥ 0.5 × baseline',
    met: ours2.perSecond >= 0.5 * base2.perSecond,
    details: { ours: ours2, baseline: base2, durationSeconds: FIG2_MS / 1000, concurrency: 32 },
  });

  const ours5 = await withFleet(ours, empty.agents, false, (f) =>
    measureFlood(ours.url, f, {
      durationMs: FIG5_MS,
      honestUsers: 20,
      agentsPerDesk: AGENTS_PER_DESK,
    }),
  );
  report({
    id: '5',
    what: 'honest users p99 under a flood from one client',
    unit: 'ms',
    value: ours5.honest.p99,
    baseline: ours1.p99,
    ratio: ratio(ours5.honest.p99, ours1.p99),
    target: '≤ 2 × figure 1 p99; flood answered 429',
    met:
      ours5.honest.p99 <= 2 * ours1.p99 &&
      ours5.flood.answered429 > 0 &&
      ours5.honestRejected === 0,
    details: ours5,
  });

  const ours3 = await withFleet(ours, empty.agents, false, (f) => {
    const workers = f.sockets
      .map((socket, i) => ({ socket, desk: empty.agents[i]!.desk }))
      .filter((_, i) => i % AGENTS_PER_DESK < 25);
    return measureLifecycles(ours.url, workers, FIG3_MS);
  });
  report({
    id: '3',
    what: 'whole lifecycles/s, 50 agents working',
    unit: '/s',
    value: ours3.perSecond,
    baseline: null,
    ratio: null,
    target: 'reported, with the per-step cost',
    met: ours3.failures === 0 && ours3.completed > 0,
    details: ours3,
  });
  await ours.stop();
  await baseline.stop();

  // History on disk: figures 4 and 7's start-up.
  const history = await buildDataDir({ agentsPerDesk: AGENTS_PER_DESK, closedRequests: HISTORY });
  dirs.push(history.dir);
  const withHistory = await startServer(history.dir);
  // Compared with a fresh empty store side by side, in alternating rounds, as figure 1 is.
  const fresh = await buildDataDir({ agentsPerDesk: AGENTS_PER_DESK });
  dirs.push(fresh.dir);
  const freshServer = await startServer(fresh.dir);
  const [fresh1, hist1] = (await withFleet(freshServer, fresh.agents, false, (freshFleet) =>
    withFleet(withHistory, history.agents, false, (histFleet) =>
      measureFanOutInterleaved(
        [
          { url: freshServer.url, fleet: freshFleet, prefix: 'e1-' },
          { url: withHistory.url, fleet: histFleet, prefix: 'h1-' },
        ],
        { ...fanOpts, rounds: 4, ipOffset: 0 },
      ),
    ),
  )) as [FanOutResult, FanOutResult];
  await freshServer.stop();
  const hist2 = await withFleet(withHistory, history.agents, false, () =>
    measureThroughput(withHistory.url, {
      durationMs: FIG2_MS,
      concurrency: 32,
      prefix: 'h2-',
      ipOffset: 100_000,
    }),
  );
  await withHistory.stop();
  const p99Ratio = ratio(hist1.p99, fresh1.p99) ?? Infinity;
  const rateRatio = ratio(ours2.perSecond, hist2.perSecond) ?? Infinity;
  report({
    id: '4',
    what: `figures 1 and 2 with ${HISTORY.toLocaleString('en')} closed requests and ${(HISTORY * 6).toLocaleString('en')} audit entries on disk (worse of p99 and rate ratios)`,
    unit: '×',
    value: round(Math.max(p99Ratio, rateRatio), 3),
    baseline: 1,
    ratio: round(Math.max(p99Ratio, rateRatio), 3),
    target: 'within 1.1 × of the empty-store figures',
    met: p99Ratio <= 1.1 && rateRatio <= 1.1,
    details: {
      fig1: hist1,
      fig1EmptyStore: fresh1,
      fig2: hist2,
      p99Ratio,
      rateSlowdown: rateRatio,
    },
  });
  report({
    id: '7b',
    what: `start-up to ready with ${HISTORY.toLocaleString('en')} closed requests`,
    unit: 'ms',
    value: round(withHistory.startupMs, 0),
    baseline: round(baselineStartup, 0),
    ratio: ratio(withHistory.startupMs, baselineStartup),
    target: '≤ 1000 ms',
    met: withHistory.startupMs <= 1000,
    details: { note: 'spawn → first healthy answer, including loading TypeScript through tsx' },
  });

  const openDir = await buildDataDir({
    agentsPerDesk: AGENTS_PER_DESK,
    openRequests: OPEN_FOR_RSS,
  });
  dirs.push(openDir.dir);
  const withOpen = await startServer(openDir.dir);
  await sleep(1000);
  const rss = await withOpen.rssMb();
  await withOpen.stop();
  report({
    id: '7a',
    what: `server RSS with ${OPEN_FOR_RSS.toLocaleString('en')} open requests`,
    unit: 'MB',
    value: round(rss, 1),
    baseline: round(baselineRss, 1),
    ratio: ratio(rss, baselineRss),
    target: '≤ 200 MB',
    met: rss <= 200,
    details: {},
  });

  // The console in Chromium: figure 6.
  ensureConsoleBuilt();
  const consoleDir = await buildDataDir({ agentsPerDesk: 1, openRequests: CONSOLE_PENDING });
  dirs.push(consoleDir.dir);
  const browser = await launch();
  const forConsole = await startServer(consoleDir.dir);
  const ours6 = await measureConsole({
    browser,
    serverUrl: forConsole.url,
    pageUrl: `${forConsole.url}/agent/`,
    async signIn(page) {
      await page.getByLabel('Username').fill('agent1-0');
      await page.getByLabel('Password').fill('bench agent password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByText(`${CONSOLE_PENDING} waiting`).waitFor({ timeout: 30_000 });
    },
    async expectRows(page) {
      await page.getByText(`${CONSOLE_PENDING} waiting`).waitFor({ timeout: 30_000 });
    },
    async scrollToEnd(page) {
      await page.getByRole('listbox', { name: 'Open requests' }).focus();
      await page.keyboard.press('End');
    },
    runs: 5,
    events: CONSOLE_EVENTS,
    perSecond: 10,
    prefix: 'c',
  });
  await forConsole.stop();
  const bareConsole = await startBaseline();
  await fetch(`${bareConsole.url}/api/seed`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ count: CONSOLE_PENDING }),
  });
  const base6 = await measureConsole({
    browser,
    serverUrl: bareConsole.url,
    pageUrl: `${bareConsole.url}/index.html`,
    async expectRows() {},
    async scrollToEnd(page) {
      await page.keyboard.press('End');
    },
    runs: 5,
    events: CONSOLE_EVENTS,
    perSecond: 10,
    prefix: 'b',
  });
  await bareConsole.stop();
  await browser.close();
  report({
    id: '6a',
    what: `agent console first render with ${CONSOLE_PENDING.toLocaleString('en')} pending (Chromium, median of 5)`,
    unit: 'ms',
    value: ours6.firstRenderMs.median,
    baseline: base6.firstRenderMs.median,
    ratio: ratio(ours6.firstRenderMs.median, base6.firstRenderMs.median),
    target: '≤ 500 ms',
    met: ours6.firstRenderMs.median <= 500,
    details: { ours: ours6.firstRenderMs, baseline: base6.firstRenderMs },
  });
  report({
    id: '6b',
    what: `event → row on screen at 10 new requests/s, p99 (${CONSOLE_PENDING.toLocaleString('en')} pending)`,
    unit: 'ms',
    value: ours6.eventToRow.p99,
    baseline: base6.eventToRow.p99,
    ratio: ratio(ours6.eventToRow.p99, base6.eventToRow.p99),
    target: '≤ 50 ms',
    met: ours6.eventToRow.p99 <= 50 && ours6.eventToRow.missing === 0,
    details: { ours: ours6.eventToRow, baseline: base6.eventToRow },
  });

  const results = {
    date: startedAt.toISOString(),
    machine: {
      cpus: os.cpus().length,
      model: os.cpus()[0]?.model ?? '',
      memoryGb: round(os.totalmem() / 2 ** 30, 1),
      node: process.version,
      platform: `${os.platform()} ${os.release()}`,
    },
    quick: values.quick,
    durationSeconds: round((performance.now() - t0) / 1000, 1),
    figures,
  };
  const out = values.out ?? path.join(ROOT, 'bench/results/latest.json');
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify(results, null, 2)}\n`);
  console.log(
    `\n${markdownTable(figures)}\nwritten to ${path.relative(ROOT, out)} in ${results.durationSeconds} s`,
  );
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
}

export function markdownTable(rows: Figure[]): string {
  const lines = [
    '| # | what | ours | baseline | ratio | target | met |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const f of rows)
    lines.push(
      `| ${f.id} | ${f.what} | ${f.value ?? '—'} ${f.unit} | ${f.baseline ?? '—'} | ${f.ratio ?? '—'} | ${f.target} | ${f.met ? 'yes' : '**no**'} |`,
    );
  return lines.join('\n');
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
