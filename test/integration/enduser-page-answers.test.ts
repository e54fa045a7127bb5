// How the sign-in pages answer beyond their words: desks named by number and name, the favicon and its
// headers, and refusals a page explains sent to a browser's page load as 200 (the real status in
// Sign-In-Outcome), still counted by the limits.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OUTCOME_HEADER } from '../../server/enduser/handled-answer';
import { FormBrowser, pageText } from '../support/form-browser';
import type { TestServer } from '../support/test-server';
import { seedRealm, startTestServer } from '../support/test-server';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
  await seedRealm(server, [], ['page.user']);
});

afterAll(async () => {
  await server?.cleanup();
});

/** What Chromium, Firefox and Safari send with a top-level page load (a link, a form). */
const PAGE_LOAD = { 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' };

interface RawAnswer {
  status: number;
  headers: Headers;
  text: () => Promise<string>;
}

/**
 * A request as a browser's page load sends it. Node's fetch drops `Sec-` headers (the fetch
 * standard forbids scripts to set them), so this goes through node:http.
 */
function pageLoad(
  method: 'GET' | 'POST',
  path: string,
  headers: Record<string, string>,
  body = '',
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${server.url}${path}`,
      { method, headers: { ...PAGE_LOAD, ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const answer = new Headers();
          for (const [name, value] of Object.entries(res.headers))
            if (value !== undefined)
              answer.set(name, Array.isArray(value) ? value.join(', ') : value);
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: answer, text: async () => text });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Posts a browser's form as a page load, with its cookies and CSRF token. */
function postAsPage(browser: FormBrowser, path: string, fields: Record<string, string>) {
  return pageLoad(
    'POST',
    path,
    { cookie: browser.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
    new URLSearchParams({ _csrf: browser.csrf, ...fields }).toString(),
  );
}

describe('desk names', () => {
  it('the method page names each desk by its number, then the name the realm gave it', async () => {
    await server.app.realm.update({ workflow: 'username|second-factor' }, 'test');
    const desks = server.app.realm.config.helpDesks;
    try {
      const browser = new FormBrowser(server.url);
      await browser.get('/sign-in');
      let method = await browser.submit('/sign-in', { username: 'page.user' });
      expect(pageText(method.html)).toContain('Help Desk 1 · IT Service Desk');
      expect(pageText(method.html)).toContain('Help Desk 2 · Security Desk');
      // A desk still called by its number reads once.
      await server.app.realm.update(
        { helpDesks: { '2': { ...desks['2'], name: 'help desk 2' } } },
        'test',
      );
      method = await browser.get('/sign-in/method');
      expect(method.html).toContain('<span class="choice-name">Help Desk 2</span>');
    } finally {
      await server.app.realm.update({ helpDesks: desks }, 'test');
    }
  });
});

describe('the favicon', () => {
  it('is an SVG with a day of public caching, and /favicon.ico leads to it', async () => {
    const icon = await fetch(`${server.url}/assets/favicon.svg`);
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    expect(icon.headers.get('cache-control')).toBe('public, max-age=86400');
    expect(icon.headers.get('x-content-type-options')).toBe('nosniff');
    const svg = await icon.text();
    expect(svg).toMatch(/^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    // Markup only: an SVG may carry script, this one does not.
    expect(svg).not.toMatch(/<script|on\w+=/i);

    const legacy = await fetch(`${server.url}/favicon.ico`, { redirect: 'manual' });
    expect(legacy.status).toBe(301);
    expect(legacy.headers.get('location')).toBe('/assets/favicon.svg');
  });

  it('every sign-in page links it', async () => {
    const browser = new FormBrowser(server.url);
    const pages = [await browser.get('/sign-in')];
    pages.push(await browser.submit('/sign-in', { username: 'page.user', password: 'wrong' }));
    for (const page of pages)
      expect(page.html).toContain(
        '<link rel="icon" href="/assets/favicon.svg" type="image/svg+xml" />',
      );
  });
});

describe('refusals a page explains', () => {
  it("reach a browser's page load as 200 with the page, and anything else with their status", async () => {
    await server.app.realm.update({ workflow: 'username-password|second-factor' }, 'test');
    const browser = new FormBrowser(server.url);
    await browser.get('/sign-in');

    const asPage = await postAsPage(browser, '/sign-in', { username: 'page.user', password: '' });
    expect(asPage.status).toBe(200);
    expect(asPage.headers.get(OUTCOME_HEADER)).toBe('422');
    expect(asPage.headers.get('vary')).toMatch(/Sec-Fetch-Mode/i);
    expect(asPage.headers.get('cache-control')).toBe('no-store');
    expect(pageText(await asPage.text())).toContain('Enter your password');

    const asScript = await browser.post('/sign-in', { username: 'page.user', password: '' });
    expect(asScript.status).toBe(422);
    expect(asScript.headers.get(OUTCOME_HEADER)).toBeNull();

    // A form without its token is refused the same way.
    const forged = await postAsPage(browser, '/sign-in', { _csrf: 'forged', username: 'x' });
    expect(forged.status).toBe(200);
    expect(forged.headers.get(OUTCOME_HEADER)).toBe('403');
    expect(pageText(await forged.text())).toContain('This form has expired');
  });

  it('still count as failures: wrong passwords sent as page loads pause the account', async () => {
    await server.app.realm.update({ workflow: 'username-password|second-factor' }, 'test');
    const browser = new FormBrowser(server.url);
    await browser.get('/sign-in');
    for (let i = 0; i < 10; i++) {
      const res = await postAsPage(browser, '/sign-in', { username: 'paused.user', password: '' });
      expect(res.headers.get(OUTCOME_HEADER)).toBe('422');
    }
    const paused = await postAsPage(browser, '/sign-in', { username: 'paused.user', password: '' });
    expect(paused.status).toBe(200);
    expect(paused.headers.get(OUTCOME_HEADER)).toBe('429');
    expect(Number(paused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(pageText(await paused.text())).toContain('Too many attempts');
    // And to a script, the same pause is a 429.
    expect((await browser.post('/sign-in', { username: 'paused.user', password: '' })).status).toBe(
      429,
    );
  });

  it('a success is a success either way, and a page that is not found stays a 404', async () => {
    await server.app.realm.update({ workflow: 'username|second-factor' }, 'test');
    const browser = new FormBrowser(server.url);
    await browser.get('/sign-in');
    const ok = await postAsPage(browser, '/sign-in', { username: 'page.user' });
    expect(ok.status).toBe(303);
    expect(ok.headers.get(OUTCOME_HEADER)).toBeNull();
    const missing = await pageLoad('GET', '/sign-in/nowhere', {});
    expect(missing.status).toBe(404);
  });
});
