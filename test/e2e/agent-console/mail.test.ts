// Mail in real Chromium against a real SMTP server: the admin sets up SMTP in Settings → Mail and a
// test mail arrives; the verification policy requires a mailed-code check; an agent sends the code,
// types what arrived in the user's mailbox and sees it verified by the server, then reveals; the user's
// "passcode issued" mail leads to "This wasn't me", which blocks the method and alerts the admin live.
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpServer, type SmtpTestServer } from '../../support/smtp-server';
import type { TestServer } from '../../support/test-server';
import { PASSWORD, seedRealm, startTestServer } from '../../support/test-server';
import { launchBrowser } from '../support/browser';
import { identify, sendRequest } from '../support/sign-in-flow';
import {
  ensureConsoleBuilt,
  openConsole,
  openSettingsPage,
  queueRow,
  readOtp,
  shoot,
  signIn,
  type ConsolePage,
} from './console';

let server: TestServer;
let smtp: SmtpTestServer;
let browser: Browser;
let admin: ConsolePage;
let alice: ConsolePage;
let user: BrowserContext;
let userPage: Page;
let reference: string;

const VIEWPORT = { width: 1280, height: 800 };

beforeAll(async () => {
  await ensureConsoleBuilt();
  [server, smtp] = await Promise.all([startTestServer(), startSmtpServer()]);
  // The outbox's sender, as the real entry point starts it.
  server.app.outbox.start();
  await seedRealm(
    server,
    [
      { username: 'root', displayName: 'Root Admin', role: 'admin', desks: ['1', '2'] },
      { username: 'alice', displayName: 'Alice Agent', role: 'agent', desks: ['1'] },
    ],
    ['jsmith'],
  );
  browser = await launchBrowser();
  admin = await openConsole(browser, server.url);
  await admin.page.setViewportSize(VIEWPORT);
  await signIn(admin.page, 'root');
  alice = await openConsole(browser, server.url);
  await alice.page.setViewportSize(VIEWPORT);
  await signIn(alice.page, 'alice');
  user = await browser.newContext({ baseURL: server.url });
  userPage = await user.newPage();
});

afterAll(async () => {
  await browser?.close();
  await server?.cleanup();
  await smtp?.dispose();
});

/** A PNG in the temp folder for a person to look at: the window as it is, animations stopped. */
async function look(page: Page, name: string, target?: Locator) {
  const options = {
    path: path.join(tmpdir(), `${name}.png`),
    animations: 'disabled' as const,
    caret: 'hide' as const,
  };
  await (target ?? page).screenshot(options);
}

/** Brings a Settings card's top under the top bar, as its contents link does. */
async function toCard(page: Page, headingId: string) {
  await page
    .locator(`#${headingId}`)
    .evaluate((heading) => heading.closest('section')?.scrollIntoView({ block: 'start' }));
}

