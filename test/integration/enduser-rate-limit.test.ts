// Rate limits on the sign-in pages: per username and per IP, answered with a readable 429 page and Retry-After;
// and the flood gate in front of them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../support/test-server';
import { SIGN_IN_FLOOD } from '../../server/enduser/rate-limits';
import { seedRealm, startTestServer } from '../support/test-server';
import { FormBrowser, pageText } from '../support/form-browser';

let server: TestServer;

// Limits are counted in memory per server; the tests share one and each uses usernames of its own.
beforeAll(async () => {
  server = await startTestServer();
  await seedRealm(server, [], []);
});

afterAll(async () => {
  await server?.cleanup();
});

function expectReadable429(res: { status: number; html: string; headers: Headers }) {
  expect(res.status).toBe(429);
  expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(res.headers.get('content-type')).toMatch(/^text\/html/);
  const text = pageText(res.html);
  expect(text).toContain('Too many attempts');
  expect(text).toMatch(/Wait \d+ minutes|Wait a minute/);
  // What to do meanwhile: the desks' numbers, and the way back.
  expect(res.html).toContain('href="tel:+14155550100"');
  expect(res.html).toContain('href="/sign-in"');
}

describe('rate limits', () => {
  it('per username: failed sign-ins for one account are paused, other accounts are not', async () => {
    await server.app.realm.update({ workflow: 'username-password|second-factor' }, 'test');
    const browser = new FormBrowser(server.url);
    await browser.get('/sign-in');
    // An empty password fails without costing a password hash, and counts like a wrong one.
    for (let i = 0; i < 10; i++) {
      expect((await browser.post('/sign-in', { username: 'target', password: '' })).status).toBe(
        422,
      );
    }
    expectReadable429(await browser.post('/sign-in', { username: 'target', password: '' }));
    // The same account however it is typed.
    expectReadable429(await browser.post('/sign-in', { username: ' TARGET ', password: '' }));
    expect(
      (await browser.post('/sign-in', { username: 'someone.else', password: '' })).status,
    ).toBe(422);
  });

  it('per username: too many help-desk requests', async () => {
    await server.app.realm.update({ workflow: 'username|second-factor' }, 'test');
    const browser = new FormBrowser(server.url);
    await browser.get('/sign-in');
    await browser.post('/sign-in', { username: 'requester' });
    await browser.get('/sign-in/method');
    for (let i = 0; i < 10; i++)
      expect((await browser.post('/sign-in/method', { desk: '1' })).status).toBe(303);
    const before = server.app.requests.openRequests().filter((r) => r.username === 'requester');
    expectReadable429(await browser.post('/sign-in/method', { desk: '1' }));
    expect(server.app.requests.openRequests().filter((r) => r.username === 'requester')).toEqual(
      before,
    );
  });

  it('per IP: many usernames from one address', async () => {
    await server.app.realm.update({ workflow: 'username|second-factor' }, 'test');
    const browser = new FormBrowser(server.url);
    await browser.get('/sign-in');
    let status = 0;
    let sent = 0;
    // The earlier tests in this file already spent part of this address's allowance.
    while (sent < 101) {
      const res = await browser.post('/sign-in', { username: `user${sent}` });
      sent++;
      status = res.status;
      if (status === 429) {
        expectReadable429(res);
        break;
      }
      expect(status).toBe(303);
    }
    expect(status).toBe(429);
  });
});

describe('the flood gate', () => {
  it('answers one address past its allowance per form with a 429 before express reads the body', async () => {
    // Earlier tests spent part of this address's allowance; each form is counted apart.
    const browser = new FormBrowser(server.url);
    await browser.get('/sign-in');
    const openBefore = server.app.requests.openRequests().length;
    // A form without its CSRF token changes nothing, so the gate is the only limit it can meet.
    let sent = 0;
    let refused = await browser.post('/sign-in/method', { _csrf: '', desk: '1' });
    while (refused.status === 403 && sent < SIGN_IN_FLOOD.limit) {
      refused = await browser.post('/sign-in/method', { _csrf: '', desk: '1' });
      sent++;
    }
    expect(refused.status).toBe(429);
    expect(pageText(refused.html)).toContain('Too many forms were sent from your network');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.headers.get('content-type')).toMatch(/^text\/html/);
    expect(pageText(refused.html)).toContain('Too many attempts');
    expect(refused.html).toContain('href="/sign-in"');
    // Even a body express could not read is refused before it is read.
    const unreadable = await fetch(`${server.url}/sign-in/method`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{not json',
    });
    expect(unreadable.status).toBe(429);
    expect(server.app.requests.openRequests().length).toBe(openBefore);
    // Pages are still served, and the other forms keep their own allowance.
    expect((await browser.get('/sign-in')).status).toBe(200);
    expect((await browser.post('/sign-in/code', { _csrf: '' })).status).toBe(403);
  });
});
