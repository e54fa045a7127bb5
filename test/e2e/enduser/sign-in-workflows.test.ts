// Every sign-in workflow in real Chromium, through to a completed sign-in, with an agent working the request over sockets.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JSONWebKeySet } from 'jose';
import { createLocalJWKSet, jwtVerify } from 'jose';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Workflow } from '../../../server/contract/realm-config';
import type { AgentSocket, TestServer } from '../../support/test-server';
import {
  PASSWORD,
  connectAgent,
  login,
  seedRealm,
  startTestServer,
} from '../../support/test-server';
import { launchBrowser, screenshot } from '../support/browser';
import { checkPage, issueCode, referenceCode, sendRequest, spoken } from '../support/sign-in-flow';

let server: TestServer;
let agent: AgentSocket;
let browser: Browser;

beforeAll(async () => {
  server = await startTestServer();
  await seedRealm(
    server,
    [{ username: 'root', displayName: 'Root', role: 'admin', desks: ['1', '2'] }],
    ['jsmith', 'rpatel', 'agarcia'],
  );
  agent = await connectAgent(server.url, await login(server.url, 'root'));
  browser = await launchBrowser();
});

afterAll(async () => {
  agent?.disconnect();
  await browser?.close();
  await server?.cleanup();
});

const useWorkflow = (workflow: Workflow) => server.app.realm.update({ workflow }, 'test');

async function newPage(
  options: { javaScriptEnabled?: boolean } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL: server.url, ...options });
  return { context, page: await context.newPage() };
}

/** On the request page with JavaScript on: the agent issues the code, the page shows it is ready, the user enters it. */
async function receiveAndEnterCode(page: Page, reference: string, shoot?: string): Promise<void> {
  const otp = await issueCode(agent, reference);
  await page.getByRole('link', { name: 'Enter your code' }).click();
  await page.getByLabel('One-time code').waitFor();
  if (shoot) await checkPage(page, shoot);
  await page.getByLabel('One-time code').fill(spoken(otp));
  await page.getByRole('button', { name: 'Verify code' }).click();
}

async function expectSignedIn(page: Page, username: string) {
  await page.getByRole('heading', { level: 1, name: "You're signed in" }).waitFor();
  await expect.poll(() => page.locator('main').textContent()).toContain(username);
}

