// The request and code pages in real Chromium: desks shown, live status, wrong/expired/locked codes, cancel, error pages, 320px.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OUTCOME_HEADER } from '../../../server/enduser/handled-answer';
import type { AgentSocket, TestServer } from '../../support/test-server';
import {
  connectAgent,
  login,
  must,
  nextEvent,
  seedRealm,
  startTestServer,
} from '../../support/test-server';
import { launchBrowser, screenshot } from '../support/browser';
import {
  checkPage,
  claimAndVerify,
  identify,
  issueCode,
  requestIdOf,
  sendRequest,
} from '../support/sign-in-flow';

let server: TestServer;
let agent: AgentSocket;
let browser: Browser;

// This workflow needs no password; users who get as far as a revealed code must be in the directory
// (no passcode is ever issued to anyone else), the rest need not be: they walk the same pages.
beforeAll(async () => {
  server = await startTestServer();
  await seedRealm(
    server,
    [{ username: 'root', displayName: 'Root', role: 'admin', desks: ['1', '2'] }],
    ['live.user', 'wrong.code', 'slow.user', 'keys.only', 'narrow.user'],
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

async function newPage(
  options: { viewport?: { width: number; height: number } } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL: server.url, ...options });
  return { context, page: await context.newPage() };
}

async function toRequestPage(
  page: Page,
  username: string,
  desk = 'IT Service Desk',
): Promise<string> {
  await page.goto('/sign-in');
  await identify(page, username);
  return sendRequest(page, desk);
}

async function enterCode(page: Page, code: string) {
  await page.getByLabel('One-time code').fill(code);
  await page.getByRole('button', { name: 'Verify code' }).click();
}

const wrongCode = (otp: string) => (otp === '00000000' ? '11111111' : '00000000');

describe('the method page', () => {
  it('hides a disabled desk, and says plainly when no desk is available', async () => {
    const desks = server.app.realm.config.helpDesks;
    const { context, page } = await newPage();
    try {
      await server.app.realm.update(
        { helpDesks: { '1': { ...desks['1'], enabled: false } } },
        'test',
      );
      await page.goto('/sign-in');
      await identify(page, 'desk.tester');
      await page.getByRole('heading', { name: 'Choose a help desk' }).waitFor();
      expect(await page.getByRole('radio').count()).toBe(1);
      expect(await page.getByText('IT Service Desk').count()).toBe(0);
      expect(await page.getByText('+14155550100').count()).toBe(0);
      // The only desk is chosen already.
      expect(await page.getByRole('radio', { name: /Security Desk/ }).isChecked()).toBe(true);
      await checkPage(page, '02-method-one-desk');

      await server.app.realm.update(
        { helpDesks: { '2': { ...desks['2'], enabled: false } } },
        'test',
      );
      await page.reload();
      await page
        .getByRole('heading', { name: "Help-desk sign-in isn't available right now" })
        .waitFor();
      expect(await page.getByRole('radio').count()).toBe(0);
      expect(await page.getByRole('button', { name: 'Send request' }).count()).toBe(0);
      await checkPage(page, '02-method-no-desk');
    } finally {
      await server.app.realm.update({ helpDesks: desks }, 'test');
      await context.close();
    }
  });

  it('refuses to send without a desk, with the error next to the choices', async () => {
    const { context, page } = await newPage();
    await page.goto('/sign-in');
    await identify(page, 'no.choice');
    await page.getByRole('button', { name: 'Send request' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Choose a help desk');
    expect(await page.locator('#desk-error').textContent()).toContain('Choose a help desk');
    expect(await page.title()).toMatch(/^Error: /);
    await checkPage(page, '02-method-error');
    await context.close();
  });
});

describe('the request page', () => {
  it('follows the request live, without reloading, until the code is ready', async () => {
    const { context, page } = await newPage();
    const reference = await toRequestPage(page, 'live.user');
    await page.getByText('This page updates by itself.').waitFor();
    let navigations = 0;
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) navigations++;
    });
    // The page runs in the browser: expressions, not functions typed against Node's globals.
    await page.evaluate("window.marker = 'still here'");

    const requestId = await requestIdOf(agent, reference);
    await must(agent, 'request:claim', { requestId });
    await page.getByText('An agent is verifying you', { exact: true }).waitFor();
    expect(await page.getByText('Waiting for an agent').isVisible()).toBe(false);
    await expect
      .poll(() => page.getByRole('status').last().textContent())
      .toContain('An agent is verifying you');
    await checkPage(page, '04-request-verifying');

    await must(agent, 'request:verify', { requestId, checkId: 'callback', note: 'Called back' });
    await must(agent, 'request:verify', { requestId, checkId: 'employee-id', note: 'E1' });
    await must(agent, 'request:reveal', { requestId });
    await page.getByLabel('One-time code').waitFor();
    await page.getByText('Your code is ready', { exact: true }).waitFor();
    expect((await page.locator('[aria-current="step"]').textContent())?.trim()).toBe('Code ready');
    await checkPage(page, '04-request-code-ready');

    expect(navigations).toBe(0);
    expect(await page.evaluate('window.marker')).toBe('still here');
    await context.close();
  });

  it('can be cancelled, which the desk sees at once', async () => {
    const { context, page } = await newPage();
    const reference = await toRequestPage(page, 'cancel.user', 'Security Desk');
    const requestId = await requestIdOf(agent, reference);
    const seen = nextEvent(
      agent,
      'request:updated',
      (r) => r.id === requestId && r.state === 'cancelled',
    );
    await page.getByRole('button', { name: 'Cancel request' }).click();
    await page.getByRole('heading', { name: 'Choose a help desk' }).waitFor();
    await expect
      .poll(() => page.getByRole('status').textContent())
      .toContain(`Request ${reference} is cancelled`);
    await seen;
    await checkPage(page, '02-method-after-cancel');
    // The old request page now says it is over.
    await page.goto('/sign-in/request');
    await page.getByRole('heading', { name: 'Choose a help desk' }).waitFor();
    await context.close();
  });
  it('says so live when the desk could not verify the caller, and offers a new request', async () => {
    const { context, page } = await newPage();
    const reference = await toRequestPage(page, 'denied.user');
    await page.getByText('This page updates by itself.').waitFor();
    const requestId = await requestIdOf(agent, reference);
    await must(agent, 'request:claim', { requestId });
    await must(agent, 'request:deny', { requestId, reason: 'Could not answer the callback' });
    await page.getByText("The help desk couldn't verify you", { exact: true }).waitFor();
    expect(await page.getByRole('button', { name: 'Cancel request' }).isVisible()).toBe(false);
    expect(await page.getByRole('button', { name: 'Refresh status' }).isVisible()).toBe(false);
    expect(await page.getByRole('heading', { name: 'What happens next' }).isVisible()).toBe(false);
    // The user learns the outcome, never the agent's reason.
    expect(await page.locator('main').textContent()).not.toContain('callback');
    await checkPage(page, '04-request-denied');
    await page.getByRole('link', { name: 'Start a new request' }).first().click();
    await page.getByRole('heading', { name: 'Choose a help desk' }).waitFor();
    await context.close();
  });
});

