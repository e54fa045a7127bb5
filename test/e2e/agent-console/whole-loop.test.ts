// The whole loop in real Chromium: an end-user asks for help on the real pages, an agent verifies and
// reveals in the console at /agent, the code read off the agent's screen signs the user in.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../../support/test-server';
import { askForHelp } from '../../support/sign-in-pages';
import { seedRealm, startTestServer } from '../../support/test-server';
import { launchBrowser } from '../support/browser';
import { identify, sendRequest, spoken } from '../support/sign-in-flow';
import {
  ensureConsoleBuilt,
  openConsole,
  queueRow,
  readOtp,
  shoot,
  signIn,
  type ConsolePage,
} from './console';
import { PASSWORD } from '../../support/test-server';

let server: TestServer;
let browser: Browser;
let alice: ConsolePage;
let bob: ConsolePage;

beforeAll(async () => {
  await ensureConsoleBuilt();
  server = await startTestServer();
  await seedRealm(
    server,
    [
      { username: 'alice', displayName: 'Alice Agent', role: 'agent', desks: ['1'] },
      { username: 'bob', displayName: 'Bob Agent', role: 'agent', desks: ['1'] },
      { username: 'dave', displayName: 'Dave Security', role: 'agent', desks: ['2'] },
    ],
    ['jsmith', 'mjones'],
  );
  browser = await launchBrowser();
  alice = await openConsole(browser, server.url);
  await shoot(alice.page, 'sign-in');
  await signIn(alice.page, 'alice');
  bob = await openConsole(browser, server.url);
  await signIn(bob.page, 'bob');
});

afterAll(async () => {
  await browser?.close();
  await server?.cleanup();
});

describe('the whole loop', () => {
  it('an end-user asks, the agent verifies and reveals, the code read off the screen signs them in', async () => {
    const { page } = alice;
    await shoot(page, 'queue-empty');

    // The end-user, in a browser context of their own, on the real sign-in pages.
    const user = await browser.newContext({ baseURL: server.url });
    const userPage = await user.newPage();
    await userPage.goto('/sign-in');
    await identify(userPage, 'jsmith', PASSWORD);
    const reference = await sendRequest(userPage, 'IT Service Desk');

    // It arrives live: no reload.
    const row = queueRow(page, reference);
    await row.waitFor();
    const rowText = () => row.textContent();
    await expect.poll(rowText).toContain('User jsmith jsmith');
    await expect.poll(rowText).toContain('IT Service Desk');
    await expect.poll(rowText).toContain('Unclaimed');
    await expect.poll(rowText).toMatch(/waiting \d+ s/);
    await expect.poll(() => page.title()).toBe('(1) Help Desk OTP');
    await shoot(page, 'queue-new-arrival');

    // Keyboard: into the list, onto the row, Enter opens, C claims.
    await page.getByRole('listbox', { name: 'Open requests' }).focus();
    await page.keyboard.press('Home');
    await expect.poll(() => row.getAttribute('aria-selected')).toBe('true');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 2, name: new RegExp(reference) }).waitFor();
    await page.keyboard.press('c');
    await page.getByText('Held by you', { exact: true }).waitFor();
    await expect.poll(() => page.title()).toBe('Help Desk OTP');

    // Reveal stays disabled until the policy is met.
    const reveal = page.getByRole('button', { name: 'Reveal passcode' });
    expect(await reveal.isDisabled()).toBe(true);
    await page
      .getByText('Called back the phone number on file required; 1 more check needed', {
        exact: true,
      })
      .waitFor();
    await page
      .getByLabel('Note for “Called back the phone number on file”')
      .fill('Called +14155550111, jsmith answered');
    await page.getByRole('checkbox', { name: /Called back the phone number on file/ }).check();
    await page.getByText('1 more check needed before reveal', { exact: true }).waitFor();
    expect(await reveal.isDisabled()).toBe(true);
    await shoot(page, 'request-verifying');
    await page.getByRole('checkbox', { name: /Caller stated the employee ID on file/ }).check();
    await page.getByText('Verification complete: the passcode can be revealed.').waitFor();
    await expect.poll(() => reveal.isEnabled()).toBe(true);
    await reveal.click();

    const first = await readOtp(page);
    expect(first).toHaveLength(8);
    await page.getByText(/Expires in \d+:\d\d/).waitFor();
    await shoot(page, 'request-otp-revealed');

    // Revealing again warns first, in a modal dialog that Escape leaves, focus back on the button.
    const again = page.getByRole('button', { name: 'Reveal again…' });
    await again.click();
    const confirm = page.getByRole('alertdialog', { name: 'Reveal a new passcode?' });
    await confirm.getByText(/replaces the one already issued/).waitFor();
    const focused = () => page.evaluate('document.activeElement?.textContent');
    await expect.poll(focused).toBe('Cancel');
    await page.keyboard.press('Escape');
    await confirm.waitFor({ state: 'detached' });
    await expect.poll(focused).toBe('Reveal again…');
    // The new code replaces the old one.
    await again.click();
    await shoot(page, 'request-reveal-again');
    await confirm.getByRole('button', { name: 'Reveal new passcode' }).click();
    await page.getByText('Read out to the caller (reveal #2):').waitFor();
    const otp = await readOtp(page);

    // The end-user types what was read out to them.
    await userPage.getByRole('link', { name: 'Enter your code' }).click();
    await userPage.getByLabel('One-time code').fill(spoken(otp));
    await userPage.getByRole('button', { name: 'Verify code' }).click();
    await userPage.getByRole('heading', { level: 1, name: "You're signed in" }).waitFor();

    // The agent's view follows the request to its end.
    await page.getByText('Completed.').waitFor();
    await page.getByText('User jsmith signed in with the passcode.').waitFor();
    expect(await page.getByRole('status', { name: /^Passcode / }).count()).toBe(0);
    expect(await row.count()).toBe(0);
    await shoot(page, 'request-completed');
    await user.close();
    expect(alice.problems).toEqual([]);
  });
});

