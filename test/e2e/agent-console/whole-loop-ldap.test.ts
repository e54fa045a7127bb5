// The whole loop in real Chromium with the realm on LDAP (a real slapd started for this file): the
// user signs in with their LDAP password, the agent sees the directory's profile and reveals, the
// user completes. Then slapd stops: the console says so, sign-in is refused with the desk's number,
// and when slapd is back both carry on by themselves.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addLdapPeople } from '../../support/ldap-users';
import type { Slapd } from '../../support/slapd';
import { startSlapd } from '../../support/slapd';
import type { TestServer } from '../../support/test-server';
import { connectAs, must, seedRealm, startTestServer } from '../../support/test-server';
import { requestIdOf } from '../support/agent-desk';
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

const PRIYA = {
  username: 'priya',
  displayName: 'Priya Directory',
  email: 'priya@example.com',
  phone: '+14155550177',
  employeeId: 'P-77120',
  department: 'Treasury',
  password: 'priya-Ldap-Pass-1',
  privileged: true,
};

let slapd: Slapd;
let server: TestServer;
let browser: Browser;
let alice: ConsolePage;

beforeAll(async () => {
  await ensureConsoleBuilt();
  slapd = await startSlapd();
  const ldap = { ...(await addLdapPeople(slapd, 'staff', [PRIYA])), cacheSeconds: 0 };
  server = await startTestServer();
  await seedRealm(
    server,
    [
      { username: 'alice', displayName: 'Alice Agent', role: 'agent', desks: ['1'] },
      { username: 'bob', displayName: 'Bob Approver', role: 'agent', desks: ['1'] },
    ],
    [],
  );
  await server.app.realm.update({ workflow: 'username-password|second-factor' }, 'test');
  await server.app.directory.configure(
    { settings: { source: 'ldap', ldap, phoneCountry: 'US' }, bindPassword: slapd.bindPassword },
    'test',
  );
  browser = await launchBrowser();
  alice = await openConsole(browser, server.url);
  await signIn(alice.page, 'alice');
});

afterAll(async () => {
  await browser?.close();
  await server?.cleanup();
  await slapd?.dispose();
});

describe('the whole loop on LDAP', () => {
  it('signs in with the LDAP password, shows the directory profile, reveals, completes', async () => {
    const { page } = alice;
    const user = await browser.newContext({ baseURL: server.url });
    const userPage = await user.newPage();
    await userPage.goto('/sign-in');
    await identify(userPage, 'priya', PRIYA.password);
    const reference = await sendRequest(userPage, 'IT Service Desk');

    const row = queueRow(page, reference);
    await row.waitFor();
    await expect.poll(() => row.textContent()).toContain('Priya Directory');
    await row.click();
    await page.getByRole('button', { name: 'Claim' }).click();
    await page.getByText('Held by you', { exact: true }).waitFor();
    // What the directory holds, read from slapd: the privileged group and the department.
    await page.getByText('Privileged user', { exact: true }).waitFor();
    await page.getByText('Treasury').waitFor();
    await shoot(page, 'ldap-request-privileged');

    await page
      .getByLabel('Note for “Called back the phone number on file”')
      .fill('Called the number on file, Priya answered');
    await page.getByRole('checkbox', { name: /Called back the phone number on file/ }).check();
    await page.getByRole('checkbox', { name: /Caller stated the employee ID on file/ }).check();
    // A member of the privileged group: the reveal waits for a second person, here bob.
    const reveal = page.getByRole('button', { name: 'Reveal passcode' });
    expect(await reveal.isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Ask for approval' }).click();
    const bob = await connectAs(server.url, 'bob');
    try {
      const requestId = await requestIdOf(bob, reference);
      await expect
        .poll(async () => (await must(bob, 'approvals:list', {})).requests.map((r) => r.id))
        .toContain(requestId);
      await must(bob, 'request:approve', { requestId, note: 'Priya’s manager confirmed' });
    } finally {
      bob.disconnect();
    }
    await expect.poll(() => reveal.isEnabled()).toBe(true);
    await reveal.click();
    const otp = await readOtp(page);

    await userPage.getByRole('link', { name: 'Enter your code' }).click();
    await userPage.getByLabel('One-time code').fill(spoken(otp));
    await userPage.getByRole('button', { name: 'Verify code' }).click();
    await userPage.getByRole('heading', { level: 1, name: "You're signed in" }).waitFor();
    await page.getByText('Completed.').waitFor();
    await user.close();
    expect(alice.problems).toEqual([]);
  });

  it('fails closed while slapd is down, and both sides recover by themselves', async () => {
    const { page } = alice;
    await slapd.stop();
    const user = await browser.newContext({ baseURL: server.url });
    const userPage = await user.newPage();
    await userPage.goto('/sign-in');
    await identify(userPage, 'priya', PRIYA.password);
    await userPage
      .getByRole('heading', { level: 1, name: 'Sign-in is unavailable right now' })
      .waitFor();
    // The desks' numbers are on the page: the user knows whom to call.
    await userPage.getByText('+14155550100').first().waitFor();
    await shoot(userPage, 'ldap-down-sign-in');

    // The console heard it live.
    await page.getByText('Directory unavailable', { exact: true }).first().waitFor();
    await shoot(page, 'ldap-down-console');

    await slapd.start();
    // What the server's timer does every few seconds.
    await server.app.directory.probe();
    await expect
      .poll(() => page.getByText('Directory unavailable', { exact: true }).count())
      .toBe(0);
    await userPage.goto('/sign-in');
    await identify(userPage, 'priya', PRIYA.password);
    await userPage.getByRole('radio', { name: /IT Service Desk/ }).waitFor();
    await user.close();
  });
});