describe('setting mail up', () => {
  it('configures SMTP in Settings → Mail, and a test mail arrives', async () => {
    const { page } = admin;
    await page.getByRole('button', { name: 'Settings' }).click();
    await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
    await page
      .getByRole('navigation', { name: 'Settings sections' })
      .getByRole('link', { name: 'Mail' })
      .click();
    const card = page.getByRole('region', { name: 'Mail', exact: true });

    await card.getByRole('switch', { name: 'Send mail' }).check();
    await card.getByLabel('SMTP host').fill(smtp.host);
    await card.getByRole('radio', { name: 'STARTTLS required (port 587)' }).check();
    await card.getByLabel('Port', { exact: true }).fill(String(smtp.port));
    await card.getByLabel('CA certificate (PEM)').fill(smtp.caPem);
    await card.getByLabel('Username').fill(smtp.username);
    await card.getByLabel('Password', { exact: true }).fill(smtp.password);
    await card.getByLabel('From address').fill('helpdesk@example.com');
    await card.getByLabel('From name').fill('IT Service Desk');

    // A test before saving: the unsaved settings reach the server.
    await card.getByLabel('Send the test to').fill('root@example.com');
    await card.getByRole('button', { name: 'Send test mail' }).click();
    await card.getByText('Sent to root@example.com').waitFor();
    const test = await smtp.waitFor((m) => m.to.includes('root@example.com'));
    expect(test.fromAddress).toBe('helpdesk@example.com');
    expect(test.user).toBe(smtp.username);

    await card.getByRole('button', { name: 'Save mail' }).click();
    await card.getByText('Saved.', { exact: true }).waitFor();
    // The password is never sent back: the field is empty and says one is saved.
    expect(await card.getByLabel('Password', { exact: true }).inputValue()).toBe('');
    await card.getByText('Saved — leave empty to keep it.').waitFor();
    await card.getByRole('region', { name: 'Outbox' }).waitFor();

    await toCard(page, 'settings-mail');
    await look(page, 'mail-settings');
    await look(page, 'mail-settings-card', card);
    await shoot(page, 'settings-mail');
  });

  it('requires a mailed-code check in the verification policy', async () => {
    const { page } = admin;
    await openSettingsPage(page, 'Verification');
    const card = page.getByRole('region', { name: 'Verification', exact: true });
    await card.getByRole('button', { name: 'Add mailed-code check' }).click();
    const checks = card.locator('.policy-check');
    const added = checks.last();
    expect(await added.getByLabel('How it is checked').inputValue()).toBe('mailed-code');
    await added.getByRole('checkbox', { name: 'Always required' }).check();
    await added.evaluate((item) => item.scrollIntoView({ block: 'center' }));
    await look(page, 'mail-verification-policy');
    await card.getByRole('button', { name: 'Save verification' }).click();
    await card.getByText('Saved.', { exact: true }).waitFor();
    // Mail is on: no warning.
    expect(await card.getByText(/Mail is not enabled/).count()).toBe(0);
    const policy = server.app.realm.config.verificationPolicy;
    expect(policy.required).toContain('mailed-code');
    expect(policy.checks.find((c) => c.id === 'mailed-code')?.kind).toBe('mailed-code');
  });
});

describe('a request verified by a mailed code', () => {
  it('the agent sends the code, types what arrived, sees it verified by the server, and reveals', async () => {
    await userPage.goto('/sign-in');
    await identify(userPage, 'jsmith', PASSWORD);
    reference = await sendRequest(userPage, 'IT Service Desk');

    const { page } = alice;
    await queueRow(page, reference).click();
    await page.getByRole('button', { name: 'Claim' }).click();
    await page.getByText('Held by you', { exact: true }).waitFor();

    await page
      .getByLabel('Note for “Called back the phone number on file”')
      .fill('Called +14155550111, jsmith answered');
    await page.getByRole('checkbox', { name: /Called back the phone number on file/ }).check();
    await page.getByText(/Recorded by alice/).waitFor();

    const check = page.locator('li', {
      hasText: 'Caller read back the code mailed to the address on file',
    });
    await check.getByRole('button', { name: 'Send code' }).click();
    const sent = check.getByText(/^Sent to /);
    await sent.waitFor();
    expect(await sent.textContent()).toMatch(
      /^Sent to j•+@example\.com at .+, expires in \d+:\d\d$/,
    );
    await check.getByRole('button', { name: 'Resend code (2 left)' }).waitFor();
    const mailed = await smtp.waitFor(
      (m) => m.to.includes('jsmith@example.com') && /verification code/i.test(m.subject),
    );
    const code = /verification code: (\d{6})/i.exec(mailed.text)?.[1];
    expect(code).toMatch(/^\d{6}$/);
    // The agent's screen never shows it.
    expect(await page.locator('body').textContent()).not.toContain(code);

    // A wrong code first: the attempts left are said.
    const wrong = code === '000000' ? '111111' : '000000';
    await check.getByLabel('Code the caller reads back').fill(wrong);
    await check.getByRole('button', { name: 'Check code' }).click();
    await check.getByText('Wrong code: 2 attempts left.').waitFor();
    await page
      .locator('.request-panel')
      .evaluate((panel) => panel.querySelector('.checks')?.scrollIntoView({ block: 'center' }));
    await look(page, 'mail-request-code-sent');

    await check.getByLabel('Code the caller reads back').fill(code!);
    await check.getByRole('button', { name: 'Check code' }).click();
    await check.getByText('Verified by the server').waitFor();
    await page.getByText('Verification complete: the passcode can be revealed.').waitFor();
    await look(page, 'mail-request-verified');
    await shoot(page, 'request-mailed-code-verified');

    await page.getByRole('button', { name: 'Reveal passcode' }).click();
    const otp = await readOtp(page);

    // The user is told a passcode was issued, never what it is.
    const notice = await smtp.waitFor(
      (m) => m.to.includes('jsmith@example.com') && /issued a sign-in code/i.test(m.subject),
    );
    expect(notice.text).not.toContain(otp);
    expect(notice.html).not.toContain(otp);
    expect(alice.problems).toEqual([]);
  });
});

