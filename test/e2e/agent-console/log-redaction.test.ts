// Every line the server logs during a whole loop in real Chromium, read back and searched for every
// secret that passed through it: the agents' and the user's password, the agent's bearer token, the
// passcodes (right and wrong), every cookie either browser holds, the CSRF tokens of the forms, and
// the metrics token. The log must still say what happened (one line per request and socket event,
// each with its id).
import { PassThrough } from 'node:stream';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pinoLogger } from '../../../server/logger';
import type { TestServer } from '../../support/test-server';
import {
  PASSWORD,
  connectAgent,
  login,
  must,
  seedRealm,
  startTestServer,
} from '../../support/test-server';
import { launchBrowser } from '../support/browser';
import { identify, sendRequest, spoken } from '../support/sign-in-flow';
import { ensureConsoleBuilt, openConsole, queueRow, readOtp, signIn } from './console';

const METRICS_TOKEN = 'metrics-token-fedcba9876543210';

let server: TestServer;
let browser: Browser;
const logged: string[] = [];

beforeAll(async () => {
  await ensureConsoleBuilt();
  const capture = new PassThrough();
  let partial = '';
  capture.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop()!;
    logged.push(...lines);
  });
  server = await startTestServer({
    logger: pinoLogger({ destination: capture, pretty: false, level: 'info' }),
    metricsToken: METRICS_TOKEN,
  });
  await seedRealm(
    server,
    [{ username: 'alice', displayName: 'Alice Agent', role: 'agent', desks: ['1'] }],
    ['jsmith'],
  );
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.cleanup();
});

describe('the server log over a whole loop', () => {
  it('holds no secret that passed through, and still tells each request and event apart', async () => {
    const secrets = new Map<string, string>([
      ['password', PASSWORD],
      ['metrics token', METRICS_TOKEN],
    ]);

    const agent = await openConsole(browser, server.url);
    await signIn(agent.page, 'alice');
    // A second session of alice's through the API: its bearer token on a socket and a header.
    const token = await login(server.url, 'alice');
    secrets.set('bearer token', token);
    const socket = await connectAgent(server.url, token);
    await must(socket, 'agents:list', {}).catch(() => undefined);
    await fetch(`${server.url}/api/agent/session`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${token}` },
    });
    socket.disconnect();
    await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });

    const user = await browser.newContext({ baseURL: server.url });
    const userPage = await user.newPage();
    await userPage.goto('/sign-in');
    for (const csrf of await userPage
      .locator('input[name="_csrf"]')
      .evaluateAll((inputs) =>
        inputs.map((input) => (input as unknown as { value: string }).value),
      ))
      secrets.set('csrf token', csrf);
    await identify(userPage, 'jsmith', PASSWORD);
    const reference = await sendRequest(userPage, 'IT Service Desk');

    const { page } = agent;
    await queueRow(page, reference).click();
    await page.getByRole('button', { name: 'Claim' }).click();
    await page.getByLabel('Note for “Called back the phone number on file”').fill('Called back');
    await page.getByRole('checkbox', { name: /Called back the phone number on file/ }).check();
    await page.getByRole('checkbox', { name: /Caller stated the employee ID on file/ }).check();
    await page.getByRole('button', { name: 'Reveal passcode' }).click();
    const otp = await readOtp(page);
    secrets.set('passcode', otp);
    const wrong = otp.startsWith('9') ? `1${otp.slice(1)}` : `9${otp.slice(1)}`;
    secrets.set('wrong passcode', wrong);

    await userPage.getByRole('link', { name: 'Enter your code' }).click();
    await userPage.getByLabel('One-time code').fill(spoken(wrong));
    await userPage.getByRole('button', { name: 'Verify code' }).click();
    await userPage.getByLabel('One-time code').fill(spoken(otp));
    await userPage.getByRole('button', { name: 'Verify code' }).click();
    await userPage.getByRole('heading', { level: 1, name: "You're signed in" }).waitFor();

    for (const context of [agent.context, user])
      for (const cookie of await context.cookies())
        if (cookie.value.length >= 8) secrets.set(`cookie ${cookie.name}`, cookie.value);
    // The console keeps its session token in sessionStorage (no DOM types in this project).
    const stored = await agent.page.evaluate<string>('JSON.stringify({ ...sessionStorage })');
    for (const value of Object.values(JSON.parse(stored) as Record<string, string>))
      if (/^[A-Za-z0-9_-]{20,}$/.test(value)) secrets.set('console session token', value);
    await user.close();
    await agent.context.close();
    await new Promise((resolve) => setTimeout(resolve, 200));

    // What was logged: JSON lines, an id on each request's and event's line.
    const entries = logged.map((line) => JSON.parse(line) as Record<string, unknown>);
    const http = entries.filter((e) => e.msg === 'http');
    const events = entries.filter((e) => e.msg === 'socket');
    expect(http.length).toBeGreaterThan(20);
    expect(http.some((e) => e.method === 'POST' && e.path === '/sign-in/code')).toBe(true);
    expect(events.some((e) => e.event === 'request:reveal' && e.ok === true)).toBe(true);
    for (const e of [...http, ...events]) expect(e.reqId).toMatch(/^[0-9a-f]{12}$/);
    expect(new Set(http.map((e) => e.reqId)).size).toBe(http.length);

    // …and none of what passed through it.
    expect(secrets.size).toBeGreaterThanOrEqual(8);
    const everything = logged.join('\n');
    for (const [what, secret] of secrets) expect(everything, what).not.toContain(secret);
  });
});