describe('the code page', () => {
  it('a wrong code says how many attempts are left, and too many lock the request', async () => {
    const policy = server.app.realm.config.otpPolicy;
    await server.app.realm.update({ otpPolicy: { ...policy, maxAttempts: 3 } }, 'test');
    const { context, page } = await newPage();
    try {
      const reference = await toRequestPage(page, 'wrong.code');
      const otp = await issueCode(agent, reference);
      await page.getByRole('link', { name: 'Enter your code' }).click();

      await enterCode(page, '1234');
      await expect
        .poll(() => page.getByRole('alert').textContent())
        .toContain('The code has 8 digits; you entered 4');

      await enterCode(page, wrongCode(otp));
      const alert = page.getByRole('alert');
      await expect.poll(() => alert.textContent()).toContain("That code isn't right");
      await expect
        .poll(() => page.locator('#otp-error').textContent())
        .toContain('You have 2 attempts left.');
      await expect.poll(() => page.locator(':focus').getAttribute('role')).toBe('alert');
      expect(await page.getByLabel('One-time code').getAttribute('aria-describedby')).toContain(
        'otp-error',
      );
      await checkPage(page, '06-code-wrong');

      await enterCode(page, wrongCode(otp));
      await expect
        .poll(() => page.locator('#otp-error').textContent())
        .toContain('You have 1 attempt left.');
      await enterCode(page, wrongCode(otp));
      await page.getByRole('heading', { name: 'Too many wrong codes' }).waitFor();
      expect(
        await page.getByRole('link', { name: 'Start a new request' }).getAttribute('href'),
      ).toBe('/sign-in/method');
      expect(await page.getByRole('link', { name: '+14155550100' }).getAttribute('href')).toBe(
        'tel:+14155550100',
      );
      await checkPage(page, '08-code-locked');

      // Even the right code is useless now.
      await page.goto('/sign-in/code');
      await page.getByRole('heading', { name: 'Too many wrong codes' }).waitFor();
    } finally {
      await server.app.realm.update({ otpPolicy: policy }, 'test');
      await context.close();
    }
  });

  it('an expired code says so, and what to do next', async () => {
    const { context, page } = await newPage();
    const reference = await toRequestPage(page, 'slow.user');
    const otp = await issueCode(agent, reference);
    await page.getByRole('link', { name: 'Enter your code' }).click();
    await page.getByLabel('One-time code').waitFor();
    server.clock.advance(11 * 60_000);
    try {
      await enterCode(page, otp);
      await page.getByRole('heading', { name: 'Your code has expired' }).waitFor();
      await expect
        .poll(() => page.locator('main').textContent())
        .toContain('Start a new request, then call IT Service Desk');
      await checkPage(page, '08-code-expired');
      await page.getByRole('link', { name: 'Start a new request' }).click();
      await page.getByRole('heading', { name: 'Choose a help desk' }).waitFor();
    } finally {
      server.clock.advance(-11 * 60_000);
      await context.close();
    }
  });

  it('before the desk issues a code, the page says to wait for it', async () => {
    const { context, page } = await newPage();
    const reference = await toRequestPage(page, 'eager.user');
    await claimAndVerify(agent, reference);
    await page.goto('/sign-in/code');
    await expect
      .poll(() => page.getByRole('status').first().textContent())
      .toContain("The desk hasn't issued your code yet.");
    await enterCode(page, '12345678');
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toContain("The desk hasn't issued your code yet.");
    await context.close();
  });
});

