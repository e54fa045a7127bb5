// Impostor resistance in real Chromium with real agents: a privileged user's request shows its risk and
// waits for a second approver (the holder asks, another agent of the desk sees it live and approves, the
// holder reveals and the user signs in); a suspicious caller reported by the holder alerts the admin
// live, the user's next request is refused, and the admin clears the block in Settings.
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { askForHelp, enterCode } from '../../support/sign-in-pages';
import { pageText } from '../../support/form-browser';
import type { TestServer } from '../../support/test-server';
import { PASSWORD, seedRealm, startTestServer } from '../../support/test-server';
import { launchBrowser } from '../support/browser';
import { identify } from '../support/sign-in-flow';
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

const BLOCKED_TEXT =
  "The help desk can't take a request for this account right now. Contact your administrator.";

let server: TestServer;
let browser: Browser;
let alice: ConsolePage;
let bob: ConsolePage;
let root: ConsolePage;

beforeAll(async () => {
  await ensureConsoleBuilt();
  server = await startTestServer();
  await seedRealm(
    server,
    [
      { username: 'alice', displayName: 'Alice Agent', role: 'agent', desks: ['1'] },
      { username: 'bob', displayName: 'Bob Agent', role: 'agent', desks: ['1'] },
      { username: 'root', displayName: 'Root Admin', role: 'admin', desks: ['2'] },
    ],
    ['jsmith', 'mjones', 'kwong'],
  );
  await server.directory.addUser({
    username: 'cfo',
    displayName: 'Casey Finance',
    email: 'cfo@example.com',
    phone: '+14155550122',
    employeeId: 'E9',
    department: 'Board',
    manager: '',
    enabled: true,
    privileged: true,
    password: PASSWORD,
  });
  // No password step, so that a test can ask for help as a user in one call.
  await server.app.realm.update({ workflow: 'username|second-factor' }, 'test');
  browser = await launchBrowser();
  [alice, bob, root] = await Promise.all([
    openConsole(browser, server.url),
    openConsole(browser, server.url),
    openConsole(browser, server.url),
  ]);
  await signIn(alice.page, 'alice');
  await signIn(bob.page, 'bob');
  await signIn(root.page, 'root');
});

/** A PNG of one part of the page in the temp folder, for a person to look at. */
async function look(target: Locator, name: string) {
  await target.scrollIntoViewIfNeeded();
  await target.screenshot({
    path: path.join(tmpdir(), `impostor-${name}.png`),
    animations: 'disabled',
    caret: 'hide',
  });
}

afterAll(async () => {
  await browser?.close();
  await server?.cleanup();
});

