// The console an agent lives in all day, in real Chromium at 1280×800: rows turn amber then red as
// the server's clock moves, the keyboard shortcuts (never while typing), focus after a claim, Reveal
// in reach without scrolling and the sticky header after it, Settings by page with deep links and
// check ids made from labels, and every screen in the light and the dark theme with axe clean.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../../support/test-server';
import { PASSWORD, seedRealm, startTestServer } from '../../support/test-server';
import { askForHelp } from '../../support/sign-in-pages';
import { launchBrowser } from '../support/browser';
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
let browser: Browser;
let alice: ConsolePage;
let root: ConsolePage;

const MINUTE = 60_000;
const CHECKS = [
  'Called back the phone number on file',
  'Caller stated the employee ID on file',
  'Manager confirmed the request',
  'Saw photo ID on a video call',
] as const;

/** Every theme a screen is photographed (and scanned by axe) in. */
async function shootBothThemes(page: Page, name: string) {
  await page.emulateMedia({ colorScheme: 'light' });
  await shoot(page, name);
  await page.emulateMedia({ colorScheme: 'dark' });
  await shoot(page, `${name}-dark`);
  await page.emulateMedia({ colorScheme: 'light' });
}

/** What has the keyboard: its id, else its label, else its tag. */
const focused = (page: Page): Promise<string> =>
  page.evaluate(
    "(e => e?.id || e?.getAttribute('aria-label') || e?.tagName || '')(document.activeElement)",
  );

beforeAll(async () => {
  await ensureConsoleBuilt();
  server = await startTestServer();
  await seedRealm(
    server,
    [
      { username: 'alice', displayName: 'Alice Agent', role: 'agent', desks: ['1'] },
      { username: 'root', displayName: 'Root Admin', role: 'admin', desks: ['1', '2'] },
    ],
    ['jsmith', 'mjones', 'akim', 'bnoor'],
  );
  // The tallest request there is: every check required, each with a note.
  const policy = server.app.realm.config.verificationPolicy;
  await server.app.realm.update(
    {
      verificationPolicy: {
        ...policy,
        required: policy.checks.map((c) => c.id),
        minimumChecks: policy.checks.length,
        notesRequired: 'all',
      },
    },
    'test',
  );
  browser = await launchBrowser();
  alice = await openConsole(browser, server.url);
  await alice.page.setViewportSize({ width: 1280, height: 800 });
  await signIn(alice.page, 'alice');
  root = await openConsole(browser, server.url);
  await root.page.setViewportSize({ width: 1280, height: 800 });
  await signIn(root.page, 'root');
});

afterAll(async () => {
  await browser?.close();
  await server?.cleanup();
});

describe('urgency', () => {
  it('shows rows oldest first, amber past 2 minutes and red past 5 by the server’s clock', async () => {
    const { page } = alice;
    const first = await askForHelp(server.url, 'jsmith', '1', PASSWORD);
    const row = queueRow(page, first.reference);
    await row.waitFor();
    expect(await row.locator('.queue-age-fresh').count()).toBe(1);
    expect(await row.textContent()).not.toMatch(/waiting long|urgent/);

    // The server's clock moves on; the next request it stamps tells the console the time.
    server.clock.advance(2.5 * MINUTE);
    const second = await askForHelp(server.url, 'mjones', '1', PASSWORD);
    await queueRow(page, second.reference).waitFor();
    await expect.poll(() => row.textContent()).toMatch(/waiting 2 min, waiting long/);
    expect(await row.locator('.queue-age-warn').count()).toBe(1);
    expect(await queueRow(page, second.reference).locator('.queue-age-fresh').count()).toBe(1);

    server.clock.advance(3 * MINUTE);
    const third = await askForHelp(server.url, 'akim', '1', PASSWORD);
    await queueRow(page, third.reference).waitFor();
    await expect.poll(() => row.textContent()).toMatch(/waiting 5 min, urgent/);
    expect(await row.locator('.queue-age-urgent').count()).toBe(1);
    expect(await queueRow(page, second.reference).textContent()).toMatch(/waiting long/);

    // Oldest first: the caller who has waited longest is at the top.
    const order = await page
      .getByRole('listbox', { name: 'Open requests' })
      .getByRole('option')
      .evaluateAll((rows) => rows.map((r) => r.textContent?.slice(0, 7)));
    expect(order).toEqual([first.reference, second.reference, third.reference]);
    await shootBothThemes(page, 'flow-queue-urgency');
  });
});

