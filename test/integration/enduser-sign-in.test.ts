// The sign-in pages over real HTTP (no browser): CSRF, signed flow and token cookies, supersede, no user enumeration.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

/** The stored hashes the server verified passwords against, in order (see the timing test). */
const passwordChecks: string[] = vi.hoisted(() => []);
vi.mock('../../server/security/passwords', async (importOriginal) => {
  const real = await importOriginal<typeof Passwords>();
  return {
    ...real,
    verifyPassword: (password: string, stored: string) => {
      passwordChecks.push(stored);
      return real.verifyPassword(password, stored);
    },
  };
});
import type { Workflow } from '../../server/contract/realm-config';
import type * as Passwords from '../../server/security/passwords';
import { issueCode } from '../e2e/support/agent-desk';
import type { AgentSocket, TestServer } from '../support/test-server';
import {
  PASSWORD,
  ask,
  connectAgent,
  login,
  must,
  seedRealm,
  startTestServer,
} from '../support/test-server';
import { FormBrowser, pageText, referenceOn, requestIdOn } from '../support/form-browser';
import { enterCode, identify, sendRequest } from '../support/sign-in-pages';

let server: TestServer;
let agent: AgentSocket;

beforeAll(async () => {
  server = await startTestServer();
  await seedRealm(
    server,
    [{ username: 'root', displayName: 'Root', role: 'admin', desks: ['1', '2'] }],
    ['jsmith'],
  );
  agent = await connectAgent(server.url, await login(server.url, 'root'));
});

afterAll(async () => {
  agent?.disconnect();
  await server?.cleanup();
});

beforeEach(async () => {
  await useWorkflow('username|second-factor');
  await endOpenRequests();
});

/**
 * Each test is a new caller: requests earlier tests left open are ended first, or a new browser's
 * request for the same user would be contested by them.
 */
async function endOpenRequests() {
  for (const request of [...server.app.requests.openRequests()]) {
    if (request.state === 'queued') await ask(agent, 'request:claim', { requestId: request.id });
    await ask(agent, 'request:deny', { requestId: request.id, reason: 'Ended between tests' });
  }
}

const useWorkflow = (workflow: Workflow) => server.app.realm.update({ workflow }, 'test');

/** A fresh browser that has identified itself as `username` (and given the password where asked). */
const identified = (username: string, password?: string) =>
  identify(server.url, username, password);

/** Sends a request to `desk` and returns the request page. */
const requestPage = async (browser: FormBrowser, desk: '1' | '2' = '1') =>
  (await sendRequest(browser, desk)).page;

/** Runs the whole sign-in from the request page: the agent issues the code, the browser enters it. */
async function finishSignIn(browser: FormBrowser, page: { html: string }) {
  return enterCode(browser, await issueCode(agent, referenceOn(page.html)));
}

async function auditActions(): Promise<
  Array<{ action: string; details: Record<string, unknown> }>
> {
  // Every audit entry is on disk before the answer that caused it.
  const text = await readFile(path.join(server.dataDir, 'audit.jsonl'), 'utf8');
  return text
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { action: string; details: Record<string, unknown> });
}

describe('CSRF', () => {
  it('a form without the token, or with another session’s token, changes nothing', async () => {
    const victim = await identified('jsmith');
    await victim.get('/sign-in/method');
    const before = server.app.requests.openRequests().length;

    const missing = await victim.post('/sign-in/method', { _csrf: '', desk: '1' });
    expect(missing.status).toBe(403);
    expect(pageText(missing.html)).toContain('This form has expired');
    expect(missing.headers.getSetCookie().join()).not.toContain('hd_flow');

    const attacker = new FormBrowser(server.url);
    await attacker.get('/sign-in');
    const borrowed = await victim.post('/sign-in/method', { _csrf: attacker.csrf, desk: '1' });
    expect(borrowed.status).toBe(403);
    expect(server.app.requests.openRequests().length).toBe(before);

    // With its own token the same form goes through.
    expect((await victim.post('/sign-in/method', { desk: '1' })).status).toBe(303);
    expect(server.app.requests.openRequests().length).toBe(before + 1);
  });

  it('cancel and restart are refused without the token too', async () => {
    const browser = await identified('jsmith');
    const page = await requestPage(browser);
    const id = requestIdOn(page.html);
    expect((await browser.post('/sign-in/cancel', { _csrf: 'nope' })).status).toBe(403);
    expect((await browser.post('/sign-in/restart', { _csrf: 'nope' })).status).toBe(403);
    expect(server.app.requests.find(id)?.state).toBe('queued');
  });

  it('a session without its cookie cannot post at all', async () => {
    const browser = await identified('jsmith');
    browser.cookies.delete('hd_sid');
    expect((await browser.post('/sign-in', { username: 'jsmith' })).status).toBe(403);
  });
});

