// Two servers on one real PostgreSQL count the sign-in limits together: a user's failed sign-ins
// add up whichever server a browser reaches, and so do an address's form posts at the flood gate.
// While the database is down they answer 503 with a page that says so, and recover by themselves.
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../server/app';
import { createApp } from '../../server/app';
import { SIGN_IN_FLOOD } from '../../server/enduser/rate-limits';
import { silentLogger } from '../../server/logger';
import { openPostgresStore } from '../../server/store/postgres/postgres-store';
import { FormBrowser, pageText } from '../support/form-browser';
import type { Postgres } from '../support/postgres';
import { startPostgres } from '../support/postgres';

let postgres: Postgres;
const apps: App[] = [];
const urls: string[] = [];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, check: () => boolean | Promise<boolean>, withinMs = 10_000) {
  const deadline = Date.now() + withinMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${withinMs} ms: ${what}`);
    await sleep(50);
  }
}

beforeAll(async () => {
  postgres = await startPostgres();
  const database = await postgres.newDatabase();
  // The first opens (and creates) the realm alone, as a cluster's first process does.
  for (let i = 0; i < 2; i++) {
    const app = createApp({
      store: await openPostgresStore(database),
      version: 'test',
      logger: silentLogger(),
    });
    await new Promise<void>((resolve) => app.httpServer.listen(0, '127.0.0.1', resolve));
    apps.push(app);
    urls.push(`http://127.0.0.1:${(app.httpServer.address() as AddressInfo).port}`);
  }
  await apps[0]!.realm.update(
    {
      workflow: 'username-password|second-factor',
      helpDesks: {
        '1': {
          enabled: true,
          name: 'IT Service Desk',
          phone: '+14155550100',
          email: 'it@example.com',
        },
      },
    },
    'test',
  );
  await until(
    "the other server's realm",
    () => apps[1]!.realm.config.workflow === 'username-password|second-factor',
  );
}, 120_000);

afterAll(async () => {
  await Promise.all(apps.map((app) => app.close()));
  await postgres?.dispose();
});

/** The same browser (its cookies and CSRF token) on another server, as behind a proxy without stickiness. */
function onServer(browser: FormBrowser, i: number): FormBrowser {
  const moved = new FormBrowser(urls[i]!);
  for (const [name, value] of browser.cookies) moved.cookies.set(name, value);
  moved.csrf = browser.csrf;
  return moved;
}

describe('limits shared by two servers', () => {
  it("counts one user's failed sign-ins on both servers against one allowance", async () => {
    const first = new FormBrowser(urls[0]!);
    await first.get('/sign-in');
    const second = onServer(first, 1);
    // An empty password fails without costing a password hash, and counts like a wrong one.
    const fail = (browser: FormBrowser) =>
      browser.post('/sign-in', { username: 'target', password: '' });
    for (let i = 0; i < 5; i++) {
      expect((await fail(first)).status).toBe(422);
      expect((await fail(second)).status).toBe(422);
    }
    // Ten failures in all, five on each: the eleventh is refused on either server.
    for (const browser of [first, second]) {
      const refused = await fail(browser);
      expect(refused.status).toBe(429);
      expect(pageText(refused.html)).toContain('Too many attempts');
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    // Another account is not paused.
    expect((await second.post('/sign-in', { username: 'someone.else', password: '' })).status).toBe(
      422,
    );
  });

  it('refuses an address at the flood gate on its posts to both servers together', async () => {
    const { limit } = SIGN_IN_FLOOD;
    // Posts without a form token: the gate counts them before express refuses them (403).
    const post = (i: number) =>
      fetch(`${urls[i]}/sign-in/restart`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: '',
      }).then(async (res) => ({ status: res.status, text: await res.text() }));
    const onFirst = Math.ceil(limit / 2) + 1;
    for (let i = 0; i < onFirst; i++) expect((await post(0)).status).toBe(403);
    // The second server hears of the first's counts at its next exchange (every ~200 ms) once it
    // has counted the address itself.
    expect((await post(1)).status).toBe(403);
    await sleep(600);
    let passedOnSecond = 1;
    let refusal: { status: number; text: string } | undefined;
    for (let i = 0; i < limit && !refusal; i++) {
      const res = await post(1);
      if (res.status === 429) refusal = res;
      else passedOnSecond++;
    }
    expect(refusal?.status).toBe(429);
    expect(pageText(refusal!.text)).toContain('Too many forms were sent from your network');
    // Refused where the two counts together pass the limit, not where the second's own would.
    expect(onFirst + passedOnSecond).toBe(limit);
    // And the first now refuses the address too.
    await sleep(600);
    expect((await post(0)).status).toBe(429);
  });
});

describe('two servers while the database is down', () => {
  it('answer the sign-in pages and the API with 503 and a clear page, and recover by themselves', async () => {
    const browser = new FormBrowser(urls[1]!);
    expect((await browser.get('/sign-in')).status).toBe(200);
    await postgres.stop();
    try {
      await until('both stores say unavailable', async () =>
        (await Promise.all(urls.map((url) => fetch(`${url}/healthz`)))).every(
          (res) => res.status === 503,
        ),
      );
      for (const url of urls) {
        const page = await fetch(`${url}/sign-in`);
        expect(page.status).toBe(503);
        expect(page.headers.get('retry-after')).toBe('60');
        const text = pageText(await page.text());
        expect(text).toContain('Sign-in is briefly unavailable');
        expect(text).toContain('try again in a minute');

        const api = await fetch(`${url}/api/agent/session`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: 'admin', password: 'whatever' }),
        });
        expect(api.status).toBe(503);
        expect(((await api.json()) as { error: { code: string } }).error.code).toBe('unavailable');

        const health = await fetch(`${url}/healthz`);
        expect(health.status).toBe(503);
        expect(((await health.json()) as { status: string }).status).toBe('failing');
      }
    } finally {
      await postgres.start();
    }
    await until(
      'both servers answer again',
      async () =>
        (await Promise.all(urls.map((url) => fetch(`${url}/sign-in`)))).every(
          (res) => res.status === 200,
        ),
      30_000,
    );
    // The shared limits count again (the same account's allowance is still spent).
    const again = await browser.get('/sign-in');
    expect(again.status).toBe(200);
    expect((await browser.post('/sign-in', { username: 'target', password: '' })).status).toBe(429);
  }, 60_000);
});
