// Entering the code in real Chromium: the field opens on the request page the moment the desk reveals, a
// countdown on the server's clock that lapses into "ask again", no console errors for refusals the pages
// explain, and the favicon.
import type { Browser, BrowserContext, ConsoleMessage, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OUTCOME_HEADER } from '../../../server/enduser/handled-answer';
import type { AgentSocket, TestServer } from '../../support/test-server';
import { connectAgent, login, seedRealm, startTestServer } from '../../support/test-server';
import { launchBrowser } from '../support/browser';
import { checkPage, identify, issueCode, sendRequest, spoken } from '../support/sign-in-flow';

let server: TestServer;
let agent: AgentSocket;
let browser: Browser;

const USERS = ['inline.user', 'reload.user', 'clock.user', 'quiet.user'];

beforeAll(async () => {
  server = await startTestServer();
  await seedRealm(
    server,
    [{ username: 'root', displayName: 'Root', role: 'admin', desks: ['1', '2'] }],
    USERS,
  );
  await server.app.realm.update({ workflow: 'username|second-factor' }, 'test');
  agent = await connectAgent(server.url, await login(server.url, 'root'));
  browser = await launchBrowser();
});

afterAll(async () => {
  agent?.disconnect();
  await browser?.close();
  await server?.cleanup();
});

async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL: server.url });
  return { context, page: await context.newPage() };
}

async function toRequestPage(page: Page, username: string, desk = 'Security Desk') {
  await page.goto('/sign-in');
  await identify(page, username);
  const reference = await sendRequest(page, desk);
  await page.getByText('This page updates by itself.').waitFor();
  return reference;
}

const countdownText = (page: Page) => page.locator('[data-countdown-text]').first().textContent();

describe('the code field on the request page', () => {
  it('opens the moment the desk reveals the code, without a click, and takes the keyboard', async () => {
    const { context, page } = await newPage();
    try {
      const reference = await toRequestPage(page, 'inline.user');
      let navigations = 0;
      page.on('framenavigated', (frame) => {
        if (frame === page.mainFrame()) navigations++;
      });
      const field = page.getByLabel('One-time code');
      expect(await field.isVisible()).toBe(false);

      const otp = await issueCode(agent, reference);
      await field.waitFor();
      await expect.poll(() => page.locator(':focus').getAttribute('id')).toBe('otp');
      expect(navigations).toBe(0);
      await expect
        .poll(() => page.locator('[data-announce]').textContent())
        .toContain('Your code is ready');
      expect((await countdownText(page))?.trim()).toBe('Your code works for 10 more minutes.');
      // The code page stays one link away (and is what a browser without JavaScript may use).
      expect(
        await page.getByRole('link', { name: 'Enter your code on a page of its own' }).isVisible(),
      ).toBe(true);
      await checkPage(page, '05-request-inline-code');

      await page.keyboard.type(spoken(otp));
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: "You're signed in" }).waitFor();
    } finally {
      await context.close();
    }
  });

  it('is on the page already when it is loaded after the reveal, and names the desk by number and name', async () => {
    const { context, page } = await newPage();
    try {
      const reference = await toRequestPage(page, 'reload.user', 'IT Service Desk');
      expect(await page.locator('.desk-label').textContent()).toBe('Help Desk 1 · IT Service Desk');
      await issueCode(agent, reference);
      await page.reload();
      await page.getByLabel('One-time code').waitFor();
      expect((await countdownText(page))?.trim()).toBe('Your code works for 10 more minutes.');
    } finally {
      await context.close();
    }
  });
});

describe('the countdown of the code', () => {
  it("runs on the server's clock, speaks rarely, and lapses into “expired — ask again”", async () => {
    // The browser's clock is two hours behind the server's: the countdown must not care.
    const skew = 2 * 60 * 60_000;
    server.clock.advance(skew);
    const { context, page } = await newPage();
    // Time moves for both together from here: the server's test clock and the page's clock.
    await context.clock.install();
    const advanceBoth = async (ms: number) => {
      server.clock.advance(ms);
      await page.clock.fastForward(ms);
    };
    try {
      const reference = await toRequestPage(page, 'clock.user');
      const otp = await issueCode(agent, reference);
      await page.getByLabel('One-time code').waitFor();
      await expect
        .poll(async () => (await countdownText(page))?.trim())
        .toBe('Your code works for 10 more minutes.');
      const spokenNow = () => page.locator('[data-countdown-announce]').first().textContent();
      // Minutes tick by silently: nothing is said until five minutes are left.
      await advanceBoth(2 * 60_000);
      await expect
        .poll(async () => (await countdownText(page))?.trim())
        .toBe('Your code works for 8 more minutes.');
      expect(await spokenNow()).toBe('');
      await advanceBoth(3 * 60_000 + 5_000);
      await expect.poll(spokenNow).toBe('Your code works for 5 more minutes.');

      // The last minute counts in seconds on screen; the status says only its moments.
      await advanceBoth(4 * 60_000 + 25_000);
      await expect
        .poll(async () => (await countdownText(page))?.trim())
        .toMatch(/^Your code works for (2\d|30) more seconds\.$/);
      // Said once, as the 30-second mark passes (real time has moved on a little since the reveal).
      await expect.poll(spokenNow).toMatch(/^Your code works for (2\d|30) more seconds\.$/);
      await checkPage(page, '05-request-countdown-last-seconds');

      await advanceBoth(31_000);
      await page.getByText('Your code has expired — ask again.').waitFor();
      expect(await page.getByLabel('One-time code').isVisible()).toBe(false);
      expect(await page.getByRole('button', { name: 'Cancel request' }).isVisible()).toBe(false);
      await expect.poll(spokenNow).toBe('Your code has expired. Ask again: start a new request.');
      await checkPage(page, '05-request-countdown-expired');

      // The server agrees: the code is spent even though it is right.
      await page.goto('/sign-in/code');
      await page.getByRole('heading', { name: 'Your code has expired' }).waitFor();
      await page.getByRole('link', { name: 'Start a new request' }).click();
      await page.getByRole('heading', { name: 'Choose a help desk' }).waitFor();
      expect(otp).toMatch(/^\d{8}$/);
    } finally {
      await context.close();
      server.clock.offset = 0;
    }
  });
});

