// Settings in real Chromium: an admin edits Help Desk 2 (field errors, then the end-user page shows the
// change), manages agents (password shown once, disabling ends a session) and turns on TOTP for admins.
import { generateSync } from 'otplib';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../../support/test-server';
import { PASSWORD, seedRealm, startTestServer } from '../../support/test-server';
import { launchBrowser } from '../support/browser';
import { identify } from '../support/sign-in-flow';
import {
  ensureConsoleBuilt,
  openConsole,
  openSettingsPage,
  shoot,
  signIn,
  type ConsolePage,
} from './console';

let server: TestServer;
let browser: Browser;
let admin: ConsolePage;

beforeAll(async () => {
  await ensureConsoleBuilt();
  server = await startTestServer();
  await seedRealm(server, [
    { username: 'root', displayName: 'Root Admin', role: 'admin', desks: ['1', '2'] },
  ]);
  browser = await launchBrowser();
  admin = await openConsole(browser, server.url);
  await signIn(admin.page, 'root');
  await admin.page.getByRole('button', { name: 'Settings' }).click();
  await admin.page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
});

afterAll(async () => {
  await browser?.close();
  await server?.cleanup();
});

describe('help desks', () => {
  it("refuses a bad phone next to the field, then saves Help Desk 2's new phone, which end-users see", async () => {
    const { page } = admin;
    await shoot(page, 'settings');
    const desk2 = page.getByRole('region', { name: 'Help Desk 2' });
    const phone = desk2.getByLabel('Phone');
    await phone.fill('555 0199');
    await desk2.getByRole('button', { name: 'Save help desk 2' }).click();
    await desk2.getByText('Use international format, e.g. +14155550123', { exact: true }).waitFor();
    await desk2.getByText('Not saved: correct the fields marked below.').waitFor();
    expect(await phone.getAttribute('aria-invalid')).toBe('true');
    expect(server.app.realm.config.helpDesks['2'].phone).toBe('+14155550199');
    await shoot(page, 'settings-field-error');

    await phone.fill('+14155550234');
    await desk2.getByRole('button', { name: 'Save help desk 2' }).click();
    await desk2.getByText('Saved.').waitFor();
    expect(await phone.getAttribute('aria-invalid')).toBeNull();
    expect(server.app.realm.config.helpDesks['2'].phone).toBe('+14155550234');

    // The end-user's method page shows it at once.
    const user = await browser.newContext({ baseURL: server.url });
    const userPage = await user.newPage();
    await userPage.goto('/sign-in');
    await identify(userPage, 'jsmith', PASSWORD);
    await userPage.getByRole('heading', { name: 'Choose a help desk' }).waitFor();
    await expect.poll(() => userPage.getByRole('radio', { name: /Security Desk/ }).count()).toBe(1);
    expect(await userPage.locator('main').textContent()).toContain('+14155550234');
    expect(await userPage.locator('main').textContent()).not.toContain('+14155550199');
    await user.close();
  });
});

describe('agents', () => {
  it('creates an agent whose one-time password works, and disabling them ends their session', async () => {
    const { page } = admin;
    await openSettingsPage(page, 'Agents');
    const create = page.getByRole('form', { name: 'Add an agent' });
    await create.getByLabel('Username').fill('carol');
    await create.getByLabel('Display name').fill('Carol Desk Two');
    await create.getByRole('checkbox', { name: 'IT Service Desk' }).uncheck();
    await create.getByRole('checkbox', { name: 'Security Desk' }).check();
    await create.getByRole('button', { name: 'Create agent' }).click();
    const shown = page.getByLabel('Password for carol');
    await shown.waitFor();
    const password = ((await shown.textContent()) ?? '').trim();
    expect(password.length).toBeGreaterThanOrEqual(12);
    await page.getByRole('row', { name: /Carol Desk Two/ }).waitFor();
    await shoot(page, 'settings-agent-created');
    await page.getByRole('button', { name: 'Done, hide it' }).click();
    expect(await page.getByLabel('Password for carol').count()).toBe(0);

    const carol = await openConsole(browser, server.url);
    await signIn(carol.page, 'carol', password);
    await carol.page.getByText('Carol Desk Two').waitFor();

    await page.getByRole('button', { name: 'Disable carol' }).click();
    await page
      .getByRole('alertdialog', { name: 'Disable carol?' })
      .getByRole('button', { name: 'Disable' })
      .click();
    await carol.page.getByText('Your account was disabled by an admin.').waitFor();
    await carol.page.getByRole('button', { name: 'Sign in' }).waitFor();
    await shoot(carol.page, 'signed-out-disabled');
    await carol.context.close();
  });
});

describe('authenticator for admins', () => {
  it('requiring TOTP for admins sends the admin to enrolment at once; later sign-ins ask for a code', async () => {
    const { page } = admin;
    const section = page.getByRole('region', { name: 'Agent sign-in' });
    await section.getByRole('radio', { name: 'Admins' }).check();
    await section.getByRole('button', { name: 'Save agent sign-in' }).click();

    await page.getByRole('heading', { name: 'Set up your authenticator app' }).waitFor();
    await page.getByRole('img', { name: 'QR code to scan with your authenticator app' }).waitFor();
    const secret = ((await page.getByLabel('Key for manual entry').textContent()) ?? '').replace(
      /\s/g,
      '',
    );
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
    await shoot(page, 'totp-enrolment');
    await page.getByLabel('Six-digit code').fill('000000');
    await page.getByRole('button', { name: 'Confirm and continue' }).click();
    await page.getByRole('alert').waitFor();
    await page.getByLabel('Six-digit code').fill(generateSync({ secret }));
    await page.getByRole('button', { name: 'Confirm and continue' }).click();
    // Back where the admin was, and the agents list says so.
    await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
    await expect
      .poll(() => page.getByRole('row', { name: /Root Admin/ }).textContent())
      .toContain('Enrolled');

    // Sign out and in again: the password alone is not enough now.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByText('You signed out.').waitFor();
    await page.getByLabel('Username').fill('root');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByLabel('Authenticator code').waitFor();
    await shoot(page, 'sign-in-totp');
    // The code of the next time step: the one used to enrol cannot be used twice.
    const next = generateSync({ secret, epoch: Math.floor(Date.now() / 1000) + 30 });
    await page.getByLabel('Authenticator code').fill(next);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Queue' }).waitFor();
    expect(admin.problems).toEqual([]);
  });
});
