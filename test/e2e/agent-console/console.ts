// Driving the agent console at /agent in real Chromium: a fresh build, sign-in, queue rows, the passcode.
import { execFile } from 'node:child_process';
import { mkdir, readdir, rmdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import { PASSWORD } from '../../support/test-server';
import { screenshot, seriousA11yViolations } from '../support/browser';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BUILT_INDEX = path.join(ROOT, 'out', 'renderer', 'index.html');
/** What the console's build is made from: a change to any of these makes a stale build. */
const SOURCES = [
  'renderer',
  'server/contract',
  'server/domain',
  'preload/index.d.ts',
  'main/server-url.ts',
  'vite.renderer.config.ts',
];
const BUILD_LOCK = path.join(ROOT, 'out', '.agent-console-build.lock');

async function newestChange(entry: string): Promise<number> {
  const info = await stat(entry).catch(() => undefined);
  if (!info) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  const names = await readdir(entry);
  const times = await Promise.all(names.map((name) => newestChange(path.join(entry, name))));
  return Math.max(info.mtimeMs, ...times);
}

async function buildIsFresh(): Promise<boolean> {
  const built = await stat(BUILT_INDEX).catch(() => undefined);
  if (!built) return false;
  const sources = await Promise.all(SOURCES.map((s) => newestChange(path.join(ROOT, s))));
  return Math.max(...sources) <= built.mtimeMs;
}

/**
 * The server serves out/renderer at /agent; CI builds it first (`npm run build`). A local run
 * after editing the console rebuilds it here, once, even with several test files starting at once.
 */
export async function ensureConsoleBuilt(): Promise<void> {
  if (await buildIsFresh()) return;
  await mkdir(path.dirname(BUILD_LOCK), { recursive: true });
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      await mkdir(BUILD_LOCK);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`stale lock ${BUILD_LOCK}: remove it`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    if (await buildIsFresh()) return;
    await promisify(execFile)(
      process.execPath,
      [
        path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'),
        'build',
        '--config',
        'vite.renderer.config.ts',
        '--logLevel',
        'warn',
      ],
      // Vitest runs with NODE_ENV=test, which would make Vite bundle React's development build.
      { cwd: ROOT, env: { ...process.env, NODE_ENV: 'production' } },
    );
  } finally {
    await rmdir(BUILD_LOCK).catch(() => undefined);
  }
}

export interface ConsolePage {
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught exceptions (a CSP violation shows up here too). */
  problems: string[];
}

/** A fresh browser context (its own sessionStorage) with the console open at /agent/. */
export async function openConsole(browser: Browser, serverUrl: string): Promise<ConsolePage> {
  const context = await browser.newContext({
    baseURL: serverUrl,
    viewport: { width: 1360, height: 860 },
  });
  const page = await context.newPage();
  // Fail a missing element within seconds, naming it, rather than at the test's own timeout.
  page.setDefaultTimeout(15_000);
  const problems: string[] = [];
  page.on('console', (message) => {
    // A refused sign-in is a 4xx the page handles; Chromium logs it all the same.
    const refused = /^Failed to load resource: the server responded with a status of 4\d\d/;
    if (message.type() === 'error' && !refused.test(message.text())) problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  await page.goto('/agent/');
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
  return { context, page, problems };
}

export async function signIn(page: Page, username: string, password = PASSWORD): Promise<void> {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Queue' }).waitFor();
}

/** The queue row of a request, found by its reference code as a person reads it. */
export function queueRow(page: Page, reference: string): Locator {
  return page.getByRole('listbox', { name: 'Open requests' }).getByRole('option', {
    name: new RegExp(`^${reference} `),
  });
}

/** Opens a page of Settings by its entry in the side navigation, as an admin does. */
export async function openSettingsPage(page: Page, name: string): Promise<void> {
  const link = page
    .getByRole('navigation', { name: 'Settings sections' })
    .getByRole('link', { name, exact: true });
  await link.click();
  await expect.poll(() => link.getAttribute('aria-current')).toBe('page');
}

/** The passcode on the agent's screen, digits only (the groups are separate elements). */
export async function readOtp(page: Page): Promise<string> {
  const shown = page.getByRole('status', { name: /^Passcode / });
  await shown.waitFor();
  const digits = ((await shown.textContent()) ?? '').replace(/\D/g, '');
  expect(digits).toMatch(/^\d{6,10}$/);
  return digits;
}

/** Saves test-results/screenshots/agent-<name>.png and fails on serious accessibility problems. */
export async function shoot(page: Page, name: string, options: { axe?: boolean } = {}) {
  // From the top, so the sticky top bar is drawn where it belongs in a full-page capture.
  await page.evaluate('window.scrollTo(0, 0)');
  await screenshot(page, `agent-${name}`);
  if (options.axe === false) return;
  expect(await seriousA11yViolations(page), `accessibility of agent-${name}`).toEqual([]);
}
