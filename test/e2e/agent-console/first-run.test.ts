// The desktop app's first-run screen in real Chromium: the built console, served at /agent, with a
// stand-in for the desktop bridge that has no server set (Electron itself cannot run here). The
// screen in both themes with axe clean, the address checked before the bridge is asked, and the
// bridge's refusals shown.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../../support/test-server';
import { startTestServer } from '../../support/test-server';
import { launchBrowser } from '../support/browser';
import { ensureConsoleBuilt, shoot } from './console';

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  await ensureConsoleBuilt();
  server = await startTestServer();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.cleanup();
});

/**
 * A desktop bridge with no server set. Its chooseServer does what main's does over the network:
 * asks the address's /healthz and wants Help Desk OTP there; it records what it was asked.
 */
function standInBridge() {
  const calls: string[] = [];
  // Runs in the page (this project has no DOM types): globalThis is its window.
  (globalThis as unknown as { chosen: string[] }).chosen = calls;
  const desk = {
    getServerUrl: async () => '',
    getServerSetting: async () => ({ serverUrl: null, source: null }),
    async chooseServer(serverUrl: string) {
      calls.push(serverUrl);
      let response: Response;
      try {
        response = await fetch(`${serverUrl}/healthz`);
      } catch (error) {
        return { ok: false, reason: 'unreachable', detail: (error as Error).message };
      }
      const health = (await response.json().catch(() => null)) as { product?: unknown } | null;
      return health?.product === 'Help Desk OTP'
        ? { ok: true, serverUrl }
        : { ok: false, reason: 'not-help-desk', detail: `${serverUrl}/healthz` };
    },
    getServerStatus: async () => {
      throw new Error('No server is set yet');
    },
    getVersion: async () => '0.1.0',
    saveSessionToken: async () => ({ stored: false }),
    loadSessionToken: async () => null,
    notify: async () => undefined,
    setPendingCount: async () => undefined,
    onOpenRequest: () => () => undefined,
  };
  Object.defineProperty(globalThis, 'desk', { value: desk });
}

async function openFirstRun(): Promise<{
  context: BrowserContext;
  page: Page;
  problems: string[];
}> {
  const context = await browser.newContext({
    baseURL: server.url,
    viewport: { width: 1100, height: 760 },
  });
  await context.addInitScript(standInBridge);
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  await page.goto('/agent/');
  await page.getByRole('heading', { level: 1, name: 'Connect to your help desk server' }).waitFor();
  return { context, page, problems };
}

const chosen = (page: Page) => page.evaluate('window.chosen') as Promise<string[]>;

describe('the first-run screen', () => {
  it('looks like the console and is axe-clean, light and dark, also when an address is refused', async () => {
    const { context, page, problems } = await openFirstRun();
    expect(
      await page.evaluate("document.activeElement === document.getElementById('server-address')"),
    ).toBe(true);
    await shoot(page, 'first-run');
    await page.emulateMedia({ colorScheme: 'dark' });
    await shoot(page, 'first-run-dark');

    await page.getByLabel('Server address').fill('ftp://helpdesk.example.com');
    await page.getByRole('button', { name: 'Connect' }).click();
    await page.getByText('Use an http:// or https:// address').waitFor();
    await shoot(page, 'first-run-invalid-dark');
    expect(await chosen(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('hands a Help Desk OTP server to the app and says so', async () => {
    const { context, page, problems } = await openFirstRun();
    await page.getByLabel('Server address').fill(`${server.url}/`);
    await page.getByRole('button', { name: 'Connect' }).click();
    await expect
      .poll(() => page.getByRole('status').textContent())
      .toBe(`Connected to ${server.url}. Opening the console…`);
    expect(await chosen(page)).toEqual([server.url]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('says what is wrong with an address where something else answers', async () => {
    const { context, page } = await openFirstRun();
    // The console's own page answers there, but not with a health report.
    await page.getByLabel('Server address').fill(`${server.url}/agent`);
    await page.getByRole('button', { name: 'Connect' }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toBe(
      `Something answered at ${server.url}/agent, but not a Help Desk OTP server. Check the address with your IT team.`,
    );
    await shoot(page, 'first-run-refused');
    await context.close();
  });
});