describe('the flow cookie', () => {
  it('tampered with, it is ignored and the user starts again', async () => {
    const browser = await identified('mallory');
    const [payload = '', signature] = (browser.cookies.get('hd_flow') ?? '').split('.');
    const flow = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<
      string,
      unknown
    >;
    expect(flow.u).toBe('mallory');
    const forged = Buffer.from(JSON.stringify({ ...flow, u: 'jsmith' })).toString('base64url');
    browser.cookies.set('hd_flow', `${forged}.${signature}`);
    expect(await browser.get('/sign-in/method')).toMatchObject({
      status: 303,
      location: '/sign-in',
    });

    // A genuine flow copied into another browser session is worthless there too.
    const honest = await identified('mallory');
    const other = new FormBrowser(server.url);
    await other.get('/sign-in');
    other.cookies.set('hd_flow', honest.cookies.get('hd_flow') ?? '');
    expect(await other.get('/sign-in/method')).toMatchObject({ status: 303, location: '/sign-in' });
  });

  it('cannot claim a password check that did not happen', async () => {
    const browser = await identified('jsmith');
    await useWorkflow('username-password|second-factor');
    // Identified without a password under the old workflow: the password-first workflow sends it back.
    expect(await browser.get('/sign-in/method')).toMatchObject({
      status: 303,
      location: '/sign-in',
    });
  });

  it('survives a server restart, with the request it follows', async () => {
    const browser = await identified('jsmith');
    const page = await requestPage(browser);
    const reference = referenceOn(page.html);
    agent.disconnect();
    await server.restart();
    agent = await connectAgent(server.url, await login(server.url, 'root'));
    const again = await browser.get('/sign-in/request');
    expect(again.status).toBe(200);
    expect(referenceOn(again.html)).toBe(reference);
    const done = await finishSignIn(browser, again);
    expect(pageText(done.html)).toContain("You're signed in");
  });
});

describe('validation', () => {
  it('bad input re-renders the form with the error next to the field and keeps what was typed', async () => {
    const browser = new FormBrowser(server.url);
    await browser.get('/sign-in');
    const res = await browser.post('/sign-in', { username: 'j smith<script>' });
    expect(res.status).toBe(422);
    expect(res.html).toContain('id="username-error"');
    expect(res.html).toContain('aria-describedby="username-error"');
    expect(res.html).toContain('value="j smith&lt;script&gt;"');
    expect(res.html).toMatch(/role="alert"[^>]*autofocus/);
    expect(res.html).not.toContain('<script>');

    await useWorkflow('username-password|second-factor');
    const empty = await browser.post('/sign-in', { username: 'jsmith', password: '' });
    expect(empty.status).toBe(422);
    expect(pageText(empty.html)).toContain('Enter your password');
    expect(empty.html).toContain('value="jsmith"');
  });
});