describe('a second approver', () => {
  it('the holder asks, another agent sees it live and approves, the holder reveals and the user signs in', async () => {
    const { page } = alice;
    const plain = await askForHelp(server.url, 'mjones', '1');
    const asked = await askForHelp(server.url, 'cfo', '1');

    // Every row says its risk in words; the privileged user's is the higher one.
    const row = queueRow(page, asked.reference);
    await expect.poll(() => row.textContent()).toMatch(/(Medium|High) risk/);
    await expect.poll(() => queueRow(page, plain.reference).textContent()).toMatch(/ risk/);
    await shoot(page, 'queue-risk');

    await row.click();
    await page.getByRole('heading', { level: 2, name: new RegExp(asked.reference) }).waitFor();
    const risk = page.getByRole('region', { name: 'Risk' });
    await risk.getByText('Privileged user (directory group)').waitFor();
    expect(await risk.getByText(/^score \d+$/).count()).toBe(1);
    await page.getByRole('button', { name: 'Claim' }).click();
    await page.getByText('Held by you', { exact: true }).waitFor();

    // The realm wants a note with the required check; the console says so before the server does.
    await page.getByRole('checkbox', { name: /Called back the phone number on file/ }).click();
    await page.getByText('Write what you confirmed, and how, before ticking this check.').waitFor();
    await page
      .getByLabel('Note for “Called back the phone number on file”')
      .fill('Called +14155550122, Casey answered');
    await page.getByRole('checkbox', { name: /Called back the phone number on file/ }).check();
    await page.getByRole('checkbox', { name: /Caller stated the employee ID on file/ }).check();
    const reveal = page.getByRole('button', { name: 'Reveal passcode' });
    await page
      .getByText('This request needs a second approver before the reveal: ask for approval.')
      .waitFor();
    expect(await reveal.isDisabled()).toBe(true);
    await shoot(page, 'request-risk-signals');
    const approval = page.getByRole('region', { name: 'Second approver' });
    await look(approval, 'approval-ask');
    await approval
      .getByLabel('Note for the approver (optional)')
      .fill('Travelling, calling from a hotel');
    await approval.getByRole('button', { name: 'Ask for approval' }).click();
    await approval.getByText(/Asked by alice/).waitFor();
    await approval.getByText(/Waiting: the desk’s other agents and the admins see it/).waitFor();
    expect(await reveal.isDisabled()).toBe(true);

    // Bob sees it live, without reloading, and opens it from the list.
    const waiting = bob.page.getByRole('region', { name: /^Approvals waiting/ });
    await waiting.getByText(asked.reference).waitFor();
    await expect.poll(() => waiting.textContent()).toContain('asked by alice');
    await waiting
      .getByRole('button', { name: `Open ${asked.reference} to approve or refuse` })
      .click();
    await bob.page.getByRole('heading', { level: 2, name: new RegExp(asked.reference) }).waitFor();
    const decide = bob.page.getByRole('region', { name: 'Second approver' });
    await decide.getByText(/alice asks you to approve the reveal/).waitFor();
    await bob.page.getByText('Called +14155550122, Casey answered', { exact: false }).waitFor();
    await shoot(bob.page, 'approval-waiting');
    await look(decide, 'approval-box');

    await decide.getByRole('button', { name: 'Approve…' }).click();
    const dialog = bob.page.getByRole('alertdialog', { name: 'Approve the reveal?' });
    await dialog.getByLabel('Note').fill('ok');
    await dialog.getByRole('button', { name: 'Approve reveal' }).click();
    await dialog.getByText('Say why, for the record (at least 3 characters).').waitFor();
    await dialog.getByLabel('Note').fill('Callback to the number on file is enough');
    await shoot(bob.page, 'approval-dialog');
    await dialog.getByRole('button', { name: 'Approve reveal' }).click();
    await dialog.waitFor({ state: 'detached' });
    await decide.getByText(/Approved by bob/).waitFor();
    await expect.poll(() => waiting.count()).toBe(0);

    // The holder's view follows: who approved, and the reveal works.
    await approval.getByText(/Approved by bob/).waitFor();
    await expect.poll(() => reveal.isEnabled()).toBe(true);
    await shoot(page, 'request-approved');
    await look(approval, 'approval-approved');
    await reveal.click();
    const otp = await readOtp(page);

    const done = await enterCode(asked.browser, otp);
    expect(pageText(done.html)).toContain("You're signed in");
    await page.getByText('Completed.').waitFor();
    expect(alice.problems).toEqual([]);
    expect(bob.problems).toEqual([]);
  });
});