describe('keyboard', () => {
  it('has ? for every shortcut, / for search, Esc back to the list, and none fire while typing', async () => {
    const { page } = alice;
    await page.locator('body').click({ position: { x: 1000, y: 400 } });
    await page.keyboard.press('?');
    const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await dialog.waitFor();
    for (const does of ['Claim the request', 'Search the queue', 'Reveal the passcode'])
      await dialog.getByRole('cell', { name: new RegExp(does) }).waitFor();
    await shootBothThemes(page, 'flow-shortcuts');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });

    await page.keyboard.press('/');
    await expect.poll(() => focused(page)).toBe('queue-search');
    // Typing: the keys are letters in the field, not shortcuts.
    await page.keyboard.type('r?/jsm');
    expect(await page.getByLabel('Search').inputValue()).toBe('r?/jsm');
    expect(await dialog.count()).toBe(0);
    await page.getByLabel('Search').fill('');
    await page.getByLabel('Search').blur();

    await page.keyboard.press('Escape');
    await expect.poll(() => focused(page)).toBe('queue-list');
  });

  it('claims with C, focuses the first check’s note, reveals with R in reach at 1280×800, the header stays', async () => {
    const { page } = alice;
    await page.keyboard.press('Home');
    await page.keyboard.press('Enter');
    const list = page.getByRole('listbox', { name: 'Open requests' });
    const reference = ((await list.getByRole('option').first().textContent()) ?? '').slice(0, 7);
    await page.getByRole('heading', { level: 2, name: new RegExp(reference) }).waitFor();
    await page.keyboard.press('c');
    await page.getByText('Held by you', { exact: true }).waitFor();
    // The claim moved the keyboard to the first required check's note (notes are required).
    await expect.poll(() => focused(page)).toBe('check-callback-note');

    // R while typing a note is a letter in the note.
    await page.keyboard.type('Rang the number on file');
    expect(await page.getByLabel(`Note for “${CHECKS[0]}”`).inputValue()).toBe(
      'Rang the number on file',
    );
    await page.keyboard.press('Enter');
    for (const check of CHECKS.slice(1)) {
      await page.getByLabel(`Note for “${check}”`).fill(`Confirmed: ${check.toLowerCase()}`);
      await page.getByRole('checkbox', { name: new RegExp(check) }).check();
    }
    const reveal = page.getByRole('button', { name: 'Reveal passcode' });
    await expect.poll(() => reveal.isEnabled()).toBe(true);

    // Reveal is on screen at 1280×800 without scrolling, with every check of the realm shown.
    const panel = page.locator('section.request-panel');
    await panel.evaluate((el) => el.scrollTo(0, 0));
    const box = await reveal.boundingBox();
    expect(box).not.toBeNull();
    expect(box!.y + box!.height).toBeLessThanOrEqual(800);
    expect(await panel.evaluate((el) => el.scrollTop)).toBe(0);
    await shootBothThemes(page, 'flow-request-verified');

    // R, with the focus out of any field, reveals.
    await panel.focus();
    await page.keyboard.press('r');
    const otp = await readOtp(page);
    expect(otp).toHaveLength(8);

    // The passcode is clear of the sticky header; scrolled to the end, the reference and the
    // caller are still in view.
    const header = page.locator('.request-sticky');
    const code = page.locator('.otp');
    const headerBox = (await header.boundingBox())!;
    const codeBox = (await code.boundingBox())!;
    expect(codeBox.y).toBeGreaterThanOrEqual(headerBox.y + headerBox.height - 1);
    await panel.evaluate((el) => el.scrollTo(0, el.scrollHeight));
    const stuck = (await header.boundingBox())!;
    expect(stuck.y).toBeGreaterThanOrEqual(52);
    expect(stuck.y).toBeLessThan(80);
    expect(await header.textContent()).toContain(reference);
    expect(await header.textContent()).toContain('User jsmith');
    await panel.evaluate((el) => el.scrollTo(0, 0));
    await shootBothThemes(page, 'flow-request-revealed');

    // The browser by name, the raw string on demand.
    const browserName = page.locator('.facts-ua summary');
    expect(await browserName.textContent()).toMatch(/^Unknown|^\S+/);

    // Esc: back to the list.
    await page.keyboard.press('Escape');
    await expect.poll(() => focused(page)).toBe('queue-list');
    expect(alice.problems).toEqual([]);
  });
});

