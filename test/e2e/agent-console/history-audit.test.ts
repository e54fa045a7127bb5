// History and Audit in real Chromium: requests worked to their end on the real server, then found in
// History by reference, username and outcome and opened with their trail in words; an admin filters
// the audit log by action, verifies the hash chain and exports the filtered entries as CSV.
import { readFile } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cancelRequest, askForHelp, enterCode } from '../../support/sign-in-pages';
import type { AgentSocket, TestServer } from '../../support/test-server';
import { connectAs, must, PASSWORD, seedRealm, startTestServer } from '../../support/test-server';
import { issueCode, requestIdOf } from '../support/agent-desk';
import { launchBrowser } from '../support/browser';
import { ensureConsoleBuilt, openConsole, shoot, signIn, type ConsolePage } from './console';

let server: TestServer;
let browser: Browser;
let desk: AgentSocket;
let alice: ConsolePage;
/** References by how each request ended. */
const worked = { completed: '', denied: '', cancelled: '' };

beforeAll(async () => {
  await ensureConsoleBuilt();
  server = await startTestServer();
  await seedRealm(
    server,
    [
      { username: 'alice', displayName: 'Alice Agent', role: 'agent', desks: ['1'] },
      { username: 'root', displayName: 'Root Admin', role: 'admin', desks: ['1', '2'] },
    ],
    ['jsmith', 'mjones', 'kwong'],
  );
  desk = await connectAs(server.url, 'alice');

  // jsmith is verified, given a passcode and signs in with it.
  const signedIn = await askForHelp(server.url, 'jsmith', '1', PASSWORD);
  const otp = await issueCode(desk, signedIn.reference);
  const done = await enterCode(signedIn.browser, otp);
  expect(done.status).toBeLessThan(400);
  worked.completed = signedIn.reference;

  // mjones cannot confirm who they are: denied.
  const denied = await askForHelp(server.url, 'mjones', '1', PASSWORD);
  const deniedId = await requestIdOf(desk, denied.reference);
  await must(desk, 'request:claim', { requestId: deniedId });
  await must(desk, 'request:deny', {
    requestId: deniedId,
    reason: 'Caller could not confirm the employee ID',
  });
  worked.denied = denied.reference;

  // kwong changes their mind: cancelled.
  const cancelled = await askForHelp(server.url, 'kwong', '1', PASSWORD);
  await cancelRequest(cancelled.browser);
  worked.cancelled = cancelled.reference;

  browser = await launchBrowser();
  alice = await openConsole(browser, server.url);
  await signIn(alice.page, 'alice');
});

afterAll(async () => {
  desk?.disconnect();
  await browser?.close();
  await server?.cleanup();
});

describe('History', () => {
  it('finds closed requests by reference, username and outcome, and opens one with its whole trail', async () => {
    const { page } = alice;
    await page
      .getByRole('navigation', { name: 'Console' })
      .getByRole('button', { name: 'History' })
      .click();
    await page.getByRole('heading', { level: 1, name: 'History' }).waitFor();
    const table = page.getByRole('table', { name: 'Closed requests' });
    const rows = table.locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(3);
    await page.getByText('1–3 of 3').waitFor();
    // Newest first: kwong cancelled last.
    expect(await rows.nth(0).textContent()).toContain(worked.cancelled);
    expect(await rows.nth(2).textContent()).toContain(worked.completed);
    const completedRow = await rows.nth(2).textContent();
    expect(completedRow).toContain('User jsmith');
    expect(completedRow).toContain('IT Service Desk');
    expect(completedRow).toContain('Completed');
    expect(completedRow).toContain('alice');
    await shoot(page, 'history');

    // By reference (its start is enough).
    await page.getByLabel('Reference').fill(worked.completed.slice(0, 3).toLowerCase());
    await page.getByRole('button', { name: 'Search' }).click();
    await expect
      .poll(async () => (await rows.allTextContents()).join('|'))
      .toContain(worked.completed);
    expect(await rows.count()).toBeLessThanOrEqual(3);
    await page.getByLabel('Reference').fill(worked.completed);
    await page.keyboard.press('Enter');
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain(worked.completed);

    // By username.
    await page.getByRole('button', { name: 'Clear' }).click();
    await expect.poll(() => rows.count()).toBe(3);
    await page.getByLabel('Username').fill('mjones');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain('Denied');

    // By outcome, on today's date.
    await page.getByRole('button', { name: 'Clear' }).click();
    await page.getByLabel('Outcome').selectOption({ label: 'Cancelled' });
    const today = await page.evaluate(() => {
      const d = new Date();
      return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
    });
    await page.getByLabel('Closed from').fill(today);
    await page.getByLabel('Closed to').fill(today);
    await page.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain(worked.cancelled);
    await page.getByLabel('Outcome').selectOption({ label: 'Locked' });
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText('No closed request matches these filters.').waitFor();

    // The completed one, opened from the keyboard: the trail in words, oldest first.
    await page.getByRole('button', { name: 'Clear' }).click();
    await expect.poll(() => rows.count()).toBe(3);
    await page.getByRole('button', { name: `Open ${worked.completed}, jsmith` }).focus();
    await page.keyboard.press('Enter');
    await page
      .getByRole('heading', { level: 2, name: `${worked.completed} · User jsmith` })
      .waitFor();
    const trail = page.getByRole('region', { name: /^Trail/ }).getByRole('listitem');
    await expect.poll(() => trail.count()).toBeGreaterThanOrEqual(5);
    const words = (await trail.allTextContents()).join('\n');
    expect(words).toMatch(/jsmith asked .* for a passcode/);
    expect(words).toContain('alice claimed the request');
    expect(words).toContain('alice recorded');
    expect(words).toContain('Called back the number on file');
    expect(words).toContain('alice revealed a passcode');
    expect(words).toContain('typed the right passcode');
    expect(words.indexOf('claimed')).toBeLessThan(words.indexOf('revealed'));
    await page.getByText('Called back the phone number on file', { exact: true }).waitFor();
    await shoot(page, 'history-trail');
    // The OS's dark setting: the same page, still readable (axe checks the contrast).
    await page.emulateMedia({ colorScheme: 'dark' });
    await shoot(page, 'history-trail-dark');
    await page.emulateMedia({ colorScheme: 'light' });

    await page.getByRole('button', { name: 'Back to results' }).click();
    await expect
      .poll(() => page.evaluate("document.activeElement?.getAttribute('aria-label')"))
      .toBe(`Open ${worked.completed}, jsmith`);
    expect(alice.problems).toEqual([]);
  });

  it('is not offered to an agent as Audit', async () => {
    const tabs = alice.page.getByRole('navigation', { name: 'Console' });
    expect(await tabs.getByRole('button', { name: 'Audit' }).count()).toBe(0);
  });
});