describe('the persistent token', () => {
  async function signInWithToken(): Promise<FormBrowser> {
    await useWorkflow('persistent-token|second-factor');
    const browser = new FormBrowser(server.url);
    await browser.get('/sign-in');
    await browser.post('/sign-in', { username: 'jsmith' });
    const done = await finishSignIn(browser, await requestPage(browser));
    expect(pageText(done.html)).toContain("You're signed in");
    expect(browser.cookies.get('hd_pt')).toBeTruthy();
    return browser;
  }

  const skipsUsername = async (browser: FormBrowser) => {
    const res = await browser.get('/sign-in');
    return res.status === 303 && res.location === '/sign-in/method';
  };

  it('identifies the user and skips the username step, also after a restart', async () => {
    const browser = await signInWithToken();
    expect(await skipsUsername(browser)).toBe(true);
    const method = await browser.get('/sign-in/method');
    expect(pageText(method.html)).toContain('Signing in as jsmith');
    agent.disconnect();
    await server.restart();
    agent = await connectAgent(server.url, await login(server.url, 'root'));
    expect(await skipsUsername(browser)).toBe(true);
  });

  it('revoked, it falls back to the username step', async () => {
    const browser = await signInWithToken();
    await server.app.persistentTokens.revokePersistentTokens('jsmith', 'agent:root');
    const res = await browser.get('/sign-in');
    expect(res.status).toBe(200);
    expect(res.html).toContain('autocomplete="username"');
    expect(browser.cookies.has('hd_pt')).toBe(false);
    expect(
      (await auditActions()).some(
        (e) => e.action === 'persistent-token.revoked' && e.details.username === 'jsmith',
      ),
    ).toBe(true);
    // A sign-in after the revocation gets a token that works.
    const fresh = await signInWithToken();
    expect(await skipsUsername(fresh)).toBe(true);
  });

  it('expired, it falls back to the username step', async () => {
    const browser = await signInWithToken();
    server.clock.advance(31 * 24 * 60 * 60_000);
    try {
      expect(await skipsUsername(browser)).toBe(false);
    } finally {
      server.clock.advance(-31 * 24 * 60 * 60_000);
    }
    // A realm that shortens the lifetime cuts existing tokens short as well.
    const recent = await signInWithToken();
    server.clock.advance(2 * 24 * 60 * 60_000);
    await server.app.realm.update({ persistentToken: { lifetimeDays: 1 } }, 'test');
    try {
      expect(await skipsUsername(recent)).toBe(false);
    } finally {
      server.clock.advance(-2 * 24 * 60 * 60_000);
      await server.app.realm.update({ persistentToken: { lifetimeDays: 30 } }, 'test');
    }
  });

  it('tampered with, or missing, it falls back to the username step', async () => {
    const browser = await signInWithToken();
    const [payload = '', signature] = (browser.cookies.get('hd_pt') ?? '').split('.');
    const token = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<
      string,
      unknown
    >;
    browser.cookies.set(
      'hd_pt',
      `${Buffer.from(JSON.stringify({ ...token, sub: 'admin' })).toString('base64url')}.${signature}`,
    );
    expect(await skipsUsername(browser)).toBe(false);
    expect(await skipsUsername(new FormBrowser(server.url))).toBe(false);
  });
});

describe('one open request per browser, at most two per user', () => {
  // Another user than the other tests', so the per-username limit of the request step is its own.
  const openIds = () =>
    server.app.requests
      .openRequests()
      .filter((r) => r.username === 'rpatel')
      .map((r) => r.id);

  it('a new request from the same browser supersedes the old one', async () => {
    const browser = await identified('rpatel');
    const firstId = requestIdOn((await requestPage(browser, '1')).html);
    const secondId = requestIdOn((await requestPage(browser, '2')).html);

    expect(openIds()).toEqual([secondId]);
    expect(server.app.requests.find(firstId)).toMatchObject({
      state: 'cancelled',
      closedReason: 'Superseded by a newer request.',
    });
    const superseded = (await auditActions()).filter((e) => e.action === 'request.superseded');
    expect(superseded.length).toBeGreaterThan(0);
  });

  it('another browser’s request leaves the first open; a third supersedes the second, whose page then shows it was cancelled', async () => {
    const first = await identified('rpatel');
    const firstId = requestIdOn((await requestPage(first, '1')).html);
    const second = await identified('rpatel');
    const secondId = requestIdOn((await requestPage(second, '2')).html);
    expect(openIds()).toEqual([firstId, secondId]);

    const third = await identified('rpatel');
    const thirdId = requestIdOn((await requestPage(third, '1')).html);
    expect(openIds()).toEqual([firstId, thirdId]);
    const old = await second.get('/sign-in/request');
    expect(old.html).toMatch(/data-phase="cancelled"(?![^>]*hidden)/);
    expect(pageText(old.html)).toContain('This request was cancelled');
    const still = await first.get('/sign-in/request');
    expect(still.html).toMatch(/data-phase="waiting"(?![^>]*hidden)/);
  });
});

