// Losing the server in real Chromium: the banner shows while it is gone, and on reconnecting the
// queue reloads, with the request created while the console was offline.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../../support/test-server';
import { askForHelp } from '../../support/sign-in-pages';
import { PASSWORD, seedRealm, startTestServer } from '../../support/test-server';
import { launchBrowser } from '../support/browser';
import {
  ensureConsoleBuilt,
  openConsole,
  queueRow,
  shoot,
  signIn,
  type ConsolePage,
} from './console';

let server: TestServer;
let browser: Browser;
let agent: ConsolePage;

beforeAll(async () => {
  await ensureConsoleBuilt();
  server = await startTestServer();
  await seedRealm(
    server,
    [{ username: 'alice', displayName: 'Alice Agent', role: 'agent', desks: ['1', '2'] }],
    ['jsmith', 'mjones'],
  );
  browser = await launchBrowser();
  agent = await openConsole(browser, server.url);
  await signIn(agent.page, 'alice');
});

afterAll(async () => {
  await browser?.close();
  await server?.cleanup();
});

const submit = async (username: string, desk: '1' | '2') =>
  (await askForHelp(server.url, username, desk, PASSWORD)).reference;

describe('a server restart', () => {
  it('shows the banner while offline, then reloads the queue with what arrived meanwhile', async () => {
    const { page } = agent;
    const before = await submit('jsmith', '1');
    await queueRow(page, before).waitFor();
    await queueRow(page, before).click();
    await page.getByRole('heading', { level: 2, name: new RegExp(before) }).waitFor();

    // Keep the console from getting back in (socket.io reconnects over HTTP first) until we say so.
    await page.route('**/socket.io/**', (route) => route.abort());
    await server.restart();
    const banner = page.getByRole('alert').filter({ hasText: 'Connection to the server lost.' });
    await banner.waitFor();
    await page.getByText('Reconnecting…', { exact: true }).waitFor();
    await shoot(page, 'offline-banner');

    // The server is back and a request arrives; the console cannot hear of it yet.
    const missed = await submit('mjones', '2');
    await page.waitForTimeout(300);
    expect(await queueRow(page, missed).count()).toBe(0);

    await page.unroute('**/socket.io/**');
    await queueRow(page, missed).waitFor({ timeout: 20_000 });
    await banner.waitFor({ state: 'detached' });
    await page.getByText('Back online: the queue has been reloaded from the server.').waitFor();
    // The request that was open is still open and current.
    await page.getByRole('heading', { level: 2, name: new RegExp(before) }).waitFor();
    expect(await queueRow(page, before).count()).toBe(1);
    await shoot(page, 'reconnected');

    // And the console is live again.
    const after = await submit('jsmith', '2');
    await queueRow(page, after).waitFor();
    expect(agent.problems.filter((p) => !/socket\.io|ERR_FAILED|WebSocket/.test(p))).toEqual([]);
  });
});
