// Risk signals end to end: browsers on the real sign-in pages (behind one trusted proxy), agents on
// real sockets. Each signal as the agent sees it in request:get and queue:list, the level the realm's
// weights give it, and the signals in the submission's audit entry.
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApp } from '../../server/app';
import { DIRECTORY_CSV_COLUMNS } from '../../server/contract/directory';
import type { RequestView } from '../../server/contract/request-view';
import type { DeskHours, RiskSignalId } from '../../server/contract/risk';
import { DEVICE_COOKIE } from '../../server/http/browser-session';
import { silentLogger } from '../../server/logger';
import { openEmbeddedStore } from '../../server/store/embedded/embedded-store';
import type { PageResponse } from '../support/form-browser';
import { FormBrowser, pageText } from '../support/form-browser';
import type { AskedForHelp } from '../support/sign-in-pages';
import { cancelRequest, enterCode, sendRequest } from '../support/sign-in-pages';
import type { AgentSocket, TestServer } from '../support/test-server';
import {
  PASSWORD,
  RELAXED_RISK_POLICY,
  TestClock,
  connectAgent,
  login,
  must,
  readAudit,
  seedRealm,
  startTestServer,
} from '../support/test-server';

const DAY = 24 * 60 * 60 * 1000;

const USERS = [
  'nina', // new browser
  'omar', // new network
  'rita', // recent requests
  'walt', // recent wrong passcodes
  'cara', // contested
  'dora', // directory changed: edited
  'eve', // directory changed: disabled and enabled again
  'finn', // directory changed: password reset
  'gus', // directory changed: imported with a change
  'hal', // imported as stored: no change
  'ivy', // disabled: not in the directory
  'hugo', // outside hours
  'lena', // weights and levels
  'kai', // a plain user to compare with
  'audi', // the audit entry
];

let server: TestServer;
let admin: AgentSocket;
let adminToken: string;

/**
 * The real app, as test-server starts it, but behind one reverse proxy (`trustProxy: 1`, as
 * `--trust-proxy 1` sets it), so a browser's address can be chosen with X-Forwarded-For.
 */