describe('a suspicious caller', () => {
  it('is reported by the holder, alerts the admin live, refuses the next request, and is cleared in Settings', async () => {
    const { page } = alice;
    const asked = await askForHelp(server.url, 'jsmith', '1');
    await queueRow(page, asked.reference).click();
    await page.getByRole('heading', { level: 2, name: new RegExp(asked.reference) }).waitFor();
    await page.getByRole('button', { name: 'Claim' }).click();
    await page.getByText('Held by you', { exact: true }).waitFor();

    await page.getByRole('button', { name: 'Suspicious caller…' }).click();
    const dialog = page.getByRole('alertdialog', { name: 'Report a suspicious caller' });
    await dialog.getByText(/cannot ask a help desk for a passcode for 3 days/).waitFor();
    await dialog.getByLabel('What happened?').fill('Odd call');
    await dialog.getByRole('button', { name: 'Report and end request' }).click();
    await dialog
      .getByText('Describe what happened, for the record (at least 10 characters).')
      .waitFor();
    await dialog
      .getByLabel('What happened?')
      .fill('Could not give the employee ID and pushed to skip the callback');
    await shoot(page, 'suspicious-dialog');
    await dialog.getByRole('button', { name: 'Report and end request' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByText('Denied.').waitFor();

    // The admin (who does not even staff desk 1) is alerted live.
    const alert = root.page
      .getByRole('region', { name: 'Alerts' })
      .getByRole('alert')
      .filter({ hasText: 'Suspicious caller' });
    await alert.waitFor();
    await expect.poll(() => alert.textContent()).toContain('jsmith');
    await shoot(root.page, 'alert-suspicious-caller');

    // jsmith's next request is refused: the method page offers no desk.
    const user = await browser.newContext({ baseURL: server.url });
    const userPage = await user.newPage();
    await userPage.goto('/sign-in');
    await identify(userPage, 'jsmith');
    await userPage
      .getByRole('heading', { level: 1, name: 'Help-desk sign-in isn’t available' })
      .or(userPage.getByRole('heading', { level: 1, name: "Help-desk sign-in isn't available" }))
      .waitFor();
    await userPage.getByText(BLOCKED_TEXT).waitFor();
    expect(await userPage.getByRole('radio').count()).toBe(0);
    await user.close();

    // The admin follows the alert to the blocks list, sees when it lapses, and clears it.
    await alert.getByRole('button', { name: 'See blocked users' }).click();
    await root.page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
    const blocks = root.page.getByRole('table', { name: 'Blocked users' });
    const blocked = blocks.getByRole('row', { name: /jsmith/ });
    await expect.poll(() => blocked.textContent()).toContain('Suspicious caller');
    await expect.poll(() => blocked.textContent()).toMatch(/until \d{1,2} \w{3} \d\d:\d\d/);
    await look(root.page.getByRole('region', { name: 'Blocked users' }), 'blocked-users');
    await blocked.getByRole('button', { name: 'Clear the block on jsmith…' }).click();
    const clear = root.page.getByRole('alertdialog', { name: 'Clear the block on jsmith?' });
    await clear.getByLabel('Reason').fill('Called jsmith on the number on file: it was them');
    await clear.getByRole('button', { name: 'Clear block' }).click();
    await root.page
      .getByText('Cleared the block on jsmith: they can ask a help desk again.')
      .waitFor();
    expect((await askForHelp(server.url, 'jsmith', '1')).reference).toMatch(/\w/);

    // The settings this flow follows from, photographed for a person to look at.
    await openSettingsPage(root.page, 'Risk & approval');
    const riskCard = root.page.getByRole('region', { name: 'Risk & approval' });
    await look(riskCard, 'settings-risk');
    await shoot(root.page, 'settings-risk');
    await openSettingsPage(root.page, 'Desks & queue');
    const desk = root.page.getByRole('region', { name: 'Help Desk 1' });
    await desk.getByLabel('Opening hours').check();
    await desk.getByLabel('Time zone').fill('Europe/London');
    await look(desk, 'settings-desk-hours');
    await desk.getByRole('button', { name: 'Discard' }).click();
    await openSettingsPage(root.page, 'Verification');
    await look(root.page.getByRole('region', { name: 'Verification' }), 'settings-verification');
    await openSettingsPage(root.page, 'Mail & notifications');
    await look(root.page.getByRole('region', { name: 'Notifications' }), 'settings-notifications');
    expect(root.problems).toEqual([]);
    expect(alice.problems).toEqual([]);
  });
});

describe('a cap', () => {
  it('refuses the reveal past the per-user daily cap with the server’s words, and alerts the admin live', async () => {
    await server.app.realm.update(
      {
        riskPolicy: {
          ...server.app.realm.config.riskPolicy,
          caps: { passcodesPerUserPerDay: 1, revealsPerAgentPerHour: 1000 },
        },
      },
      'test',
    );
    const { page } = alice;
    const work = async (reference: string) => {
      const row = queueRow(page, reference);
      await row.waitFor();
      await row.click();
      await page.getByRole('heading', { level: 2, name: new RegExp(reference) }).waitFor();
      await page.getByRole('button', { name: 'Claim' }).click();
      await page.getByText('Held by you', { exact: true }).waitFor();
      await page
        .getByLabel('Note for “Called back the phone number on file”')
        .fill('Called the number on file');
      await page.getByRole('checkbox', { name: /Called back the phone number on file/ }).check();
      await page.getByRole('checkbox', { name: /Caller stated the employee ID on file/ }).check();
      const reveal = page.getByRole('button', { name: 'Reveal passcode' });
      await expect
        .poll(async () =>
          (await reveal.isEnabled()) ? 'enabled' : await page.locator('#reveal-why').textContent(),
        )
        .toBe('enabled');
      await reveal.click();
    };

    const first = await askForHelp(server.url, 'kwong', '1');
    await work(first.reference);
    await readOtp(page);
    await page.getByRole('button', { name: 'Deny…' }).click();
    const deny = page.getByRole('alertdialog', { name: 'Deny this request' });
    await deny.getByLabel('Reason').fill('Caller hung up before reading it back');
    await deny.getByRole('button', { name: 'Deny request' }).click();
    await page.getByText('Denied.').waitFor();

    const second = await askForHelp(server.url, 'kwong', '1');
    await work(second.reference);
    await page.getByText(/kwong has had 1 passcode\(s\) in the last 24 hours/).waitFor();
    expect(await page.getByRole('button', { name: 'Reveal passcode' }).count()).toBe(1);
    const alert = root.page
      .getByRole('region', { name: 'Alerts' })
      .getByRole('alert')
      .filter({ hasText: 'kwong' });
    await alert.waitFor();
    await expect.poll(() => alert.textContent()).toMatch(/limit of 1 passcode/);
    await shoot(page, 'request-cap-reached');
  });
});
