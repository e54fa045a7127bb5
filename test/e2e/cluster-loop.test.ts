// The whole loop in real Chromium with two server processes on one PostgreSQL behind nginx, configured
// by docs/deploy/nginx.conf: the end-user asks over HTTPS, the request shows in an agent's console,
// the process both were sent to is killed, and the loop finishes on the other one through the same
// address — the console and the request page reconnect by themselves, the passcode signs the user in.
import { X509Certificate, createHash } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cluster } from '../support/cluster';
import { startCluster } from '../support/cluster';
import type { Nginx } from '../support/nginx';
import { startNginx } from '../support/nginx';
import type { Postgres } from '../support/postgres';
import { startPostgres } from '../support/postgres';
import { PASSWORD } from '../support/test-server';
import {
  ensureConsoleBuilt,
  openConsole,
  queueRow,
  readOtp,
  signIn,
  type ConsolePage,
} from './agent-console/console';
import { launchBrowser } from './support/browser';
import { identify, sendRequest, spoken } from './support/sign-in-flow';

let postgres: Postgres;
let cluster: Cluster;
let proxy: Nginx;
let browser: Browser;
let alice: ConsolePage;

/** Chromium trusts exactly the proxy's throwaway certificate: its key's SHA-256, base64. */
function spkiHash(pem: string): string {
  const spki = new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

/** The process (0 or 1) nginx sent the last request for `path` to, read from its access log. */
async function servedBy(path: string): Promise<number> {
  const lines = (await proxy.accessLog()).split('\n').filter((l) => l.includes(` ${path} `));
  // Every process tried, in order: the last one answered.
  const tried = /upstream="([^"]*)"/.exec(lines.at(-1) ?? '')?.[1] ?? '';
  const port = tried.split(', ').at(-1)?.split(':')[1];
  const index = [0, 1].find((i) => String(cluster.port(i)) === port);
  if (index === undefined) throw new Error(`no answer to ${path} in the access log:\n${lines}`);
  return index;
}

beforeAll(async () => {
  await ensureConsoleBuilt();
  postgres = await startPostgres();
  cluster = await startCluster({
    databaseUrl: await postgres.newDatabase(),
    size: 2,
    agents: [{ username: 'alice', displayName: 'Alice Agent', role: 'agent', desks: ['1'] }],
    users: ['jsmith'],
  });
  proxy = await startNginx([cluster.port(0), cluster.port(1)]);
  browser = await launchBrowser({
    args: [`--ignore-certificate-errors-spki-list=${spkiHash(proxy.certificatePem)}`],
  });
  alice = await openConsole(browser, proxy.url);
  await signIn(alice.page, 'alice', cluster.password('alice'));
});

afterAll(async () => {
  await browser?.close();
  await proxy?.dispose();
  await cluster?.dispose();
  await postgres?.dispose();
});

describe('two processes behind nginx', () => {
  it('an end-user asks through the proxy, the process serving both dies, the other one finishes the loop', async () => {
    const { page } = alice;
    const user = await browser.newContext({ baseURL: proxy.url });
    const userPage: Page = await user.newPage();
    await userPage.goto('/sign-in');
    await identify(userPage, 'jsmith', PASSWORD);
    const reference = await sendRequest(userPage, 'IT Service Desk');
    // Over HTTPS through the proxy, with --trust-proxy 1: the server set its cookies Secure.
    const cookies = await user.cookies();
    expect(cookies.length).toBeGreaterThan(0);
    expect(cookies.every((cookie) => cookie.secure)).toBe(true);

    // It arrives live in the console, through the proxy too.
    const row = queueRow(page, reference);
    await row.waitFor();
    await expect.poll(() => row.textContent()).toContain('Unclaimed');

    // Both browsers come from one address, so the proxy's hash sent both to one process: kill it.
    const first = await servedBy('/sign-in/method');
    expect(await servedBy('/api/agent/session')).toBe(first);
    await cluster.kill(first, 'SIGKILL');

    // The console finds the other process through the same address, with the same session.
    await page.getByRole('alert').filter({ hasText: 'Connection to the server lost.' }).waitFor();
    await page
      .getByRole('alert')
      .filter({ hasText: 'Connection to the server lost.' })
      .waitFor({ state: 'detached', timeout: 30_000 });
    await row.click();
    await page.getByRole('heading', { level: 2, name: new RegExp(reference) }).waitFor();
    await page.getByRole('button', { name: 'Claim' }).click();
    await page.getByText('Held by you', { exact: true }).waitFor();
    await page
      .getByLabel('Note for “Called back the phone number on file”')
      .fill('Called +14155550111, jsmith answered');
    await page.getByRole('checkbox', { name: /Called back the phone number on file/ }).check();
    await page.getByRole('checkbox', { name: /Caller stated the employee ID on file/ }).check();
    const reveal = page.getByRole('button', { name: 'Reveal passcode' });
    await expect.poll(() => reveal.isEnabled()).toBe(true);
    await reveal.click();
    const otp = await readOtp(page);

    // The request page follows its request on the survivor, and the code read out signs in.
    await userPage.getByRole('link', { name: 'Enter your code' }).click();
    await userPage.getByLabel('One-time code').fill(spoken(otp));
    await userPage.getByRole('button', { name: 'Verify code' }).click();
    await userPage.getByRole('heading', { level: 1, name: "You're signed in" }).waitFor();
    await page.getByText('Completed.').waitFor();
    expect(await servedBy('/sign-in/code')).toBe(1 - first);
    expect(
      alice.problems.filter((p) => !/socket\.io|ERR_FAILED|ERR_CONNECTION|WebSocket|502/.test(p)),
    ).toEqual([]);
    await user.close();
  });
});
