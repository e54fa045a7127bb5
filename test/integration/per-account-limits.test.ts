// Per-account limits count per account: every way of typing a username spends the same budget.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormBrowser, pageText } from '../support/form-browser';
import { identify } from '../support/sign-in-pages';
import type { TestServer } from '../support/test-server';
import { PASSWORD, login, seedRealm, startTestServer } from '../support/test-server';

let server: TestServer;

// Limits are counted in memory per server; each test uses accounts of its own.
beforeAll(async () => {
  server = await startTestServer();
  await seedRealm(
    server,
    [
      { username: 'alice', displayName: 'Alice', role: 'agent', desks: ['1'] },
      { username: 'bob', displayName: 'Bob', role: 'agent', desks: ['1'] },
    ],
    ['ren\u00e9'],
  );
});

afterAll(async () => {
  await server?.cleanup();
});

const postLogin = (username: string, password: string) =>
  fetch(`${server.url}/api/agent/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });

describe('agent sign-in', () => {
  it('counts failures per account however the username is typed, as the login reads it', async () => {
    const typings = ['alice', ' alice', 'ALICE ', 'Alice'];
    for (let i = 0; i < 10; i++) {
      const res = await postLogin(typings[i % typings.length] as string, 'not the password');
      expect(res.status).toBe(401);
    }
    // The budget is spent for the account, not for one spelling of it: even the right password waits.
    for (const typed of [...typings, '\talice\n']) {
      const res = await postLogin(typed, PASSWORD);
      expect(res.status).toBe(429);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('rate-limited');
    }
    // Another account is not paused.
    await expect(login(server.url, 'bob')).resolves.toMatch(/^[A-Za-z0-9_-]{20,}$/);
  });
});

describe('end-user sign-in page', () => {
  it('counts failed identifications per account, accents composed or not', async () => {
    await server.app.realm.update({ workflow: 'username-password|second-factor' }, 'test');
    const browser = new FormBrowser(server.url);
    await browser.get('/sign-in');
    // é as one code point, and as e + combining accent, in any case and with spaces around.
    const typings = ['ren\u00e9', ' RENE\u0301', 'rene\u0301 ', 'Ren\u00c9'];
    for (let i = 0; i < 10; i++) {
      const res = await browser.post('/sign-in', {
        username: typings[i % typings.length] as string,
        password: i % 2 === 0 ? '' : 'not the password',
      });
      expect(res.status).toBe(422);
    }
    for (const typed of typings)
      expect((await browser.post('/sign-in', { username: typed, password: PASSWORD })).status).toBe(
        429,
      );
  });
});

describe('end-user request step', () => {
  it('counts requests per account however the username is typed', async () => {
    await server.app.realm.update({ workflow: 'username|second-factor' }, 'test');
    const typings = ['zo\u00eb', ' ZOE\u0308', 'zoe\u0308 ', 'Zo\u00cb', 'zo\u00eb'];
    /** A browser identified as `typed` sends a request to desk 1. */
    const ask = async (typed: string) => {
      const browser = await identify(server.url, typed);
      await browser.get('/sign-in/method');
      return browser.post('/sign-in/method', { desk: '1' });
    };
    // The request step allows ten per account in its window.
    for (let i = 0; i < 10; i++)
      expect(await ask(typings[i % typings.length] as string)).toMatchObject({
        status: 303,
        location: '/sign-in/request',
      });
    const refused = await ask(' ZO\u00cb ');
    expect(refused.status).toBe(429);
    expect(pageText(refused.html)).toContain('Too many attempts');
  });
});