describe('no user enumeration', () => {
  /** The page with everything that legitimately differs per user and per request blanked out. */
  const normalised = (html: string, username: string) =>
    html
      .replaceAll(username, 'USER')
      .replace(/name="_csrf" value="[^"]+"/g, 'CSRF')
      .replace(/[0-9A-Z]{3}-[0-9A-Z]{3}/g, 'REF')
      .replace(/data-live-request="[^"]+"/g, 'ID')
      // The server's clock, for the code's countdown.
      .replace(/data-server-now="\d+"/g, 'NOW')
      .replace(/Reference%20code%3A%20REF%0AUsername%3A%20[^%"]+/g, 'MAIL');

  it('an unknown username walks the same pages as a known one', async () => {
    const pages = async (username: string) => {
      const browser = await identified(username);
      const method = await browser.get('/sign-in/method');
      const request = await requestPage(browser);
      return [normalised(method.html, username), normalised(request.html, username)];
    };
    const known = await pages('jsmith');
    const unknown = await pages('nobody.here');
    expect(unknown).toEqual(known);
    // The agent, and only the agent, learns the difference.
    const { requests } = await must(agent, 'queue:list', {});
    expect(requests.find((r) => r.username === 'nobody.here')?.inDirectory).toBe(false);
    expect(requests.find((r) => r.username === 'jsmith')?.inDirectory).toBe(true);
  });

  it('a wrong password reads the same and costs the same work for a known and an unknown username', async () => {
    await useWorkflow('username-password|second-factor');
    const attempt = async (username: string) => {
      const browser = new FormBrowser(server.url);
      await browser.get('/sign-in');
      const before = passwordChecks.length;
      const res = await browser.post('/sign-in', { username, password: 'wrong password' });
      return {
        status: res.status,
        html: normalised(res.html, username),
        // The scrypt parameters of every hash the server checked for this post: its cost.
        checked: passwordChecks
          .slice(before)
          .map((stored) => stored.split('$').slice(0, 4).join('$')),
      };
    };
    const known = await attempt('jsmith');
    const unknown = await attempt('nobody.here');
    expect(unknown.status).toBe(422);
    expect(unknown.status).toBe(known.status);
    expect(unknown.html).toEqual(known.html);
    // Time is not measured (it flakes on a shared machine); the work that decides it is: one full
    // scrypt of the same cost for a known user and for a decoy.
    expect(known.checked).toEqual(['scrypt$131072$8$1']);
    expect(unknown.checked).toEqual(known.checked);
    // And the right password still works.
    const ok = await identified('jsmith', PASSWORD);
    expect(ok.cookies.has('hd_flow')).toBe(true);
  });
});

describe('page hardening', () => {
  it('pages carry a strict CSP, no inline script or handlers, and are never cached', async () => {
    const browser = await identified('jsmith');
    const pages = [
      await browser.get('/sign-in'),
      await browser.get('/sign-in/method'),
      await requestPage(browser),
    ];
    for (const page of pages) {
      const csp = page.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(page.headers.get('cache-control')).toBe('no-store');
      expect(page.html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      expect(page.html).not.toMatch(/\son[a-z]+=/i);
      expect(page.html).not.toMatch(/\sstyle=/i);
    }
    const cookies = (await new FormBrowser(server.url).get('/sign-in')).headers.getSetCookie();
    expect(cookies.find((c) => c.startsWith('hd_sid='))).toMatch(/HttpOnly; SameSite=Lax/);
  });

  it('a body over the size limit is refused with a page, changing nothing', async () => {
    const browser = new FormBrowser(server.url);
    await browser.get('/sign-in');
    const res = await browser.post('/sign-in', { username: 'x'.repeat(20_000) });
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(pageText(res.html)).toContain('Nothing was changed');
    expect(browser.cookies.has('hd_flow')).toBe(false);
  });

  it('what users type is escaped wherever it is shown', async () => {
    const browser = new FormBrowser(server.url);
    await browser.get('/sign-in');
    const res = await browser.post('/sign-in', { username: '"><img src=x>' });
    expect(res.status).toBe(422);
    expect(res.html).not.toContain('<img src=x>');
    expect(res.html).toContain('value="&quot;&gt;&lt;img src=x&gt;"');
  });
});
