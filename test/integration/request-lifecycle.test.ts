// The whole request lifecycle over the real server: the sign-in pages for the end-user, real sockets for agents.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormBrowser, pageText, phaseOn } from '../support/form-browser';
import type { AskedForHelp } from '../support/sign-in-pages';
import { askForHelp, enterCode, identify, liveStatus, sendRequest } from '../support/sign-in-pages';
import type { AgentSocket, TestServer } from '../support/test-server';
import {
  ask,
  connectAgent,
  login,
  must,
  nextEvent,
  seedRealm,
  startTestServer,
} from '../support/test-server';

let server: TestServer;
let desk1: AgentSocket;
let desk2: AgentSocket;
let desk2b: AgentSocket;
let admin: AgentSocket;
const sockets: AgentSocket[] = [];

async function connectAll() {
  desk1 = await connectAgent(server.url, await login(server.url, 'alice'));
  desk2 = await connectAgent(server.url, await login(server.url, 'bob'));
  desk2b = await connectAgent(server.url, await login(server.url, 'carol'));
  admin = await connectAgent(server.url, await login(server.url, 'root'));
  sockets.push(desk1, desk2, desk2b, admin);
}

beforeAll(async () => {
  server = await startTestServer();
  await seedRealm(
    server,
    [
      { username: 'alice', displayName: 'Alice', role: 'agent', desks: ['1'] },
      { username: 'bob', displayName: 'Bob', role: 'agent', desks: ['2'] },
      { username: 'carol', displayName: 'Carol', role: 'agent', desks: ['2'] },
      { username: 'root', displayName: 'Root', role: 'admin', desks: ['1', '2'] },
    ],
    ['jsmith', 'rpatel', 'mlee', 'agarcia', 'tnguyen', 'kwong'],
  );
  await server.app.realm.update({ workflow: 'username|second-factor' }, 'test');
  await connectAll();
});

afterAll(async () => {
  sockets.forEach((s) => s.disconnect());
  await server.cleanup();
});

/** A new browser asking `desk` for a code as `username`, through the sign-in pages. */
const submit = (username: string, desk: '1' | '2'): Promise<AskedForHelp> =>
  askForHelp(server.url, username, desk);

/** The phase the browser's request page shows now. */
const phaseShown = async (browser: FormBrowser) =>
  phaseOn((await browser.get('/sign-in/request')).html);

const SIGNED_IN = "You're signed in";

async function verifyFully(socket: AgentSocket, requestId: string) {
  await must(socket, 'request:verify', {
    requestId,
    checkId: 'callback',
    note: 'Called +14155550111 back',
  });
  return must(socket, 'request:verify', { requestId, checkId: 'employee-id', note: 'Gave E1' });
}