describe('each workflow signs in through a help desk', () => {
  it('Username | Second Factor', async () => {
    await useWorkflow('username|second-factor');
    const { context, page } = await newPage();
    await page.goto('/');
    await expect.poll(() => page.title()).toMatch(/^Sign in/);
    expect(await page.getByLabel('Password').count()).toBe(0);
    await checkPage(page, '01-start-username');

    await page.getByLabel('Username').fill('jsmith');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'Choose a help desk' }).waitFor();
    // Each enabled desk exactly as configured.
    const desk1 = page.getByRole('radio', { name: /IT Service Desk/ });
    const desk2 = page.getByRole('radio', { name: /Security Desk/ });
    expect(await page.getByRole('radio').count()).toBe(2);
    await expect
      .poll(() => page.locator('label[for="desk-1"]').textContent())
      .toMatch(/\+14155550100[\s\S]*it@example\.com/);
    await expect
      .poll(() => page.locator('label[for="desk-2"]').textContent())
      .toMatch(/\+14155550199[\s\S]*sec@example\.com/);
    expect(await desk1.isChecked()).toBe(false);
    expect(await desk2.isChecked()).toBe(false);
    await checkPage(page, '02-method');

    const reference = await sendRequest(page, 'IT Service Desk');
    expect(await page.getByRole('link', { name: '+14155550100' }).getAttribute('href')).toBe(
      'tel:+14155550100',
    );
    const mailto = await page.getByRole('link', { name: 'it@example.com' }).getAttribute('href');
    expect(mailto).toMatch(/^mailto:it@example\.com\?subject=/);
    expect(decodeURIComponent(new URL(mailto!).searchParams.get('subject') ?? '')).toContain(
      reference,
    );
    await page.getByText('Waiting for an agent').waitFor();
    await checkPage(page, '03-request-waiting');

    await receiveAndEnterCode(page, reference, '05-code');
    await expectSignedIn(page, 'jsmith');
    await checkPage(page, '09-done');
    await context.close();
  });

  it('Username & Password | Second Factor', async () => {
    await useWorkflow('username-password|second-factor');
    const { context, page } = await newPage();
    await page.goto('/sign-in');
    await page.getByLabel('Username').fill('jsmith');
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Continue' }).click();
    const summary = page.getByRole('alert');
    await summary.waitFor();
    await expect
      .poll(() => summary.textContent())
      .toContain('The username or password is not right.');
    // The summary takes focus so it is announced; the username is kept, the password is not.
    await expect.poll(() => page.locator(':focus').getAttribute('role')).toBe('alert');
    expect(await page.getByLabel('Username').inputValue()).toBe('jsmith');
    expect(await page.getByLabel('Password').inputValue()).toBe('');
    expect(await page.getByLabel('Password').getAttribute('aria-invalid')).toBe('true');
    await checkPage(page, '01-start-password-error');

    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Continue' }).click();
    const reference = await sendRequest(page, 'Security Desk');
    await receiveAndEnterCode(page, reference);
    await expectSignedIn(page, 'jsmith');
    await context.close();
  });

  it('Username | Second Factor | Password', async () => {
    await useWorkflow('username|second-factor|password');
    const { context, page } = await newPage();
    await page.goto('/sign-in');
    expect(await page.getByLabel('Password').count()).toBe(0);
    await page.getByLabel('Username').fill('jsmith');
    await page.getByRole('button', { name: 'Continue' }).click();
    const reference = await sendRequest(page, 'IT Service Desk');
    await receiveAndEnterCode(page, reference);

    await page.getByRole('heading', { name: 'Enter your password' }).waitFor();
    await checkPage(page, '07-password-after-code');
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toContain('That password is not right.');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expectSignedIn(page, 'jsmith');
    await context.close();
  });

  it('(Valid Persistent Token) | Second Factor, and | Password: the token skips the username step', async () => {
    await useWorkflow('persistent-token|second-factor');
    const { context, page } = await newPage();
    // No token yet: the username step.
    await page.goto('/sign-in');
    await page.getByLabel('Username').fill('jsmith');
    await page.getByRole('button', { name: 'Continue' }).click();
    let reference = await sendRequest(page, 'IT Service Desk');
    await receiveAndEnterCode(page, reference);
    await expectSignedIn(page, 'jsmith');
    const cookies = await context.cookies();
    const token = cookies.find((c) => c.name === 'hd_pt');
    expect(token?.httpOnly).toBe(true);
    expect(token!.expires * 1000 - Date.now()).toBeGreaterThan(29 * 24 * 3600 * 1000);

    // With the token: straight to the desks, identified.
    await page.goto('/sign-in');
    await page.getByRole('heading', { name: 'Choose a help desk' }).waitFor();
    await expect.poll(() => page.getByText('Signing in as').textContent()).toContain('jsmith');
    expect(await page.getByLabel('Username').count()).toBe(0);
    await checkPage(page, '02-method-persistent-token');
    reference = await sendRequest(page, 'IT Service Desk');
    await receiveAndEnterCode(page, reference);
    await expectSignedIn(page, 'jsmith');

    await useWorkflow('persistent-token|second-factor|password');
    await page.goto('/');
    await page.getByRole('heading', { name: 'Choose a help desk' }).waitFor();
    reference = await sendRequest(page, 'Security Desk');
    await receiveAndEnterCode(page, reference);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expectSignedIn(page, 'jsmith');

    // "Not you?" forgets the token on this browser.
    await page.goto('/sign-in');
    await page.getByRole('button', { name: /Not you/ }).click();
    await page.getByLabel('Username').waitFor();
    expect((await context.cookies()).some((c) => c.name === 'hd_pt')).toBe(false);
    await context.close();
  });
});

describe('the method last used in a successful sign-in is preselected', () => {
  it('across two sign-ins, and an abandoned attempt does not change it', async () => {
    await useWorkflow('username|second-factor');
    const { context, page } = await newPage();
    const toMethodPage = async () => {
      await page.goto('/sign-in');
      await page.getByLabel('Username').fill('rpatel');
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByRole('heading', { name: 'Choose a help desk' }).waitFor();
    };
    const checked = async () => ({
      it: await page.getByRole('radio', { name: /IT Service Desk/ }).isChecked(),
      sec: await page.getByRole('radio', { name: /Security Desk/ }).isChecked(),
    });

    await toMethodPage();
    expect(await checked()).toEqual({ it: false, sec: false });
    let reference = await sendRequest(page, 'Security Desk');
    await receiveAndEnterCode(page, reference);
    await expectSignedIn(page, 'rpatel');

    await toMethodPage();
    expect(await checked()).toEqual({ it: false, sec: true });
    await checkPage(page, '02-method-preselected');

    // Abandoned: another desk chosen, the request cancelled.
    await sendRequest(page, 'IT Service Desk');
    await page.getByRole('button', { name: 'Cancel request' }).click();
    await page.getByRole('heading', { name: 'Choose a help desk' }).waitFor();
    expect(await checked()).toEqual({ it: false, sec: true });
    // Abandoned: a wrong code, then walked away.
    reference = await sendRequest(page, 'IT Service Desk');
    const otp = await issueCode(agent, reference);
    await page.goto('/sign-in/code');
    await page.getByLabel('One-time code').fill(otp === '00000000' ? '11111111' : '00000000');
    await page.getByRole('button', { name: 'Verify code' }).click();
    await page.getByRole('alert').waitFor();
    await toMethodPage();
    expect(await checked()).toEqual({ it: false, sec: true });

    // A successful sign-in with the other desk moves the preselection.
    reference = await sendRequest(page, 'IT Service Desk');
    await receiveAndEnterCode(page, reference);
    await expectSignedIn(page, 'rpatel');
    await toMethodPage();
    expect(await checked()).toEqual({ it: true, sec: false });
    await context.close();
  });
});

