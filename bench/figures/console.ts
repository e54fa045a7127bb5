// Figure 6: the agent console in real Chromium with thousands of pending requests — first render,
// and how long a new request takes from its submit to its row in the page.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM_ARGS, chromiumPath } from '../../test/e2e/support/browser';
import { chromium } from 'playwright-core';
import { ipFor, openLoop } from '../lib/load';
import { submitThroughPages } from '../lib/sign-in';
import { ROOT } from '../lib/processes';
import { sleep, summarize, round, type LatencySummary } from '../lib/stats';

export interface ConsoleFigure {
  firstRenderMs: { median: number; max: number; runs: number[] };
  eventToRow: LatencySummary & { missing: number };
}

/** Records, in the page, when the first row appears and when each new username's row does. */
const PAGE_PROBE = `
  window.__firstRow = null;
  window.__seen = {};
  new MutationObserver((mutations) => {
    if (window.__firstRow === null && document.querySelector('[role=option]')) window.__firstRow = performance.now();
    for (const m of mutations) for (const node of m.addedNodes) {
      const text = node.textContent || '';
      const match = /live(\\d+)-/.exec(text);
      if (match && !(match[1] in window.__seen)) {
        const id = match[1];
        window.__seen[id] = -1;
        requestAnimationFrame(() => { window.__seen[id] = performance.timeOrigin + performance.now(); });
      }
    }
  }).observe(document, { subtree: true, childList: true });
`;

export function ensureConsoleBuilt(): void {
  if (existsSync(path.join(ROOT, 'out/renderer/index.html'))) return;
  const build = spawnSync('npx', ['electron-vite', 'build'], { cwd: ROOT, stdio: 'ignore' });
  if (build.status !== 0) throw new Error('could not build the agent console (npm run build)');
}

export async function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), args: [...CHROMIUM_ARGS] });
}

async function firstRender(
  page: Page,
  url: string,
  expectRows: () => Promise<void>,
): Promise<number> {
  await page.goto(url);
  const probe = () =>
    page.evaluate(() => (globalThis as unknown as { __firstRow: number | null }).__firstRow);
  // Polled from here: the console's CSP (rightly) forbids the string evaluation waitForFunction uses.
  for (let waited = 0; (await probe()) === null; waited += 10) {
    if (waited > 30_000) throw new Error('the console rendered no row within 30 s');
    await sleep(10);
  }
  await expectRows();
  return (await probe()) as number;
}

/**
 * Loads the page `runs` times (first render each time), then submits requests at `perSecond`
 * and times submit → row in the page, with the list scrolled to its end where new rows arrive.
 */
export async function measureConsole(options: {
  browser: Browser;
  serverUrl: string;
  pageUrl: string;
  signIn?: (page: Page) => Promise<void>;
  scrollToEnd: (page: Page) => Promise<void>;
  expectRows: (page: Page) => Promise<void>;
  runs: number;
  events: number;
  perSecond: number;
  prefix: string;
  /** Where the submitting people's addresses start (ipFor): another range for each run on one server. */
  ipOffset?: number;
  /** Receives each submit → row sample (ms), to pool several runs. */
  keepSamples?: number[];
}): Promise<ConsoleFigure> {
  const context = await options.browser.newContext({ viewport: { width: 1360, height: 860 } });
  await context.addInitScript(PAGE_PROBE);
  const page = await context.newPage();
  if (options.signIn) {
    await page.goto(options.pageUrl);
    await options.signIn(page);
  }
  const runs: number[] = [];
  for (let i = 0; i < options.runs; i++)
    runs.push(round(await firstRender(page, options.pageUrl, () => options.expectRows(page))));
  await options.scrollToEnd(page);
  await sleep(300);

  const sentAt = new Map<string, number>();
  // Each through the sign-in pages, timed from the desk form's POST.
  await openLoop(options.events, options.perSecond, async (i) => {
    await submitThroughPages(
      options.serverUrl,
      `${options.prefix}live${i}-`,
      '1',
      ipFor((options.ipOffset ?? 950_000) + i),
      () => sentAt.set(String(i), performance.timeOrigin + performance.now()),
    );
  });
  await sleep(500);
  const seen = await page.evaluate(
    () => (globalThis as unknown as { __seen: Record<string, number> }).__seen,
  );
  await context.close();
  const samples: number[] = [];
  for (const [id, t0] of sentAt) {
    const at = seen[id];
    if (at !== undefined && at > 0) samples.push(at - t0);
  }
  options.keepSamples?.push(...samples);
  const sorted = [...runs].sort((a, b) => a - b);
  return {
    firstRenderMs: {
      median: sorted[Math.floor(sorted.length / 2)]!,
      max: sorted[sorted.length - 1]!,
      runs,
    },
    eventToRow: { ...summarize(samples), missing: options.events - samples.length },
  };
}