async function startBehindProxy(): Promise<TestServer> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'hdotp-risk-'));
  const clock = new TestClock();
  const store = await openEmbeddedStore(dataDir);
  const app = createApp({
    store,
    version: 'test',
    logger: silentLogger(),
    now: clock.now,
    trustProxy: 1,
  });
  await new Promise<void>((resolve) => app.httpServer.listen(0, '127.0.0.1', resolve));
  const { port } = app.httpServer.address() as AddressInfo;
  let running = true;
  const stop = async () => {
    if (running) await app.close();
    running = false;
  };
  return {
    url: `http://127.0.0.1:${port}`,
    dataDir,
    app,
    clock,
    directory: app.embeddedDirectory,
    stop,
    restart: () => Promise.reject(new Error('not used here')),
    async cleanup() {
      await stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A browser whose requests pass through the trusted proxy, which names `from` as the client. */
class ProxiedBrowser extends FormBrowser {
  constructor(
    base: string,
    /** The X-Forwarded-For the proxy sends (a list: the proxy appends the address it saw). */
    public from: string | undefined,
  ) {
    super(base);
  }

  override request(
    method: 'GET' | 'POST',
    path: string,
    form?: Record<string, string>,
  ): Promise<PageResponse> {
    const from = this.from;
    if (from === undefined) return super.request(method, path, form);
    const real = globalThis.fetch;
    // FormBrowser calls fetch before its first await, so the header goes on this request only.
    globalThis.fetch = (input, init) =>
      real(input, {
        ...init,
        headers: { ...(init?.headers as Record<string, string>), 'x-forwarded-for': from },
      });
    try {
      return super.request(method, path, form);
    } finally {
      globalThis.fetch = real;
    }
  }
}

/** From the start page (a browser new or known), identifies as `username` and asks desk 1. */
async function ask(browser: FormBrowser, username: string): Promise<AskedForHelp> {
  await browser.get('/sign-in');
  const identified = await browser.post('/sign-in', { username });
  expect(identified, `identify ${username}`).toMatchObject({
    status: 303,
    location: '/sign-in/method',
  });
  return sendRequest(browser);
}

const newBrowser = (from?: string) => new ProxiedBrowser(server.url, from);

/** The request as the agent sees it in request:get, and the same row in queue:list. */
async function seen(requestId: string): Promise<RequestView> {
  const view = await must(admin, 'request:get', { requestId });
  const { requests } = await must(admin, 'queue:list', {});
  const row = requests.find((r) => r.id === requestId);
  expect(row?.risk, 'the queue row carries the same risk').toEqual(view.risk);
  return view;
}

async function signalsOf(requestId: string): Promise<RiskSignalId[]> {
  return (await seen(requestId)).risk.signals.map((s) => s.id);
}

async function detailOf(requestId: string, id: RiskSignalId): Promise<string | undefined> {
  return (await seen(requestId)).risk.signals.find((s) => s.id === id)?.detail;
}

/** The agent verifies the caller and reveals; the browser enters the passcode and is signed in. */
async function signInThrough(asked: AskedForHelp): Promise<void> {
  const requestId = asked.requestId;
  await must(admin, 'request:claim', { requestId });
  await must(admin, 'request:verify', { requestId, checkId: 'callback', note: 'Called back' });
  await must(admin, 'request:verify', { requestId, checkId: 'employee-id', note: 'Gave E1' });
  const { otp } = await must(admin, 'request:reveal', { requestId });
  const done = await enterCode(asked.browser, otp);
  expect(pageText(done.html)).toContain("You're signed in");
  expect(server.app.requests.find(requestId)?.state).toBe('completed');
}

async function postImport(csv: string) {
  const res = await fetch(`${server.url}/api/directory/import?commit=true`, {
    method: 'POST',
    headers: { 'content-type': 'text/csv', authorization: `Bearer ${adminToken}` },
    body: csv,
  });
  expect(res.status).toBe(200);
}

/** A CSV row of a seeded user, as seedRealm stored them, with some cells changed. */
function seededRow(username: string, cells: Partial<Record<string, string>> = {}): string {
  const stored: Record<string, string> = {
    username,
    displayName: `User ${username}`,
    email: `${username}@example.com`,
    phone: '+14155550111',
    employeeId: 'E1',
    department: 'Finance',
    manager: 'boss',
    enabled: 'true',
    privileged: 'false',
    password: '',
    ...cells,
  };
  return DIRECTORY_CSV_COLUMNS.map((c) => stored[c] ?? '').join(',');
}

beforeAll(async () => {
  server = await startBehindProxy();
  await seedRealm(
    server,
    [{ username: 'root', displayName: 'Root', role: 'admin', desks: ['1', '2'] }],
    USERS,
  );
  await server.directory.addUser({
    username: 'pria',
    displayName: 'Pria Privileged',
    email: 'pria@example.com',
    phone: '+14155550122',
    employeeId: 'E9',
    department: 'Board',
    manager: '',
    enabled: true,
    privileged: true,
    password: PASSWORD,
  });
  await server.app.realm.update({ workflow: 'username|second-factor' }, 'test');
  // The users were added "just now": a week and a day later, their accounts are no recent change.
  await advanceClock(8 * DAY);
});

/** Moves the server's clock on, signing the admin in again (a session does not last a day). */
async function advanceClock(ms: number): Promise<void> {
  server.clock.advance(ms);
  admin?.disconnect();
  adminToken = await login(server.url, 'root');
  admin = await connectAgent(server.url, adminToken);
}

afterAll(async () => {
  admin?.disconnect();
  await server?.cleanup();
});

describe('the device cookie', () => {
  it('is issued on first contact beside the session cookie: random, httpOnly, SameSite=Lax, 400 days, kept', async () => {
    const browser = newBrowser();
    const first = await browser.get('/sign-in');
    const cookie = first.headers.getSetCookie().find((c) => c.startsWith(`${DEVICE_COOKIE}=`));
    expect(cookie).toMatch(/^hd_dev=[A-Za-z0-9_-]{43};/);
    expect(cookie).toMatch(/Max-Age=34560000/);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).not.toMatch(/Secure/); // plain HTTP here; over HTTPS it is Secure
    expect(first.headers.getSetCookie().some((c) => c.startsWith('hd_sid='))).toBe(true);
    const device = browser.cookies.get(DEVICE_COOKIE);

    // Sent back, it is kept; a new session (the session cookie gone) keeps the same device.
    const again = await browser.get('/sign-in');
    expect(again.headers.getSetCookie().some((c) => c.startsWith(`${DEVICE_COOKIE}=`))).toBe(false);
    browser.cookies.delete('hd_sid');
    await browser.get('/sign-in');
    expect(browser.cookies.get(DEVICE_COOKIE)).toBe(device);

    // One we could not have issued is replaced.
    browser.cookies.set(DEVICE_COOKIE, 'forged');
    await browser.get('/sign-in');
    expect(browser.cookies.get(DEVICE_COOKIE)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(browser.cookies.get(DEVICE_COOKIE)).not.toBe(device);
  });
});

describe('new-browser', () => {
  it('until the user has signed in from this browser; another browser is new again', async () => {
    const laptop = newBrowser();
    const first = await ask(laptop, 'nina');
    expect(await signalsOf(first.requestId)).toContain('new-browser');
    expect(await detailOf(first.requestId, 'new-browser')).toBe(
      'No earlier sign-in recorded for this user.',
    );
    await signInThrough(first);

    const again = await ask(laptop, 'nina');
    expect(await signalsOf(again.requestId)).not.toContain('new-browser');
    await cancelRequest(laptop);

    const phone = await ask(newBrowser(), 'nina');
    expect(await signalsOf(phone.requestId)).toContain('new-browser');
    expect(await detailOf(phone.requestId, 'new-browser')).toBe(
      'The user has never signed in from this browser.',
    );

    // A browser that lost its device cookie is new too, even the one the user signed in from.
    laptop.cookies.delete(DEVICE_COOKIE);
    const cleared = await ask(laptop, 'nina');
    expect(await signalsOf(cleared.requestId)).toContain('new-browser');
  });
});

describe('new-network', () => {
  it("from an address on none of the networks of the user's sign-ins, as the trusted proxy names it", async () => {
    const browser = newBrowser('203.0.113.7');
    const first = await ask(browser, 'omar');
    // Nothing to compare with yet: new-browser says so.
    expect(await signalsOf(first.requestId)).not.toContain('new-network');
    expect(server.app.requests.find(first.requestId)?.origin.ip).toBe('203.0.113.7');
    await signInThrough(first);

    browser.from = '203.0.113.99';
    const sameNetwork = await ask(browser, 'omar');
    expect(await signalsOf(sameNetwork.requestId)).not.toContain('new-network');

    browser.from = '198.51.100.9';
    const elsewhere = await ask(browser, 'omar');
    expect(await signalsOf(elsewhere.requestId)).toContain('new-network');
    expect(await detailOf(elsewhere.requestId, 'new-network')).toBe(
      "198.51.100.9 is not on a network of the user's last 1 sign-in (last from 203.0.113.7).",
    );

    // Only the proxy's own entry is believed: what the client wrote before it is not.
    browser.from = '198.51.100.9, 203.0.113.50';
    const spoofed = await ask(browser, 'omar');
    expect(server.app.requests.find(spoofed.requestId)?.origin.ip).toBe('203.0.113.50');
    expect(await signalsOf(spoofed.requestId)).not.toContain('new-network');

    // An IPv4-mapped IPv6 address is on its IPv4 network.
    browser.from = '::ffff:203.0.113.8';
    const mapped = await ask(browser, 'omar');
    expect(await signalsOf(mapped.requestId)).not.toContain('new-network');
    await cancelRequest(browser);
  });
});

describe('an X-Forwarded-For without a trusted proxy', () => {
  it('is ignored: the address is the connection’s own, and nothing is written to the log', async () => {
    const plain = await startTestServer();
    // express-rate-limit used to print a validation error for every such request: any client could
    // write to the server's log.
    const printed = [vi.spyOn(console, 'error'), vi.spyOn(console, 'warn')];
    try {
      await seedRealm(plain, [], ['omar']);
      await plain.app.realm.update({ workflow: 'username|second-factor' }, 'test');
      const browser = new ProxiedBrowser(plain.url, '198.51.100.9');
      await browser.get('/sign-in');
      await browser.post('/sign-in', { username: 'omar' });
      const asked = await sendRequest(browser);
      expect(plain.app.requests.find(asked.requestId)?.origin.ip).toBe('127.0.0.1');
      for (const spy of printed)
        expect(spy.mock.calls.flat().join(' ')).not.toMatch(/X-Forwarded-For/i);
    } finally {
      for (const spy of printed) spy.mockRestore();
      await plain.cleanup();
    }
  });
});

describe('recent-requests', () => {
  it("from the policy's number of other requests in 24 hours, saying how many", async () => {
    const browser = newBrowser();
    const first = await ask(browser, 'rita');
    expect(await signalsOf(first.requestId)).not.toContain('recent-requests');
    const second = await ask(browser, 'rita');
    expect(await signalsOf(second.requestId)).not.toContain('recent-requests');
    const third = await ask(browser, 'rita');
    expect(await detailOf(third.requestId, 'recent-requests')).toBe(
      '2 other requests for this user in the last 24 hours.',
    );
    await cancelRequest(browser);

    // A day later they no longer count.
    await advanceClock(DAY + 60_000);
    const later = await ask(browser, 'rita');
    expect(await signalsOf(later.requestId)).not.toContain('recent-requests');
    await cancelRequest(browser);
  });
});

describe('recent-wrong-passcodes', () => {
  it('after a wrong passcode for the user, on their next request', async () => {
    const browser = newBrowser();
    const first = await ask(browser, 'walt');
    expect(await signalsOf(first.requestId)).not.toContain('recent-wrong-passcodes');
    const requestId = first.requestId;
    await must(admin, 'request:claim', { requestId });
    await must(admin, 'request:verify', { requestId, checkId: 'callback', note: 'Called back' });
    await must(admin, 'request:verify', { requestId, checkId: 'employee-id', note: 'Gave E1' });
    const { otp } = await must(admin, 'request:reveal', { requestId });
    const wrong = otp.startsWith('1') ? `2${otp.slice(1)}` : `1${otp.slice(1)}`;
    await enterCode(browser, wrong);
    expect(server.app.requests.find(requestId)?.failedAttempts).toBe(1);

    const next = await ask(newBrowser(), 'walt');
    expect(await detailOf(next.requestId, 'recent-wrong-passcodes')).toBe(
      '1 wrong passcode for this user in the last 24 hours.',
    );
    await cancelRequest(next.browser);
  });
});

describe('contested', () => {
  it('both requests carry it, and it stays on the one left after the other ends', async () => {
    const first = await ask(newBrowser(), 'cara');
    expect(await signalsOf(first.requestId)).not.toContain('contested');
    const second = await ask(newBrowser(), 'cara');

    expect(await detailOf(second.requestId, 'contested')).toBe(
      `Another browser asked for this user at the same time (${first.reference}).`,
    );
    expect(await detailOf(first.requestId, 'contested')).toBe(
      `Another browser asked for this user at the same time (${second.reference}).`,
    );

    await cancelRequest(second.browser);
    const left = await seen(first.requestId);
    expect(left.contested).toBe(false);
    expect(left.risk.signals.map((s) => s.id)).toContain('contested');
    await cancelRequest(first.browser);
  });
});

describe('privileged', () => {
  it("for a member of the directory's privileged group, and its reveal needs a second approver", async () => {
    const asked = await ask(newBrowser(), 'pria');
    const view = await seen(asked.requestId);
    expect(view.risk.signals).toContainEqual({
      id: 'privileged',
      detail: 'Member of the directory’s privileged group.',
      weight: RELAXED_RISK_POLICY.weights.privileged,
    });
    expect(view.approvalNeeded).toBe(true);
    const plain = await ask(newBrowser(), 'kai');
    expect(await signalsOf(plain.requestId)).not.toContain('privileged');
    await cancelRequest(asked.browser);
    await cancelRequest(plain.browser);
  });
});

describe('directory-changed', () => {
  const today = () =>
    `The directory changed the account today (${new Date(server.clock.now()).toISOString().slice(0, 10)}).`;

  it('after an admin edits the user, not before', async () => {
    const before = await ask(newBrowser(), 'dora');
    expect(await signalsOf(before.requestId)).not.toContain('directory-changed');
    await cancelRequest(before.browser);

    await must(admin, 'users:update', { username: 'dora', changes: { department: 'Payroll' } });
    const after = await ask(newBrowser(), 'dora');
    expect(await detailOf(after.requestId, 'directory-changed')).toBe(today());
    await cancelRequest(after.browser);
  });

  it('after the user is disabled and enabled again, or their password is reset', async () => {
    await must(admin, 'users:set-enabled', { username: 'eve', enabled: false });
    await must(admin, 'users:set-enabled', { username: 'eve', enabled: true });
    const eve = await ask(newBrowser(), 'eve');
    expect(await detailOf(eve.requestId, 'directory-changed')).toBe(today());
    await cancelRequest(eve.browser);

    await must(admin, 'users:reset-password', { username: 'finn' });
    const finn = await ask(newBrowser(), 'finn');
    expect(await detailOf(finn.requestId, 'directory-changed')).toBe(today());
    await cancelRequest(finn.browser);
  });

  it('after an import changes the user; a row repeating what is stored changes nothing', async () => {
    const header = DIRECTORY_CSV_COLUMNS.join(',');
    await postImport(
      [header, seededRow('gus', { department: 'Treasury' }), seededRow('hal')].join('\n'),
    );
    const gus = await ask(newBrowser(), 'gus');
    expect(await signalsOf(gus.requestId)).toContain('directory-changed');
    const hal = await ask(newBrowser(), 'hal');
    expect(await signalsOf(hal.requestId)).not.toContain('directory-changed');
    await cancelRequest(gus.browser);
    await cancelRequest(hal.browser);
  });
});

describe('not-in-directory', () => {
  it('for a name the directory does not have, and for a disabled user', async () => {
    const ghost = await ask(newBrowser(), 'ghost');
    expect(await detailOf(ghost.requestId, 'not-in-directory')).toBe(
      'No user of this name in the directory.',
    );
    await cancelRequest(ghost.browser);

    await must(admin, 'users:set-enabled', { username: 'ivy', enabled: false });
    const ivy = await ask(newBrowser(), 'ivy');
    expect(await detailOf(ivy.requestId, 'not-in-directory')).toBe(
      'The account is disabled in the directory.',
    );
    const known = await ask(newBrowser(), 'kai');
    expect(await signalsOf(known.requestId)).not.toContain('not-in-directory');
    await cancelRequest(known.browser);
  });
});

describe('outside-hours', () => {
  /** Desk 1 open every day from `from` hours after now's hour to `to` hours after it (UTC). */
  async function setHours(from: number, to: number): Promise<DeskHours> {
    const hour = new Date(server.clock.now()).getUTCHours();
    const hhmm = (h: number) => `${String((((hour + h) % 24) + 24) % 24).padStart(2, '0')}:00`;
    const hours: DeskHours = {
      timeZone: 'UTC',
      days: [0, 1, 2, 3, 4, 5, 6],
      opens: hhmm(from),
      closes: hhmm(to),
    };
    const { helpDesks } = await must(admin, 'config:get', {});
    await must(admin, 'config:update', { helpDesks: { '1': { ...helpDesks['1'], hours } } });
    return hours;
  }

  afterAll(async () => {
    const { helpDesks } = await must(admin, 'config:get', {});
    const { hours: _hours, ...always } = helpDesks['1'];
    await must(admin, 'config:update', { helpDesks: { '1': always } });
  });

  it("when the desk's hours are set and the request comes outside them, not inside them", async () => {
    const closed = await setHours(2, 3);
    const outside = await ask(newBrowser(), 'hugo');
    expect(await detailOf(outside.requestId, 'outside-hours')).toBe(
      `Outside the desk's hours (Sun, Mon, Tue, Wed, Thu, Fri, Sat ${closed.opens}–${closed.closes}, UTC).`,
    );
    await cancelRequest(outside.browser);

    await setHours(-1, 1);
    const inside = await ask(newBrowser(), 'hugo');
    expect(await signalsOf(inside.requestId)).not.toContain('outside-hours');
    await cancelRequest(inside.browser);
  });
});

describe('the level the realm weighs', () => {
  afterAll(async () => {
    await must(admin, 'config:update', { riskPolicy: RELAXED_RISK_POLICY });
  });

  it('follows the weights an admin sets: low, medium, high, on the requests already waiting', async () => {
    const asked = await ask(newBrowser(), 'lena');
    // A new browser, nothing else: the default weight leaves it low.
    expect((await seen(asked.requestId)).risk).toMatchObject({
      level: 'low',
      score: 15,
      signals: [expect.objectContaining({ id: 'new-browser', weight: 15 })],
    });
    const weigh = (newBrowserWeight: number) =>
      must(admin, 'config:update', {
        riskPolicy: {
          ...RELAXED_RISK_POLICY,
          weights: { ...RELAXED_RISK_POLICY.weights, 'new-browser': newBrowserWeight },
        },
      });

    await weigh(40);
    expect((await seen(asked.requestId)).risk).toMatchObject({
      level: 'medium',
      score: 40,
      signals: [expect.objectContaining({ id: 'new-browser', weight: 40 })],
    });
    await weigh(70);
    expect((await seen(asked.requestId)).risk).toMatchObject({ level: 'high', score: 70 });
    await weigh(0);
    expect((await seen(asked.requestId)).risk).toMatchObject({
      level: 'low',
      score: 0,
      signals: [expect.objectContaining({ id: 'new-browser', weight: 0 })],
    });
    await cancelRequest(asked.browser);
  });
});

describe('the audit log', () => {
  it('records the signals, score and level of every submission', async () => {
    const first = await ask(newBrowser(), 'audi');
    const second = await ask(newBrowser(), 'audi');
    const audit = await readAudit(server);
    const submitted = (requestId: string) =>
      audit.find((e) => e.action === 'request.submitted' && e.requestId === requestId)?.details;
    expect(submitted(first.requestId)).toMatchObject({
      risk: { level: 'low', score: 15, signals: ['new-browser'] },
    });
    expect(submitted(second.requestId)).toMatchObject({
      contestedWith: first.reference,
      risk: { level: 'medium', score: 55, signals: ['new-browser', 'contested'] },
    });
    // The first request's new signal is audited too.
    expect(
      audit.find((e) => e.action === 'request.risk-flagged' && e.requestId === first.requestId)
        ?.details,
    ).toMatchObject({ signal: 'contested', with: second.reference });
    // The audit never holds the device cookie, only requests' signals.
    const device = first.browser.cookies.get(DEVICE_COOKIE)!;
    expect(JSON.stringify(audit)).not.toContain(device);
  });
});