describe('without JavaScript', () => {
  it('the whole sign-in works, the request page refreshing instead of updating live', async () => {
    await useWorkflow('username-password|second-factor');
    const { context, page } = await newPage({ javaScriptEnabled: false });
    await page.goto('/sign-in');
    await page.getByLabel('Username').fill('agarcia');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('radio', { name: /Security Desk/ }).check();
    await page.getByRole('button', { name: 'Send request' }).click();
    await page.getByText('Waiting for an agent').waitFor();
    const reference = await referenceCode(page);
    expect(await page.getByRole('button', { name: 'Refresh status' }).isVisible()).toBe(true);
    expect(await page.locator('noscript').innerHTML()).toContain('http-equiv="refresh"');
    await screenshot(page, '03-request-waiting-no-javascript');

    const otp = await issueCode(agent, reference);
    await page.getByRole('button', { name: 'Refresh status' }).click();
    await page.getByText('Your code is ready').waitFor();
    await screenshot(page, '04-request-code-ready-no-javascript');
    await page.getByRole('link', { name: 'Enter your code' }).click();
    await page.getByLabel('One-time code').fill(otp.replace(/(\d{4})/, '$1-'));
    await page.getByRole('button', { name: 'Verify code' }).click();
    await expectSignedIn(page, 'agarcia');
    await context.close();
  });
});

describe('completion with a post-sign-in URL', () => {
  let app: Server;
  let appUrl: string;
  const arrivals: string[] = [];

  beforeAll(async () => {
    app = createServer((req, res) => {
      arrivals.push(req.url ?? '');
      res
        .writeHead(200, { 'content-type': 'text/html' })
        .end('<!doctype html><title>App</title><h1>Welcome to the app</h1>');
    });
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await server.app.realm.update({ postSignInUrl: '' }, 'test');
    await new Promise((resolve) => app.close(resolve));
  });

  it('redirects there with a signed assertion the published key verifies', async () => {
    await useWorkflow('username-password|second-factor');
    await server.app.realm.update({ postSignInUrl: `${appUrl}/landing?from=helpdesk` }, 'test');
    const { context, page } = await newPage();
    await page.goto('/sign-in');
    await page.getByLabel('Username').fill('agarcia');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Continue' }).click();
    const reference = await sendRequest(page, 'Security Desk');
    await receiveAndEnterCode(page, reference);
    await page.getByRole('heading', { name: 'Welcome to the app' }).waitFor();

    const landed = new URL(page.url());
    expect(landed.origin).toBe(appUrl);
    expect(landed.pathname).toBe('/landing');
    expect(landed.searchParams.get('from')).toBe('helpdesk');
    const assertion = landed.searchParams.get('assertion') ?? '';
    const published = (await (
      await fetch(`${server.url}/.well-known/jwks.json`)
    ).json()) as JSONWebKeySet;
    const jwks = createLocalJWKSet(published);
    const { payload, protectedHeader } = await jwtVerify(assertion, jwks, {
      audience: appUrl,
      issuer: server.url,
    });
    expect(protectedHeader.alg).toBe('ES256');
    expect(payload).toMatchObject({ sub: 'agarcia', desk: '2', amr: ['pwd', 'otp', 'mfa'] });
    expect(payload.exp! - payload.iat!).toBeLessThanOrEqual(120);

    // The hand-over happens once: going back does not mint another assertion.
    await page.goto(`${server.url}/sign-in/done`);
    await page.getByLabel('Username').waitFor();
    expect(arrivals.filter((url) => url.startsWith('/landing'))).toHaveLength(1);
    await context.close();
  });
});
