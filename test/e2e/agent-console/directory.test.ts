// Settings → Directory in real Chromium: a newcomer's admin sees what to set up, imports a generated
// 10,000-user CSV through the file picker (preview, then import, generated passwords downloaded once),
// finds a user by search, exports the directory, and adds a user whose password is shown once.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIRECTORY_CSV_COLUMNS } from '../../../server/contract/directory';
import type { TestServer } from '../../support/test-server';
import { seedRealm, startTestServer } from '../../support/test-server';
import { launchBrowser } from '../support/browser';
import { ensureConsoleBuilt, openConsole, shoot, signIn, type ConsolePage } from './console';

const USERS = 10_000;
/** Rows that ask the server to generate a password (offered once, as a download). */
const GENERATED = ['user00007', 'user04242'];

let server: TestServer;
let browser: Browser;
let admin: ConsolePage;
let scratch: string;

/** username,displayName,…: every row valid, phones in local and international formats. */
function generatedCsv(): string {
  const lines = [DIRECTORY_CSV_COLUMNS.join(',')];
  for (let i = 1; i <= USERS; i++) {
    const n = String(i).padStart(5, '0');
    const username = `user${n}`;
    const phone =
      i % 2 === 0
        ? `+1415555${String(i % 10_000).padStart(4, '0')}`
        : `(415) 555-${String(i % 10_000).padStart(4, '0')}`;
    lines.push(
      [
        username,
        `"Person ${n}, Imported"`,
        `${username}@example.com`,
        phone,
        `E${n}`,
        `Dept ${i % 17}`,
        i > 1 ? 'user00001' : '',
        i % 500 === 0 ? 'false' : 'true',
        i % 1000 === 0 ? 'true' : 'false',
        GENERATED.includes(username) ? 'generate' : '',
      ].join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}

beforeAll(async () => {
  await ensureConsoleBuilt();
  server = await startTestServer();
  // A newcomer's realm: desks enabled, one admin, nobody in the directory yet.
  await seedRealm(
    server,
    [{ username: 'root', displayName: 'Root Admin', role: 'admin', desks: ['1', '2'] }],
    [],
  );
  scratch = await mkdtemp(path.join(tmpdir(), 'hdotp-directory-e2e-'));
  browser = await launchBrowser();
  admin = await openConsole(browser, server.url);
  await admin.page.setViewportSize({ width: 1280, height: 800 });
  await signIn(admin.page, 'root');
});

afterAll(async () => {
  await browser?.close();
  await server?.cleanup();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('the directory for a newcomer', () => {
  it('tells the admin in the queue how to get users in', async () => {
    const { page } = admin;
    await page
      .getByText('No users yet — add users, import a CSV or connect LDAP in Settings → Directory.')
      .waitFor();
    await shoot(page, 'queue-no-users');
    await page.screenshot({ path: path.join(tmpdir(), 'directory-queue-no-users.png') });
    await page.getByRole('button', { name: 'Open Settings' }).click();
    await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
    await page.getByRole('link', { name: 'Directory' }).click();
    const users = page.getByRole('region', { name: 'Directory users' });
    await users
      .getByText('No users yet — add users, import a CSV or connect LDAP in Settings → Directory.')
      .waitFor();
    const directory = page.getByRole('region', { name: 'Directory', exact: true });
    await directory.getByText('Available', { exact: true }).waitFor();
  });
});

describe('CSV import', () => {
  it('previews a 10,000-row file picked in the browser, imports it, and finds a user by search', async () => {
    const { page } = admin;
    const card = page.getByRole('region', { name: 'Import and export users' });

    // A file with mistakes: each is listed by line and column, and Import stays disabled.
    const flawed = path.join(scratch, 'flawed.csv');
    await writeFile(
      flawed,
      [
        'username,displayName,email,phone',
        'ok.user,Fine Person,ok@example.com,+14155550100',
        'bad.mail,Bad Mail,not-an-email,',
        'bad.phone,Bad Phone,,12',
      ].join('\n'),
    );
    await card.getByLabel('CSV file to import').setInputFiles(flawed);
    const flawedPreview = card.getByRole('region', { name: 'Import preview' });
    const errors = flawedPreview.getByRole('table', { name: 'Rows with errors' });
    await errors.waitFor();
    expect(await errors.getByRole('row').count()).toBe(3);
    expect(await errors.getByRole('row').nth(1).textContent()).toMatch(/^3email/);
    expect(await errors.getByRole('row').nth(2).textContent()).toMatch(/^4phone/);
    expect(await flawedPreview.getByRole('button', { name: 'Import 3 users' }).isDisabled()).toBe(
      true,
    );
    await shootDirectory('directory-import-errors');
    expect(server.directory.count).toBe(0);

    const file = path.join(scratch, 'people.csv');
    await writeFile(file, generatedCsv());
    await card.getByLabel('CSV file to import').setInputFiles(file);
    const preview = card.getByRole('region', { name: 'Import preview' });
    await preview.waitFor({ timeout: 60_000 });
    expect(await preview.locator('.import-counts').textContent()).toBe(
      'Rows10,000To add10,000To replace0Errors0',
    );
    await preview
      .getByRole('table', { name: 'Sample of the import' })
      .getByRole('cell', { name: 'user00001', exact: true })
      .waitFor();
    expect(server.directory.count).toBe(0);
    await shootDirectory('directory-import-preview');

    const download = page.waitForEvent('download');
    await preview.getByRole('button', { name: 'Import 10,000 users' }).click();
    await card
      .getByText('Imported 10,000 rows: 10,000 added, 0 replaced.')
      .waitFor({ timeout: 60_000 });
    expect(server.directory.count).toBe(USERS);

    // The generated passwords, once, as a file.
    await card.getByText(/2 passwords were generated/).waitFor();
    await card.getByRole('button', { name: 'Download passwords (CSV)' }).click();
    const passwords = await download.then((d) => d.path()).then((p) => readFile(p, 'utf8'));
    const lines = passwords.trim().split(/\r?\n/);
    expect(lines[0]).toBe('username,password');
    expect(
      lines
        .slice(1)
        .map((line) => line.split(',')[0])
        .sort(),
    ).toEqual(GENERATED);
    await card.getByRole('button', { name: 'Done, forget them' }).click();
    expect(await card.getByRole('button', { name: 'Download passwords (CSV)' }).count()).toBe(0);

    const users = page.getByRole('region', { name: 'Directory users' });
    await users.getByText('1–50 of 10,000').first().waitFor();
    await users.getByRole('navigation', { name: 'Pages of users' }).waitFor();
    await shootDirectory('directory-imported');
    await users.getByLabel('Search users').fill('user09999');
    const row = users.getByRole('row', { name: /user09999/ });
    await row.waitFor();
    await users.getByText('1–1 of 1').waitFor();
    expect(await row.textContent()).toContain('Person 09999, Imported');
    expect(await row.textContent()).toContain('+14155559999');
  });

  it('exports the directory as a CSV file', async () => {
    const { page } = admin;
    const download = page.waitForEvent('download');
    await page
      .getByRole('region', { name: 'Import and export users' })
      .getByRole('button', { name: 'Export CSV' })
      .click();
    const saved = await download;
    expect(saved.suggestedFilename()).toBe('directory-users.csv');
    const text = await readFile(await saved.path(), 'utf8');
    const lines = text.trim().split(/\r?\n/);
    expect(lines).toHaveLength(USERS + 1);
    expect(text).toContain('user09999');
  });
});

describe('adding a user', () => {
  it('shows the generated password once', async () => {
    const { page } = admin;
    const users = page.getByRole('region', { name: 'Directory users' });
    await users.getByRole('button', { name: 'Add user' }).click();
    const dialog = page.getByRole('alertdialog', { name: 'Add a user' });
    await dialog.getByLabel('Username').fill('new.hire');
    await dialog.getByLabel('Display name').fill('New Hire');
    await dialog.getByLabel('Email').fill('new.hire@example.com');
    await dialog.getByLabel('Phone').fill('(415) 555-0142');
    await dialog.getByLabel('Department').fill('Finance');
    await shootDirectory('directory-add-user', { axe: false });
    await dialog.getByRole('button', { name: 'Add user' }).click();

    const shown = page.getByRole('alertdialog', { name: 'Password for new.hire' });
    await shown.getByText('It will not be shown again.').waitFor();
    const password = ((await shown.getByLabel('Password for new.hire').textContent()) ?? '').trim();
    expect(password.length).toBeGreaterThanOrEqual(12);
    await shootDirectory('directory-one-time-password', { axe: false });
    await shown.getByRole('button', { name: 'Done, hide it' }).click();
    expect(await page.getByText(password).count()).toBe(0);
    expect(await server.directory.checkPassword('new.hire', password)).toBe(true);

    await users.getByLabel('Search users').fill('new.hire');
    const row = users.getByRole('row', { name: /new\.hire/ });
    await row.waitFor();
    expect(await row.textContent()).toContain('+14155550142');
    expect(admin.problems).toEqual([]);
  });
});

describe('the directory section', () => {
  it('is laid out cleanly at 1280×800 and passes the accessibility scan', async () => {
    const { page } = admin;
    await page.getByRole('radio', { name: 'LDAP / Active Directory' }).check();
    await page.getByRole('button', { name: 'Active Directory' }).click();
    const directory = page.getByRole('region', { name: 'Directory', exact: true });
    // Nothing listens there: the test names the stage it stopped at, with the server's message.
    await directory.getByLabel('Server URL').fill('ldap://127.0.0.1:9');
    await directory.getByLabel('Base DN').fill('dc=example,dc=com');
    await directory.getByLabel('Username to look up').fill('jdoe');
    await directory.getByRole('button', { name: 'Test connection' }).click();
    const failure = directory.locator('.directory-test .notice-error');
    await failure.waitFor();
    expect(await failure.textContent()).toMatch(/^(Connection|Timeout): ./);
    await shoot(page, 'settings-directory');
    await shootDirectory('directory-ldap-form');
    await page.getByRole('button', { name: 'Discard' }).click();
    expect(admin.problems).toEqual([]);
  });
});

/**
 * The Directory section in the 1280×800 window (what is on screen, and each of its cards whole), as
 * PNGs in the temp folder for a person to look at; then the usual screenshot and accessibility scan.
 */
async function shootDirectory(name: string, options: { axe?: boolean } = {}) {
  const { page } = admin;
  const at = (suffix: string) => ({
    path: path.join(tmpdir(), `${name}${suffix}.png`),
    animations: 'disabled' as const,
    caret: 'hide' as const,
  });
  const dialogOpen = (await page.getByRole('alertdialog').count()) > 0;
  // The section's top under the top bar, as the Settings contents link leaves it.
  if (!dialogOpen)
    await page
      .locator('#settings-directory')
      .evaluate((heading) => heading.closest('section')?.scrollIntoView({ block: 'start' }));
  await page.screenshot(at(''));
  if (!dialogOpen)
    for (const [suffix, card] of [
      ['-settings', 'Directory'],
      ['-users', 'Directory users'],
      ['-import', 'Import and export users'],
    ] as const)
      await page.getByRole('region', { name: card, exact: true }).screenshot(at(suffix));
  if (options.axe !== false) await shoot(page, name);
}