describe('the browser console', () => {
  it('stays free of errors over a sign-in with a missing choice, a wrong code, an expired code and too many requests', async () => {
    const { context, page } = await newPage();
    const errors: string[] = [];
    page.on('console', (message: ConsoleMessage) => {
      if (message.type() === 'error' || message.type() === 'warning')
        errors.push(`${message.type()}: ${message.text()} (${message.location().url})`);
    });
    page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
    const answerTo = (path: string) =>
      page.waitForResponse((r) => r.url().endsWith(path) && r.request().method() === 'POST');
    try {
      await page.goto('/sign-in');
      await identify(page, 'quiet.user');
      await page.getByRole('heading', { name: 'Choose a help desk' }).waitFor();

      // No desk chosen: refused (422 to anything else), the page explains, the browser logs nothing.
      let answer = answerTo('/sign-in/method');
      await page.getByRole('button', { name: 'Send request' }).click();
      let response = await answer;
      expect(response.status()).toBe(200);
      expect(response.headers()[OUTCOME_HEADER.toLowerCase()]).toBe('422');
      await expect
        .poll(() => page.getByRole('alert').textContent())
        .toContain('Choose a help desk');

      const reference = await sendRequest(page, 'IT Service Desk');
      const otp = await issueCode(agent, reference);
      await page.getByLabel('One-time code').waitFor();

      // A wrong code, from the inline field.
      answer = answerTo('/sign-in/code');
      await page.getByLabel('One-time code').fill(otp === '00000000' ? '11111111' : '00000000');
      await page.getByRole('button', { name: 'Verify code' }).click();
      response = await answer;
      expect(response.headers()[OUTCOME_HEADER.toLowerCase()]).toBe('422');
      await expect
        .poll(() => page.getByRole('alert').textContent())
        .toContain("That code isn't right");
      // The code page counts the code's lifetime down too.
      expect((await countdownText(page))?.trim()).toMatch(
        /^Your code works for 1?\d more minutes\.$/,
      );

      // The right code, too late.
      server.clock.advance(11 * 60_000);
      try {
        await page.getByLabel('One-time code').fill(otp);
        await page.getByRole('button', { name: 'Verify code' }).click();
        await page.getByRole('heading', { name: 'Your code has expired' }).waitFor();
      } finally {
        server.clock.advance(-11 * 60_000);
      }

      // Too many requests: the per-user limit answers the page's own submission.
      await page.getByRole('link', { name: 'Start a new request' }).click();
      await page.getByRole('heading', { name: 'Choose a help desk' }).waitFor();
      const csrf = await page.locator('input[name="_csrf"]').first().inputValue();
      for (let i = 0; i < 12; i++) {
        const res = await context.request.post('/sign-in/method', {
          form: { _csrf: csrf, desk: '1' },
          maxRedirects: 0,
        });
        if (res.status() === 429) break;
      }
      answer = answerTo('/sign-in/method');
      await page.getByRole('radio', { name: /IT Service Desk/ }).check();
      await page.getByRole('button', { name: 'Send request' }).click();
      response = await answer;
      expect(response.status()).toBe(200);
      expect(response.headers()[OUTCOME_HEADER.toLowerCase()]).toBe('429');
      expect(Number(response.headers()['retry-after'])).toBeGreaterThan(0);
      await page.getByRole('heading', { name: 'Too many attempts' }).waitFor();

      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

describe('the favicon', () => {
  it('every page links it, and it is served as an SVG the browser can draw', async () => {
    const { context, page } = await newPage();
    try {
      await page.goto('/sign-in');
      const href = await page.locator('link[rel="icon"]').getAttribute('href');
      expect(href).toBe('/assets/favicon.svg');
      const icon = await context.request.get(href!);
      expect(icon.status()).toBe(200);
      expect(icon.headers()['content-type']).toMatch(/^image\/svg\+xml/);
      expect(icon.headers()['cache-control']).toBe('public, max-age=86400');
      const drawn = await page.evaluate(`new Promise((resolve) => {
        const image = new Image();
        image.onload = () => resolve(image.naturalWidth > 0);
        image.onerror = () => resolve(false);
        image.src = ${JSON.stringify(href)};
      })`);
      expect(drawn).toBe(true);
    } finally {
      await context.close();
    }
  });
});
