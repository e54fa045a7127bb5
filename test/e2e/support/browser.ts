// Real Chromium for browser tests: Debian's build driven by playwright-core, screenshots and an axe-core scan.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, LaunchOptions, Page } from 'playwright-core';
import { chromium } from 'playwright-core';

/** Flags for a quiet, headless Chromium that reaches nothing but the server under test. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
] as const;

const SCREENSHOT_DIR = path.resolve('test-results', 'screenshots');

/** Debian's chromium at /usr/bin/chromium, else whatever `command -v chromium` finds. */
export function chromiumPath(): string {
  const standard = '/usr/bin/chromium';
  if (existsSync(standard)) return standard;
  try {
    const found = execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim();
    if (found) return found;
  } catch {
    // Reported below.
  }
  throw new Error(
    'Chromium was not found: install it with `apt-get install -y chromium` (Debian), as .ci/run does.',
  );
}

export async function launchBrowser(
  options: Omit<LaunchOptions, 'executablePath'> = {},
): Promise<Browser> {
  return chromium.launch({
    ...options,
    executablePath: chromiumPath(),
    args: [...CHROMIUM_ARGS, ...(options.args ?? [])],
  });
}

/** Saves a full-page PNG as test-results/screenshots/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name.replace(/[^a-z0-9._-]+/gi, '-')}.png`);
  await page.screenshot({ path: file, fullPage: true, animations: 'disabled', caret: 'hide' });
  return file;
}

export interface A11yViolation {
  id: string;
  impact: string;
  help: string;
  targets: string[];
}

/** axe-core's WCAG 2.x A/AA rules on the page as it is now; returns the serious and critical violations. */
export async function seriousA11yViolations(page: Page): Promise<A11yViolation[]> {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'])
    .analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({
      id: v.id,
      impact: v.impact ?? '',
      help: v.help,
      targets: v.nodes.map((n) => n.target.join(' ')),
    }));
}
