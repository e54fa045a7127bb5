// Figure 10: reading history does not slow the live queue. The agent console's first render and
// submit → row on screen (as figure 6 measures them, in Chromium) on a store holding a long history
// while an admin elsewhere searches History and Audit back to back, beside a store with neither.
import { spawn } from 'node:child_process';
import type { Browser } from 'playwright-core';
import { io } from 'socket.io-client';
import type { AckResult } from '../../server/contract/errors';
import type { HistoryPlan } from '../../test/support/history-data-dir';
import type { BenchAgent } from '../lib/data-dir';
import { ROOT } from '../lib/processes';
import { round, summarize, type LatencySummary } from '../lib/stats';
import type { SearchClientOutput, SearchSample } from '../search-client';
import { measureConsole, type ConsoleFigure } from './console';

export interface SearchLoad {
  /** Asks the searcher to finish the search under way, and returns what it measured. */
  stop(): Promise<SearchClientOutput>;
}

/**
 * Starts the searching admin in its own process. An admin would be at another machine; here it
 * shares two cores with the server and the browser, so it runs at the lowest CPU priority (nice 19),
 * as figure 5's flooder does: the figure then measures what the server pays for the searches.
 */
export async function startSearchLoad(
  url: string,
  admin: BenchAgent,
  plan: HistoryPlan,
  seed: number,
): Promise<SearchLoad> {
  const child = spawn(
    'nice',
    [
      '-n',
      '19',
      process.execPath,
      '--import',
      'tsx',
      'bench/search-client.ts',
      url,
      admin.token,
      JSON.stringify(plan),
      String(seed),
    ],
    { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] },
  );
  let output = '';
  let searching: () => void = () => {};
  const underWay = new Promise<void>((resolve) => (searching = resolve));
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    if (output.includes('searching\n')) searching();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  await Promise.race([underWay, exited]);
  if (child.exitCode !== null) throw new Error(`the search client exited: ${output}`);
  return {
    async stop() {
      child.stdin.end('stop\n');
      const code = await exited;
      const last = output.trim().split('\n').at(-1) ?? '';
      if (code !== 0 || !last.startsWith('{'))
        throw new Error(`the search client failed (${code}): ${output}`);
      return JSON.parse(last) as SearchClientOutput;
    },
  };
}

/**
 * One History and one Audit search as an admin, each timed: the first ones wait until the indexes
 * of the history and the log are built, so measuring starts on a server ready to search.
 */
export async function firstSearches(
  url: string,
  admin: BenchAgent,
): Promise<{ historyMs: number; auditMs: number }> {
  const socket = io(`${url}/agent`, {
    auth: { token: admin.token },
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
  });
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('session:ready', () => resolve());
      socket.once('connect_error', reject);
    });
    const timed = async (event: 'history:search' | 'audit:search') => {
      const started = performance.now();
      const answer = (await socket
        .timeout(120_000)
        .emitWithAck(event, { offset: 0, limit: 50 })) as AckResult<unknown>;
      if ('error' in answer) throw new Error(`${event}: ${answer.error.message}`);
      return round(performance.now() - started, 0);
    };
    return { historyMs: await timed('history:search'), auditMs: await timed('audit:search') };
  } finally {
    socket.disconnect();
  }
}

/** How many requests are open on the server now (all on desk 1 here): the queue's "N waiting". */
async function openCount(url: string): Promise<number> {
  const health = (await (await fetch(`${url}/healthz`)).json()) as {
    storage: { openRequests?: number };
  };
  const open = health.storage.openRequests;
  if (open === undefined) throw new Error('/healthz says nothing of the open requests');
  return open;
}

/**
 * Figure 6's measurement once on our server, signed in as agent1-0 (desk 1): `runs` first renders,
 * then `events` submits at `perSecond`, timed to their rows.
 */
export async function consoleRound(options: {
  browser: Browser;
  url: string;
  runs: number;
  events: number;
  perSecond: number;
  prefix: string;
  ipOffset: number;
  keepSamples: number[];
}): Promise<ConsoleFigure> {
  const waiting = `${await openCount(options.url)} waiting`;
  return measureConsole({
    browser: options.browser,
    serverUrl: options.url,
    pageUrl: `${options.url}/agent/`,
    async signIn(page) {
      await page.getByLabel('Username').fill('agent1-0');
      await page.getByLabel('Password').fill('bench agent password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByText(waiting).waitFor({ timeout: 30_000 });
    },
    async expectRows(page) {
      await page.getByText(waiting).waitFor({ timeout: 30_000 });
    },
    async scrollToEnd(page) {
      await page.getByRole('listbox', { name: 'Open requests' }).focus();
      await page.keyboard.press('End');
    },
    runs: options.runs,
    events: options.events,
    perSecond: options.perSecond,
    prefix: options.prefix,
    ipOffset: options.ipOffset,
    keepSamples: options.keepSamples,
  });
}

export interface SearchSummary {
  searches: number;
  history: number;
  audit: number;
  /** Searches answered a second, over the time they ran (the console's measurement). */
  perSecond: number;
  seconds: number;
  latency: LatencySummary;
  historyLatency: LatencySummary;
  auditLatency: LatencySummary;
  /** The deepest page asked for (offset), and the largest result set paged through. */
  deepestOffset: { history: number; audit: number };
  largestTotal: { history: number; audit: number };
  failed: number;
  failures: string[];
}

/** What the searching admin did over one or more runs. */
export function summarizeSearches(runs: readonly SearchClientOutput[]): SearchSummary {
  const samples = runs.flatMap((r) => r.samples);
  const of = (kind: SearchSample['kind']) => samples.filter((s) => s.kind === kind);
  const seconds = runs.reduce((n, r) => n + r.durationMs, 0) / 1000;
  const deepest = (kind: SearchSample['kind']) => Math.max(0, ...of(kind).map((s) => s.offset));
  const largest = (kind: SearchSample['kind']) => Math.max(0, ...of(kind).map((s) => s.total));
  return {
    searches: samples.length,
    history: of('history').length,
    audit: of('audit').length,
    perSecond: seconds > 0 ? round(samples.length / seconds, 1) : 0,
    seconds: round(seconds, 1),
    latency: summarize(samples.map((s) => s.ms)),
    historyLatency: summarize(of('history').map((s) => s.ms)),
    auditLatency: summarize(of('audit').map((s) => s.ms)),
    deepestOffset: { history: deepest('history'), audit: deepest('audit') },
    largestTotal: { history: largest('history'), audit: largest('audit') },
    failed: runs.reduce((n, r) => n + r.failed, 0),
    failures: runs.flatMap((r) => r.failures).slice(0, 5),
  };
}