describe('keyboard only', () => {
  it('the whole sign-in works with the keyboard, in a sensible focus order', async () => {
    const { context, page } = await newPage();
    const focused = async () => {
      const el = page.locator(':focus');
      return (
        (await el.getAttribute('aria-label')) ??
        (await el.getAttribute('id')) ??
        (await el.textContent())?.trim()
      );
    };
    await page.goto('/sign-in');
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('username');
    await page.keyboard.type('keys.only');
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('Continue');
    await page.keyboard.press('Enter');

    await page.getByRole('heading', { name: 'Choose a help desk' }).waitFor();
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('Not you? Start over');
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('desk-1');
    await page.keyboard.press('ArrowDown');
    expect(await focused()).toBe('desk-2');
    expect(await page.getByRole('radio', { name: /Security Desk/ }).isChecked()).toBe(true);
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('Send request');
    await page.keyboard.press('Enter');

    await page.getByRole('heading', { name: 'Call or email Security Desk' }).waitFor();
    const reference = (await page.locator('.reference-code').textContent())?.trim() ?? '';
    const otp = await issueCode(agent, reference);
    // The code field opens on this page and takes the keyboard; the code page is one Tab further.
    await expect.poll(focused).toBe('otp');
    const order: string[] = [];
    for (let i = 0; i < 3; i++) {
      await page.keyboard.press('Tab');
      order.push((await focused()) ?? '');
    }
    expect(order).toEqual([
      'Verify code',
      'Enter your code on a page of its own',
      'Cancel request',
    ]);
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Enter');

    await page.getByLabel('One-time code').waitFor();
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('otp');
    await page.keyboard.type(otp);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: "You're signed in" }).waitFor();
    await context.close();
  });
});