describe('a help-desk request from submission to signed-in', () => {
  it('reaches only its desk, and completes when the user types the revealed passcode', async () => {
    const seenByDesk2 = nextEvent(desk2, 'request:created', (r) => r.username === 'jsmith');
    let desk1SawIt = false;
    const spy = (r: { username: string }) => {
      if (r.username === 'jsmith') desk1SawIt = true;
    };
    desk1.on('request:created', spy);

    const { browser, page, reference, requestId } = await submit('jsmith', '2');
    expect(phaseOn(page.html)).toBe('waiting');
    expect(reference).toMatch(/^[0-9A-Z]{3}-[0-9A-Z]{3}$/);
    expect(pageText(page.html)).toContain('Call or email Security Desk');
    expect((await liveStatus(browser, requestId)).desk).toEqual({
      id: '2',
      name: 'Security Desk',
      phone: '+14155550199',
      email: 'sec@example.com',
    });

    const arrived = await seenByDesk2;
    expect(arrived).toMatchObject({
      id: requestId,
      reference,
      state: 'queued',
      displayName: 'User jsmith',
      inDirectory: true,
    });
    const queue2 = await must(desk2, 'queue:list', {});
    expect(queue2.requests.map((r) => r.id)).toContain(requestId);
    const queue1 = await must(desk1, 'queue:list', {});
    expect(queue1.requests.map((r) => r.id)).not.toContain(requestId);

    const otherSeesClaim = nextEvent(
      desk2b,
      'request:updated',
      (r) => r.id === requestId && r.state === 'claimed',
    );
    const claimed = await must(desk2, 'request:claim', { requestId });
    expect(claimed.claimedBy?.username).toBe('bob');
    expect((await otherSeesClaim).claimedBy?.username).toBe('bob');
    expect(await phaseShown(browser)).toBe('verifying');

    const detail = await must(desk2, 'request:get', { requestId });
    // The default verification policy masks the employee ID (too short here to keep a tail).
    expect(detail.directory).toMatchObject({ employeeId: '••••••', phone: '+14155550111' });

    const verified = await verifyFully(desk2, requestId);
    expect(verified.state).toBe('verified');
    const { otp, expiresAt } = await must(desk2, 'request:reveal', { requestId });
    expect(otp).toMatch(/^\d{8}$/);
    expect(expiresAt).toBeGreaterThan(Date.now());
    expect(await phaseShown(browser)).toBe('code-ready');

    const done = nextEvent(
      desk2,
      'request:updated',
      (r) => r.id === requestId && r.state === 'completed',
    );
    const typed = `${otp.slice(0, 4)} ${otp.slice(4)}`;
    const signedIn = await enterCode(browser, typed);
    expect(pageText(signedIn.html)).toContain(SIGNED_IN);
    expect((await done).state).toBe('completed');
    expect(desk1SawIt).toBe(false);
    desk1.off('request:created', spy);

    // The passcode works once: the request is closed, and posting it again signs nobody in.
    const again = await browser.post('/sign-in/code', { otp });
    expect(again).toMatchObject({ status: 303, location: '/sign-in/method' });
    expect(server.app.requests.find(requestId)?.state).toBe('completed');
    expect((await must(desk2, 'queue:list', {})).requests.map((r) => r.id)).not.toContain(
      requestId,
    );
  });

  it('survives a server restart mid-lifecycle and carries on where it was', async () => {
    const { browser, requestId } = await submit('rpatel', '1');
    await must(desk1, 'request:claim', { requestId });
    await must(desk1, 'request:verify', {
      requestId,
      checkId: 'callback',
      note: 'called back',
    });

    sockets.forEach((s) => s.disconnect());
    sockets.length = 0;
    await server.restart();
    await connectAll();

    const queue = await must(desk1, 'queue:list', {});
    const kept = queue.requests.find((r) => r.id === requestId);
    expect(kept).toMatchObject({ state: 'claimed', claimedBy: { username: 'alice' } });
    expect(kept?.verification.map((v) => v.checkId)).toEqual(['callback']);

    await must(desk1, 'request:verify', {
      requestId,
      checkId: 'manager',
      note: 'manager said yes',
    });
    const { otp } = await must(desk1, 'request:reveal', { requestId });
    expect(pageText((await enterCode(browser, otp)).html)).toContain(SIGNED_IN);
  });
});