describe('Audit', () => {
  it('an admin filters by action, verifies the chain and exports the filtered entries as CSV', async () => {
    const root = await openConsole(browser, server.url);
    const { page } = root;
    await signIn(page, 'root');
    const tabs = page.getByRole('navigation', { name: 'Console' });

    // From a request in History to its entries in the audit log.
    await tabs.getByRole('button', { name: 'History' }).click();
    await page.getByText('Closed requests of every desk', { exact: false }).waitFor();
    await page.getByRole('button', { name: `Open ${worked.denied}, mjones` }).click();
    await page.getByRole('button', { name: 'Open in the audit log' }).click();
    await page.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
    expect(await page.getByLabel('Request').inputValue()).toBe(worked.denied);
    const table = page.getByRole('table', { name: 'Audit entries' });
    const rows = table.locator('tbody tr');
    await expect
      .poll(async () => (await rows.allTextContents()).join('|'))
      .toContain('alice denied the request');
    expect((await rows.allTextContents()).join('|')).not.toContain('jsmith');

    await page.getByRole('button', { name: 'Clear' }).click();
    await expect.poll(() => rows.count()).toBeGreaterThan(10);
    // Newest first: root's own sign-in is among the latest things that happened.
    expect((await rows.allTextContents()).slice(0, 3).join('|')).toContain('agent:root');

    await page.getByLabel('Action').selectOption({ label: 'Passcode revealed' });
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(() => rows.count()).toBe(1);
    const revealed = rows.first();
    expect(await revealed.textContent()).toContain('alice revealed a passcode');
    expect(await revealed.textContent()).toContain('request.otp-revealed');
    await revealed.getByRole('button', { name: /^Details of entry #/ }).click();
    await page.locator('.audit-details').getByText('revealCount').waitFor();

    await page.getByRole('button', { name: 'Verify chain' }).click();
    const verdict = page.getByRole('status').filter({ hasText: 'Chain intact' });
    await verdict.waitFor();
    expect(await verdict.textContent()).toMatch(/Chain intact: \d+ entries, each linked/);
    expect(await verdict.textContent()).toMatch(/Last hash [0-9a-f]{64}/);
    await shoot(page, 'audit');
    await page.emulateMedia({ colorScheme: 'dark' });
    await shoot(page, 'audit-dark');
    await page.emulateMedia({ colorScheme: 'light' });

    const downloading = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export CSV' }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toMatch(/^audit-log-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = await readFile((await download.path())!, 'utf8');
    const lines = csv.trim().split(/\r?\n/);
    expect(lines[0]).toContain('action');
    expect(lines.slice(1)).toHaveLength(1);
    expect(lines[1]).toContain('request.otp-revealed');
    expect(csv).not.toContain('request.claimed');
    await page.getByText(/^Saved audit-log-\d{4}-\d{2}-\d{2}\.csv\.$/).waitFor();
    expect(root.problems).toEqual([]);
  });
});