describe('"This wasn\'t me"', () => {
  it('from the mail, blocks the method, and the admin sees the alert live and can clear the block', async () => {
    const notice = await smtp.waitFor(
      (m) => m.to.includes('jsmith@example.com') && /issued a sign-in code/i.test(m.subject),
    );
    const link = /https?:\/\/\S+\/sign-in\/not-me\?t=[^\s>\])]+/.exec(notice.text)?.[0];
    expect(link).toBeDefined();

    // The admin is back on the queue when it happens.
    await admin.page.getByRole('button', { name: 'Queue' }).click();
    await admin.page.getByRole('heading', { level: 1, name: 'Queue' }).waitFor();

    // Opening the link changes nothing; the button does.
    await userPage.goto(link!);
    await userPage.getByRole('heading', { level: 1, name: "Wasn't this you?" }).waitFor();
    expect(await admin.page.getByRole('region', { name: 'Alerts' }).count()).toBe(0);
    await userPage.getByRole('button', { name: "It wasn't me: block it" }).click();
    await userPage
      .getByRole('heading', {
        level: 1,
        name: 'Thank you: help-desk sign-in is blocked for your account',
      })
      .waitFor();

    // Live in the admin's console, on whichever screen they are.
    const { page } = admin;
    const alerts = page.getByRole('region', { name: 'Alerts' });
    const alert = alerts.getByRole('alert').filter({ hasText: 'jsmith' });
    await alert.waitFor();
    expect(await alert.textContent()).toContain(`jsmith said request ${reference} wasn't them`);
    await page.evaluate('window.scrollTo(0, 0)');
    await look(page, 'mail-admin-alert');
    await shoot(page, 'admin-alert-not-me');

    await alert.getByRole('button', { name: 'See blocked users' }).click();
    await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
    const blocks = page.getByRole('region', { name: 'Blocked users' });
    const row = blocks.getByRole('row', { name: /jsmith/ });
    await row.waitFor();
    expect(await row.textContent()).toContain('Said it wasn’t them');
    await look(page, 'mail-blocked-users');

    await row.getByRole('button', { name: 'Clear the block on jsmith…' }).click();
    const dialog = page.getByRole('alertdialog', { name: 'Clear the block on jsmith?' });
    await dialog.getByRole('button', { name: 'Clear block' }).click();
    await dialog.getByText('Say why, for the record (at least 3 characters).').waitFor();
    await dialog
      .getByLabel('Reason')
      .fill('Called jsmith on the number on file: a colleague asked');
    await dialog.getByRole('button', { name: 'Clear block' }).click();
    await blocks
      .getByText('Cleared the block on jsmith: they can ask a help desk again.')
      .waitFor();
    expect(await row.count()).toBe(0);

    await alert.getByRole('button', { name: 'Dismiss the alert about jsmith' }).click();
    expect(await alerts.count()).toBe(0);
    expect(admin.problems).toEqual([]);
  });
});