describe('settings', () => {
  it('are pages with their own navigation and address, and never show a check’s id', async () => {
    const { page } = root;
    await page.getByRole('button', { name: 'Settings' }).click();
    await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
    const nav = page.getByRole('navigation', { name: 'Settings sections' });
    const here = nav.locator('[aria-current="page"]');
    expect(await here.textContent()).toBe('Desks & queue');
    const queue = page.getByRole('region', { name: 'Queue', exact: true });
    await queue.getByLabel('Amber after (minutes)').fill('3');
    await queue.getByRole('button', { name: 'Save queue' }).click();
    await queue.getByText('Saved.').waitFor();
    expect(server.app.realm.config.queueUrgency).toEqual({
      warnAfterMinutes: 3,
      urgentAfterMinutes: 5,
    });
    await shootBothThemes(page, 'flow-settings-desks');

    await nav.getByRole('link', { name: 'Verification' }).click();
    await expect.poll(() => page.evaluate('location.hash')).toBe('#settings/verification');
    expect(await here.textContent()).toBe('Verification');
    const card = page.getByRole('region', { name: 'Verification', exact: true });
    expect(await card.getByLabel('Id', { exact: true }).count()).toBe(0);
    expect(await page.getByRole('region', { name: 'Help Desk 1' }).count()).toBe(0);
    await card.getByRole('button', { name: 'Add a check' }).click();
    await card.getByLabel('Check', { exact: true }).last().fill('Called the manager’s desk phone');
    await card.getByRole('button', { name: 'Save verification' }).click();
    await card.getByText('Saved.').waitFor();
    expect(server.app.realm.config.verificationPolicy.checks.map((c) => c.id)).toEqual([
      'callback',
      'employee-id',
      'manager',
      'photo-id',
      'called-the-manager-s-desk-phone',
    ]);
    await shootBothThemes(page, 'flow-settings-verification');

    // The address leads back to the page: a reload lands on it.
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
    await page.getByRole('region', { name: 'Verification', exact: true }).waitFor();
    expect(await nav.locator('[aria-current="page"]').textContent()).toBe('Verification');
    expect(root.problems).toEqual([]);
  });

  it('every page is legible and axe-clean in the dark theme, as is the sign-in page', async () => {
    const { page } = root;
    await page.emulateMedia({ colorScheme: 'dark' });
    const names = await page
      .getByRole('navigation', { name: 'Settings sections' })
      .getByRole('link')
      .allTextContents();
    for (const name of names) {
      await openSettingsPage(page, name);
      await shoot(page, `flow-settings-dark-${name.toLowerCase().replace(/\W+/g, '-')}`);
    }
    await page.emulateMedia({ colorScheme: 'light' });

    const signedOut = await openConsole(browser, server.url);
    await signedOut.page.emulateMedia({ colorScheme: 'dark' });
    await shoot(signedOut.page, 'flow-sign-in-dark');
    await signedOut.context.close();
    expect(root.problems).toEqual([]);
  });
});