describe('error pages', () => {
  it('a form without its CSRF token is refused with a page saying what to do', async () => {
    const { context, page } = await newPage();
    await page.goto('/sign-in');
    await page
      .locator('input[name="_csrf"]')
      .evaluate((input) => void ((input as unknown as { value: string }).value = 'forged'));
    await page.getByLabel('Username').fill('csrf.victim');
    const answer = page.waitForResponse(
      (r) => r.url().endsWith('/sign-in') && r.request().method() === 'POST',
    );
    await page.getByRole('button', { name: 'Continue' }).click();
    // Refused (403 to anything but the page itself); the browser shows the page, logging nothing.
    const response = await answer;
    expect(response.status()).toBe(200);
    expect(response.headers()[OUTCOME_HEADER.toLowerCase()]).toBe('403');
    await page.getByRole('heading', { name: 'This form has expired' }).waitFor();
    await checkPage(page, '10-error-403-csrf');
    await context.close();
  });

  it('too many requests answer with a readable page (429 to anything but the page itself)', async () => {
    const { context, page } = await newPage();
    await page.goto('/sign-in');
    await identify(page, 'flooded.user');
    await page.getByRole('heading', { name: 'Choose a help desk' }).waitFor();
    const csrf = await page.locator('input[name="_csrf"]').first().inputValue();
    for (let i = 0; i < 10; i++) {
      const res = await context.request.post('/sign-in/method', {
        form: { _csrf: csrf, desk: '1' },
        maxRedirects: 0,
      });
      expect(res.status()).toBe(303);
    }
    const answer = page.waitForResponse(
      (r) => r.url().endsWith('/sign-in/method') && r.request().method() === 'POST',
    );
    await page.getByRole('radio', { name: /IT Service Desk/ }).check();
    await page.getByRole('button', { name: 'Send request' }).click();
    const response = await answer;
    expect(response.status()).toBe(200);
    expect(response.headers()[OUTCOME_HEADER.toLowerCase()]).toBe('429');
    expect(Number(response.headers()['retry-after'])).toBeGreaterThan(0);
    await page.getByRole('heading', { name: 'Too many attempts' }).waitFor();
    await checkPage(page, '10-error-429');
    await context.close();
  });
});

describe('at 320px wide', () => {
  it('every step fits without sideways scrolling', async () => {
    const { context, page } = await newPage({ viewport: { width: 320, height: 640 } });
    const fits = () => page.evaluate('document.documentElement.scrollWidth <= window.innerWidth');
    await page.goto('/sign-in');
    expect(await fits()).toBe(true);
    await checkPage(page, '11-narrow-start');
    await identify(page, 'narrow.user');
    await page.getByRole('heading', { name: 'Choose a help desk' }).waitFor();
    expect(await fits()).toBe(true);
    await checkPage(page, '11-narrow-method');
    const reference = await sendRequest(page, 'Security Desk');
    expect(await fits()).toBe(true);
    await checkPage(page, '11-narrow-request');
    await issueCode(agent, reference);
    await page.getByRole('link', { name: 'Enter your code' }).click();
    await page.getByLabel('One-time code').waitFor();
    expect(await fits()).toBe(true);
    await screenshot(page, '11-narrow-code');
    expect(await referenceCodeOnCodePage(page)).toBe(reference);
    await context.close();
  });
});

async function referenceCodeOnCodePage(page: Page): Promise<string> {
  return (await page.locator('.reference-inline').textContent())?.trim() ?? '';
}