describe('refusals', () => {
  it('an agent cannot act on a request of a desk they do not staff', async () => {
    const { requestId } = await submit('mlee', '2');
    const claim = await ask(desk1, 'request:claim', { requestId });
    expect(claim).toEqual({ error: expect.objectContaining({ code: 'forbidden' }) });
    const get = await ask(desk1, 'request:get', { requestId });
    expect(get).toEqual({ error: expect.objectContaining({ code: 'not-found' }) });
  });

  it('only the claiming agent acts on a claimed request; an admin may take it over', async () => {
    const { requestId } = await submit('mlee', '2');
    await must(desk2, 'request:claim', { requestId });
    expect(await ask(desk2b, 'request:claim', { requestId })).toEqual({
      error: expect.objectContaining({ code: 'already-claimed' }),
    });
    expect(
      await ask(desk2b, 'request:verify', { requestId, checkId: 'callback', note: '' }),
    ).toEqual({
      error: expect.objectContaining({ code: 'not-claimed-by-you' }),
    });
    expect(await ask(desk2b, 'request:take-over', { requestId })).toEqual({
      error: expect.objectContaining({ code: 'forbidden' }),
    });
    const taken = await must(admin, 'request:take-over', { requestId });
    expect(taken.claimedBy?.username).toBe('root');
    expect(await ask(desk2, 'request:deny', { requestId, reason: 'not me any more' })).toEqual({
      error: expect.objectContaining({ code: 'not-claimed-by-you' }),
    });
    const denied = await must(admin, 'request:deny', {
      requestId,
      reason: 'Caller could not answer',
    });
    expect(denied.state).toBe('denied');
  });

  it('refuses to reveal before the verification policy is met', async () => {
    const { requestId } = await submit('agarcia', '1');
    await must(desk1, 'request:claim', { requestId });
    expect(await ask(desk1, 'request:reveal', { requestId })).toEqual({
      error: expect.objectContaining({ code: 'verification-incomplete' }),
    });
    // One check that is not the required callback is still not enough.
    await must(desk1, 'request:verify', {
      requestId,
      checkId: 'employee-id',
      note: 'E1',
    });
    await must(desk1, 'request:verify', { requestId, checkId: 'manager', note: 'ok' });
    const refused = await ask(desk1, 'request:reveal', { requestId });
    expect(refused).toEqual({
      error: expect.objectContaining({
        code: 'verification-incomplete',
        message: expect.stringContaining('callback'),
      }),
    });
    expect(
      await ask(desk1, 'request:verify', {
        requestId,
        checkId: 'palm-reading',
        note: '',
      }),
    ).toEqual({
      error: expect.objectContaining({ code: 'unknown-check' }),
    });
  });

  it('never reveals a passcode for a username that is not in the directory', async () => {
    const { requestId } = await submit('mallory', '1');
    const arrived = (await must(desk1, 'queue:list', {})).requests.find((r) => r.id === requestId);
    expect(arrived).toMatchObject({ inDirectory: false, displayName: '' });
    await must(desk1, 'request:claim', { requestId });
    await verifyFully(desk1, requestId);
    expect(await ask(desk1, 'request:reveal', { requestId })).toEqual({
      error: expect.objectContaining({ code: 'forbidden' }),
    });
  });

  it('a wrong passcode counts down, and too many lock the request', async () => {
    await server.app.realm.update(
      { otpPolicy: { length: 6, ttlMinutes: 10, maxAttempts: 3 } },
      'test',
    );
    const { browser, requestId } = await submit('tnguyen', '1');
    await must(desk1, 'request:claim', { requestId });
    await verifyFully(desk1, requestId);
    const { otp } = await must(desk1, 'request:reveal', { requestId });
    const wrong = otp === '000000' ? '111111' : '000000';
    const first = await enterCode(browser, wrong);
    expect(first.status).toBe(422);
    expect(pageText(first.html)).toContain("That code isn't right. You have 2 attempts left.");
    await browser.post('/sign-in/code', { otp: wrong });
    const locked = nextEvent(
      desk1,
      'request:updated',
      (r) => r.id === requestId && r.state === 'locked',
    );
    const third = await browser.post('/sign-in/code', { otp: wrong });
    expect(pageText(third.html)).toContain('Too many wrong codes');
    await locked;
    // Even the right code is useless now.
    const late = await browser.post('/sign-in/code', { otp });
    expect(pageText(late.html)).toContain('Too many wrong codes');
    expect(server.app.requests.find(requestId)?.state).toBe('locked');
    await server.app.realm.update(
      { otpPolicy: { length: 8, ttlMinutes: 10, maxAttempts: 5 } },
      'test',
    );
  });

  it('a user who keeps guessing across new requests is told the fewer attempts really left', async () => {
    const policy = server.app.realm.config.otpPolicy;
    await server.app.realm.update({ otpPolicy: { ...policy, maxAttempts: 3 } }, 'test');
    try {
      // One browser asking again and again (another browser's request would contest, not replace, it).
      const browser = await identify(server.url, 'kwong');
      const guessTwice = async () => {
        const { requestId } = await sendRequest(browser, '1');
        await must(desk1, 'request:claim', { requestId });
        await verifyFully(desk1, requestId);
        const { otp } = await must(desk1, 'request:reveal', { requestId });
        const wrong = otp.replace(/\d$/, (d) => String((Number(d) + 1) % 10));
        return { requestId, wrong };
      };
      for (let round = 0; round < 2; round++) {
        const { wrong } = await guessTwice();
        await enterCode(browser, wrong);
        await browser.post('/sign-in/code', { otp: wrong });
      }
      // Four wrong in 24 hours of a budget of six: this request allows two, not three.
      const { requestId, wrong } = await guessTwice();
      expect((await liveStatus(browser, requestId)).attemptsLeft).toBe(2);
      const first = await enterCode(browser, wrong);
      expect(pageText(first.html)).toContain("That code isn't right. You have 1 attempt left.");
      expect((await liveStatus(browser, requestId)).attemptsLeft).toBe(1);
    } finally {
      await server.app.realm.update({ otpPolicy: policy }, 'test');
    }
  });

  it('an expired passcode no longer signs in', async () => {
    const { browser, requestId } = await submit('tnguyen', '1');
    await must(desk1, 'request:claim', { requestId });
    await verifyFully(desk1, requestId);
    const { otp } = await must(desk1, 'request:reveal', { requestId });
    await browser.get('/sign-in/code');
    server.clock.advance(11 * 60_000);
    try {
      // Past its deadline, before anything closes it, the page and the socket agree it has expired.
      expect(await phaseShown(browser)).toBe('expired');
      expect((await liveStatus(browser, requestId)).phase).toBe('expired');
      const result = await browser.post('/sign-in/code', { otp });
      expect(pageText(result.html)).toContain('Your code has expired');
      expect(pageText(result.html)).not.toContain(SIGNED_IN);
      expect(await phaseShown(browser)).toBe('expired');
    } finally {
      server.clock.advance(-11 * 60_000);
    }
  });

  it('the passcode only works from the browser session that asked for it', async () => {
    const { browser, requestId } = await submit('jsmith', '1');
    await must(desk1, 'request:claim', { requestId });
    await verifyFully(desk1, requestId);
    const { otp } = await must(desk1, 'request:reveal', { requestId });
    // Another browser, even identified as the same user, has no request to enter it for.
    const impostor = await identify(server.url, 'jsmith');
    const stolen = await impostor.post('/sign-in/code', { otp });
    expect(stolen).toMatchObject({ status: 303, location: '/sign-in/method' });
    // Nor does the victim's flow cookie help in another browser session.
    impostor.cookies.set('hd_flow', browser.cookies.get('hd_flow') ?? '');
    expect(await impostor.post('/sign-in/code', { otp })).toMatchObject({
      status: 303,
      location: '/sign-in',
    });
    expect(server.app.requests.find(requestId)?.state).toBe('otp-issued');
    expect(pageText((await enterCode(browser, otp)).html)).toContain(SIGNED_IN);
  });

  it('a non-admin cannot read agents or change the realm', async () => {
    const before = server.app.realm.config;
    expect(
      await ask(desk1, 'config:update', {
        helpDesks: { '2': { ...before.helpDesks['2'], phone: '+15550000000' } },
      }),
    ).toEqual({
      error: expect.objectContaining({ code: 'forbidden' }),
    });
    expect(await ask(desk1, 'agents:list', {})).toEqual({
      error: expect.objectContaining({ code: 'forbidden' }),
    });
    expect(server.app.realm.config).toEqual(before);
  });

  it('bad payloads get a clear error and change nothing', async () => {
    const before = (await must(desk1, 'queue:list', {})).requests;
    for (const payload of [
      undefined,
      null,
      42,
      'x',
      { requestId: 5 },
      { requestId: 'short' },
      { requestId: 'a'.repeat(20), extra: 1 },
    ]) {
      const result = await ask(desk1, 'request:claim', payload);
      expect(result).toEqual({ error: expect.objectContaining({ code: 'bad-request' }) });
    }
    expect(await ask(desk1, 'request:deny', { requestId: 'a'.repeat(22), reason: '' })).toEqual({
      error: expect.objectContaining({
        code: 'bad-request',
        fields: expect.objectContaining({ reason: expect.any(String) }),
      }),
    });
    expect((await must(desk1, 'queue:list', {})).requests).toEqual(before);

    // The end-user's forms answer bad input next to the field, and change nothing either.
    const openBefore = server.app.requests.openRequests().length;
    const browser = new FormBrowser(server.url);
    await browser.get('/sign-in');
    const noName = await browser.post('/sign-in', { username: '' });
    expect(noName.status).toBe(422);
    expect(noName.html).toContain('id="username-error"');
    expect(pageText(noName.html)).toContain('Enter your username');
    await browser.post('/sign-in', { username: 'jsmith' });
    await browser.get('/sign-in/method');
    const noDesk = await browser.post('/sign-in/method', { desk: '3' });
    expect(noDesk.status).toBe(422);
    expect(noDesk.html).toContain('id="desk-error"');
    expect(pageText(noDesk.html)).toContain('Choose a help desk');
    const unreadable = await fetch(`${server.url}/sign-in/method`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: browser.cookieHeader() },
      body: '{"desk":',
    });
    expect(unreadable.status).toBe(400);
    expect(pageText(await unreadable.text())).toContain('The form could not be read');
    expect(server.app.requests.openRequests().length).toBe(openBefore);
  });

  it('a second request from the same browser supersedes the first', async () => {
    const first = await submit('rpatel', '2');
    const cancelled = nextEvent(
      desk2,
      'request:updated',
      (r) => r.id === first.requestId && r.state === 'cancelled',
    );
    await sendRequest(first.browser, '2');
    expect((await cancelled).closedReason).toMatch(/superseded/i);
  });
});