describe('two agents on one desk', () => {
  it('the second agent sees who holds a claimed request and cannot act on it', async () => {
    const { reference } = await askForHelp(server.url, 'mjones', '1', PASSWORD);

    await queueRow(bob.page, reference).waitFor();
    await queueRow(alice.page, reference).click();
    await alice.page.getByRole('button', { name: 'Claim' }).click();
    await alice.page.getByText('Held by you', { exact: true }).waitFor();

    const bobRow = queueRow(bob.page, reference);
    await expect.poll(() => bobRow.textContent()).toContain('held by alice');
    await bobRow.click();
    await bob.page.getByText('Held by alice', { exact: true }).waitFor();
    await bob.page
      .getByText('alice is handling this request; only they (or an admin) can act on it.')
      .waitFor();
    expect(await bob.page.getByRole('button', { name: 'Claim' }).count()).toBe(0);
    expect(await bob.page.getByRole('button', { name: 'Reveal passcode' }).isDisabled()).toBe(true);
    expect(await bob.page.getByRole('checkbox', { name: /Called back/ }).isDisabled()).toBe(true);
    await shoot(bob.page, 'request-held-by-other');

    // Alice denies it with a reason; Bob's view follows.
    await alice.page.getByRole('button', { name: 'Deny…' }).click();
    const dialog = alice.page.getByRole('alertdialog', { name: 'Deny this request' });
    await dialog.getByLabel('Reason').fill('no');
    await dialog.getByRole('button', { name: 'Deny request' }).click();
    await dialog.getByText(/at least 3 characters/).waitFor();
    await shoot(alice.page, 'request-deny-dialog');
    await dialog.getByLabel('Reason').fill('Caller could not confirm the employee ID');
    await dialog.getByRole('button', { name: 'Deny request' }).click();
    await alice.page.getByText('Denied.').waitFor();
    await bob.page.getByText('Caller could not confirm the employee ID').waitFor();
    expect(await bobRow.count()).toBe(0);
  });
});

describe('desks', () => {
  it('a desk-1 agent never sees a desk-2 request; a desk-2 agent does', async () => {
    // A workflow without a password, so that a caller unknown to the directory can ask too.
    await server.app.realm.update({ workflow: 'username|second-factor' }, 'test');
    const dave = await openConsole(browser, server.url);
    await signIn(dave.page, 'dave');
    const { reference } = await askForHelp(server.url, 'unknown.caller', '2');
    await queueRow(dave.page, reference).waitFor();

    // Dave opens it: the caller is not in the directory, shown as the impostor signal it is.
    await queueRow(dave.page, reference).click();
    await dave.page.getByText('Not in the directory').waitFor();
    await shoot(dave.page, 'request-not-in-directory');

    // Alice (desk 1) got no event, and the server does not list it to her either.
    await alice.page.reload();
    await alice.page.getByRole('heading', { level: 1, name: 'Queue' }).waitFor();
    await alice.page.getByText(/\d+ waiting · \d+ open/).waitFor();
    expect(await queueRow(alice.page, reference).count()).toBe(0);
    expect(await alice.page.getByText(reference).count()).toBe(0);
    expect(await alice.page.getByRole('combobox', { name: 'Desk' }).count()).toBe(0);
    await dave.context.close();
  });
});
