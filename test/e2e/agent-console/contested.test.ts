// Two browsers ask for one user, in real Chromium: the console marks both rows contested, names the
// other request, keeps Reveal off until the agent denies the one that is not the caller's.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../../support/test-server';
import { seedRealm, startTestServer } from '../../support/test-server';
import { launchBrowser } from '../support/browser';
import { identify, sendRequest } from '../support/sign-in-flow';
import {
  ensureConsoleBuilt,
  openConsole,
  queueRow,
  readOtp,
  shoot,
  signIn,
  type ConsolePage,
} from './console';

let server: TestServer;
let browser: Browser;
let alice: ConsolePage;

beforeAll(async () => {
  await ensureConsoleBuilt();
  server = await startTestServer();
  await seedRealm(
    server,
    [{ username: 'alice', displayName: 'Alice Agent', role: 'agent', desks: ['1'] }],
    ['jsmith'],
  );
  await server.app.realm.update({ workflow: 'username|second-factor' }, 'test');
  browser = await launchBrowser();
  alice = await openConsole(browser, server.url);
  await signIn(alice.page, 'alice');
});

afterAll(async () => {
  await browser?.close();
  await server?.cleanup();
});

/** A browser of its own (own cookies) that asks IT Service Desk for help as `username`. */
async function askAs(username: string): Promise<{ page: Page; reference: string }> {
  const context = await browser.newContext({ baseURL: server.url });
  const page = await context.newPage();
  await page.goto('/sign-in');
  await identify(page, username);
  return { page, reference: await sendRequest(page, 'IT Service Desk') };
}

describe('a contested request in the console', () => {
  it('shows the badge on both rows and the warning on the request, and Reveal waits until the other is denied', async () => {
    const { page } = alice;
    const caller = await askAs('jsmith');
    const impostor = await askAs('jsmith');

    // Both rows are marked, live.
    const callerRow = queueRow(page, caller.reference);
    const impostorRow = queueRow(page, impostor.reference);
    await expect.poll(() => callerRow.textContent()).toContain('Contested');
    await expect.poll(() => impostorRow.textContent()).toContain('Contested');
    await shoot(page, 'queue-contested');

    // The caller's request: the warning names the other reference; Reveal is off and says why.
    await callerRow.click();
    await page.getByRole('heading', { level: 2, name: new RegExp(caller.reference) }).waitFor();
    const warning = page
      .getByRole('status')
      .filter({ hasText: 'Contested: two browsers asked for jsmith.' });
    await expect
      .poll(() => warning.textContent())
      .toContain(`The other request is ${impostor.reference}.`);
    await page.getByRole('button', { name: 'Claim' }).click();
    await page.getByText('Held by you', { exact: true }).waitFor();
    await page
      .getByLabel('Note for “Called back the phone number on file”')
      .fill('Called the number on file');
    await page.getByRole('checkbox', { name: /Called back the phone number on file/ }).check();
    await page.getByRole('checkbox', { name: /Caller stated the employee ID on file/ }).check();
    await page
      .getByText('Verification complete, but no passcode while the other request is open.')
      .waitFor();
    const reveal = page.getByRole('button', { name: 'Reveal passcode' });
    expect(await reveal.isDisabled()).toBe(true);
    await page
      .getByText(`Not while contested: deny the other request (${impostor.reference}) first.`)
      .waitFor();
    await shoot(page, 'request-contested');

    // The agent denies the other one; the contest ends by itself and Reveal works.
    await impostorRow.click();
    await page.getByRole('heading', { level: 2, name: new RegExp(impostor.reference) }).waitFor();
    await page.getByRole('button', { name: 'Claim' }).click();
    await page.getByRole('button', { name: 'Deny…' }).click();
    const dialog = page.getByRole('alertdialog', { name: 'Deny this request' });
    await dialog.getByLabel('Reason').fill(`Not the caller; they read out ${caller.reference}`);
    await dialog.getByRole('button', { name: 'Deny request' }).click();
    await page.getByText('Denied.').waitFor();
    await expect.poll(() => impostorRow.count()).toBe(0);
    await expect.poll(() => callerRow.textContent()).not.toContain('Contested');

    await callerRow.click();
    await page.getByRole('heading', { level: 2, name: new RegExp(caller.reference) }).waitFor();
    expect(await page.getByText(/^Contested/).count()).toBe(0);
    await expect.poll(() => reveal.isEnabled()).toBe(true);
    await reveal.click();
    expect(await readOtp(page)).toMatch(/^\d{8}$/);
    expect(alice.problems).toEqual([]);
  });
});
