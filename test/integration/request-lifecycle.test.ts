// The whole request lifecycle over the real server: HTTP for the end-user, real sockets for agents.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EndUserRequestStatus, OtpSubmitResult } from '../../server/contract/enduser';
import type { AgentSocket, TestServer } from '../support/test-server';
import {
  EndUserClient,
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

async function submit(user: EndUserClient, username: string, desk: '1' | '2') {
  const res = await user.call<EndUserRequestStatus>('POST', '/api/enduser/requests', {
    username,
    desk,
  });
  expect(res.status).toBe(201);
  return res.body.data!;
}

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
    const user = new EndUserClient(server.url);
    const seenByDesk2 = nextEvent(desk2, 'request:created', (r) => r.username === 'jsmith');
    let desk1SawIt = false;
    const spy = (r: { username: string }) => {
      if (r.username === 'jsmith') desk1SawIt = true;
    };
    desk1.on('request:created', spy);

    const status = await submit(user, 'jsmith', '2');
    expect(status.phase).toBe('waiting');
    expect(status.reference).toMatch(/^[0-9A-Z]{3}-[0-9A-Z]{3}$/);
    expect(status.desk).toEqual({
      id: '2',
      name: 'Security Desk',
      phone: '+14155550199',
      email: 'sec@example.com',
    });

    const arrived = await seenByDesk2;
    expect(arrived).toMatchObject({
      id: status.id,
      reference: status.reference,
      state: 'queued',
      displayName: 'User jsmith',
      inDirectory: true,
    });
    const queue2 = await must(desk2, 'queue:list', {});
    expect(queue2.requests.map((r) => r.id)).toContain(status.id);
    const queue1 = await must(desk1, 'queue:list', {});
    expect(queue1.requests.map((r) => r.id)).not.toContain(status.id);

    const otherSeesClaim = nextEvent(
      desk2b,
      'request:updated',
      (r) => r.id === status.id && r.state === 'claimed',
    );
    const claimed = await must(desk2, 'request:claim', { requestId: status.id });
    expect(claimed.claimedBy?.username).toBe('bob');
    expect((await otherSeesClaim).claimedBy?.username).toBe('bob');
    expect(
      (await user.call<EndUserRequestStatus>('GET', `/api/enduser/requests/${status.id}`)).body.data
        ?.phase,
    ).toBe('verifying');

    const detail = await must(desk2, 'request:get', { requestId: status.id });
    // The default verification policy masks the employee ID (too short here to keep a tail).
    expect(detail.directory).toMatchObject({ employeeId: '••••••', phone: '+14155550111' });

    const verified = await verifyFully(desk2, status.id);
    expect(verified.state).toBe('verified');
    const { otp, expiresAt } = await must(desk2, 'request:reveal', { requestId: status.id });
    expect(otp).toMatch(/^\d{8}$/);
    expect(expiresAt).toBeGreaterThan(Date.now());
    expect(
      (await user.call<EndUserRequestStatus>('GET', `/api/enduser/requests/${status.id}`)).body.data
        ?.phase,
    ).toBe('code-ready');

    const done = nextEvent(
      desk2,
      'request:updated',
      (r) => r.id === status.id && r.state === 'completed',
    );
    const typed = `${otp.slice(0, 4)} ${otp.slice(4)}`;
    const result = await user.call<OtpSubmitResult>(
      'POST',
      `/api/enduser/requests/${status.id}/otp`,
      { otp: typed },
    );
    expect(result.body.data?.result).toBe('completed');
    expect((await done).state).toBe('completed');
    expect(desk1SawIt).toBe(false);
    desk1.off('request:created', spy);

    // The passcode works once: the request is closed and a second use is refused.
    const again = await user.call<OtpSubmitResult>(
      'POST',
      `/api/enduser/requests/${status.id}/otp`,
      { otp },
    );
    expect(again.status).toBe(409);
    expect((await must(desk2, 'queue:list', {})).requests.map((r) => r.id)).not.toContain(
      status.id,
    );
  });

  it('survives a server restart mid-lifecycle and carries on where it was', async () => {
    const user = new EndUserClient(server.url);
    const status = await submit(user, 'rpatel', '1');
    await must(desk1, 'request:claim', { requestId: status.id });
    await must(desk1, 'request:verify', {
      requestId: status.id,
      checkId: 'callback',
      note: 'called back',
    });

    sockets.forEach((s) => s.disconnect());
    sockets.length = 0;
    await server.restart();
    await connectAll();

    const queue = await must(desk1, 'queue:list', {});
    const kept = queue.requests.find((r) => r.id === status.id);
    expect(kept).toMatchObject({ state: 'claimed', claimedBy: { username: 'alice' } });
    expect(kept?.verification.map((v) => v.checkId)).toEqual(['callback']);

    await must(desk1, 'request:verify', {
      requestId: status.id,
      checkId: 'manager',
      note: 'manager said yes',
    });
    const { otp } = await must(desk1, 'request:reveal', { requestId: status.id });
    const result = await user.call<OtpSubmitResult>(
      'POST',
      `/api/enduser/requests/${status.id}/otp`,
      { otp },
    );
    expect(result.body.data?.result).toBe('completed');
  });
});

describe('refusals', () => {
  it('an agent cannot act on a request of a desk they do not staff', async () => {
    const status = await submit(new EndUserClient(server.url), 'mlee', '2');
    const claim = await ask(desk1, 'request:claim', { requestId: status.id });
    expect(claim).toEqual({ error: expect.objectContaining({ code: 'forbidden' }) });
    const get = await ask(desk1, 'request:get', { requestId: status.id });
    expect(get).toEqual({ error: expect.objectContaining({ code: 'not-found' }) });
  });

  it('only the claiming agent acts on a claimed request; an admin may take it over', async () => {
    const status = await submit(new EndUserClient(server.url), 'mlee', '2');
    await must(desk2, 'request:claim', { requestId: status.id });
    expect(await ask(desk2b, 'request:claim', { requestId: status.id })).toEqual({
      error: expect.objectContaining({ code: 'already-claimed' }),
    });
    expect(
      await ask(desk2b, 'request:verify', { requestId: status.id, checkId: 'callback', note: '' }),
    ).toEqual({
      error: expect.objectContaining({ code: 'not-claimed-by-you' }),
    });
    expect(await ask(desk2b, 'request:take-over', { requestId: status.id })).toEqual({
      error: expect.objectContaining({ code: 'forbidden' }),
    });
    const taken = await must(admin, 'request:take-over', { requestId: status.id });
    expect(taken.claimedBy?.username).toBe('root');
    expect(
      await ask(desk2, 'request:deny', { requestId: status.id, reason: 'not me any more' }),
    ).toEqual({
      error: expect.objectContaining({ code: 'not-claimed-by-you' }),
    });
    const denied = await must(admin, 'request:deny', {
      requestId: status.id,
      reason: 'Caller could not answer',
    });
    expect(denied.state).toBe('denied');
  });

  it('refuses to reveal before the verification policy is met', async () => {
    const status = await submit(new EndUserClient(server.url), 'agarcia', '1');
    await must(desk1, 'request:claim', { requestId: status.id });
    expect(await ask(desk1, 'request:reveal', { requestId: status.id })).toEqual({
      error: expect.objectContaining({ code: 'verification-incomplete' }),
    });
    // One check that is not the required callback is still not enough.
    await must(desk1, 'request:verify', {
      requestId: status.id,
      checkId: 'employee-id',
      note: 'E1',
    });
    await must(desk1, 'request:verify', { requestId: status.id, checkId: 'manager', note: 'ok' });
    const refused = await ask(desk1, 'request:reveal', { requestId: status.id });
    expect(refused).toEqual({
      error: expect.objectContaining({
        code: 'verification-incomplete',
        message: expect.stringContaining('callback'),
      }),
    });
    expect(
      await ask(desk1, 'request:verify', {
        requestId: status.id,
        checkId: 'palm-reading',
        note: '',
      }),
    ).toEqual({
      error: expect.objectContaining({ code: 'unknown-check' }),
    });
  });

  it('never reveals a passcode for a username that is not in the directory', async () => {
    const status = await submit(new EndUserClient(server.url), 'mallory', '1');
    const arrived = (await must(desk1, 'queue:list', {})).requests.find((r) => r.id === status.id);
    expect(arrived).toMatchObject({ inDirectory: false, displayName: '' });
    await must(desk1, 'request:claim', { requestId: status.id });
    await verifyFully(desk1, status.id);
    expect(await ask(desk1, 'request:reveal', { requestId: status.id })).toEqual({
      error: expect.objectContaining({ code: 'forbidden' }),
    });
  });

  it('a wrong passcode counts down, and too many lock the request', async () => {
    await server.app.realm.update(
      { otpPolicy: { length: 6, ttlMinutes: 10, maxAttempts: 3 } },
      'test',
    );
    const user = new EndUserClient(server.url);
    const status = await submit(user, 'tnguyen', '1');
    await must(desk1, 'request:claim', { requestId: status.id });
    await verifyFully(desk1, status.id);
    const { otp } = await must(desk1, 'request:reveal', { requestId: status.id });
    const wrong = otp === '000000' ? '111111' : '000000';
    const first = await user.call<OtpSubmitResult>(
      'POST',
      `/api/enduser/requests/${status.id}/otp`,
      { otp: wrong },
    );
    expect(first.body.data).toMatchObject({ result: 'wrong', attemptsLeft: 2 });
    await user.call('POST', `/api/enduser/requests/${status.id}/otp`, { otp: wrong });
    const locked = nextEvent(
      desk1,
      'request:updated',
      (r) => r.id === status.id && r.state === 'locked',
    );
    const third = await user.call<OtpSubmitResult>(
      'POST',
      `/api/enduser/requests/${status.id}/otp`,
      { otp: wrong },
    );
    expect(third.body.data?.result).toBe('locked');
    await locked;
    // Even the right code is useless now.
    const late = await user.call<OtpSubmitResult>(
      'POST',
      `/api/enduser/requests/${status.id}/otp`,
      { otp },
    );
    expect(late.body.data?.result).toBe('locked');
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
      const user = new EndUserClient(server.url);
      const guessTwice = async () => {
        const status = await submit(user, 'kwong', '1');
        await must(desk1, 'request:claim', { requestId: status.id });
        await verifyFully(desk1, status.id);
        const { otp } = await must(desk1, 'request:reveal', { requestId: status.id });
        const wrong = otp.replace(/\d$/, (d) => String((Number(d) + 1) % 10));
        return { id: status.id, wrong };
      };
      for (let round = 0; round < 2; round++) {
        const { id, wrong } = await guessTwice();
        await user.call('POST', `/api/enduser/requests/${id}/otp`, { otp: wrong });
        await user.call('POST', `/api/enduser/requests/${id}/otp`, { otp: wrong });
      }
      // Four wrong in 24 hours of a budget of six: this request allows two, not three.
      const { id, wrong } = await guessTwice();
      const status = await user.call<EndUserRequestStatus>('GET', `/api/enduser/requests/${id}`);
      expect(status.body.data?.attemptsLeft).toBe(2);
      const first = await user.call<OtpSubmitResult>('POST', `/api/enduser/requests/${id}/otp`, {
        otp: wrong,
      });
      expect(first.body.data).toMatchObject({ result: 'wrong', attemptsLeft: 1 });
      expect(first.body.data?.status.attemptsLeft).toBe(1);
    } finally {
      await server.app.realm.update({ otpPolicy: policy }, 'test');
    }
  });

  it('an expired passcode no longer signs in', async () => {
    const user = new EndUserClient(server.url);
    const status = await submit(user, 'tnguyen', '1');
    await must(desk1, 'request:claim', { requestId: status.id });
    await verifyFully(desk1, status.id);
    const { otp } = await must(desk1, 'request:reveal', { requestId: status.id });
    server.clock.advance(11 * 60_000);
    try {
      const result = await user.call<OtpSubmitResult>(
        'POST',
        `/api/enduser/requests/${status.id}/otp`,
        { otp },
      );
      expect(result.body.data?.result).toBe('expired');
      expect(result.body.data?.status.phase).toBe('expired');
    } finally {
      server.clock.advance(-11 * 60_000);
    }
  });

  it('the passcode only works from the browser session that asked for it', async () => {
    const user = new EndUserClient(server.url);
    const status = await submit(user, 'jsmith', '1');
    await must(desk1, 'request:claim', { requestId: status.id });
    await verifyFully(desk1, status.id);
    const { otp } = await must(desk1, 'request:reveal', { requestId: status.id });
    const impostor = new EndUserClient(server.url);
    const stolen = await impostor.call('POST', `/api/enduser/requests/${status.id}/otp`, { otp });
    expect(stolen.status).toBe(404);
    const own = await user.call<OtpSubmitResult>('POST', `/api/enduser/requests/${status.id}/otp`, {
      otp,
    });
    expect(own.body.data?.result).toBe('completed');
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

    const user = new EndUserClient(server.url);
    const bad = await user.call('POST', '/api/enduser/requests', { username: '', desk: '3' });
    expect(bad.status).toBe(400);
    expect(bad.body.error?.fields).toMatchObject({
      username: expect.any(String),
      desk: expect.any(String),
    });
    const notJson = await user.call('POST', '/api/enduser/requests', '{"username":');
    expect(notJson.status).toBe(400);
  });

  it('a second request from the same browser supersedes the first', async () => {
    const browser = new EndUserClient(server.url);
    const first = await submit(browser, 'rpatel', '2');
    const cancelled = nextEvent(
      desk2,
      'request:updated',
      (r) => r.id === first.id && r.state === 'cancelled',
    );
    await submit(browser, 'rpatel', '2');
    expect((await cancelled).closedReason).toMatch(/superseded/i);
  });
});

describe('the end-user API under a flood', () => {
  it('answers 429 to one address past its per-minute limit, before touching the request', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 35; i++) {
      const res = await new EndUserClient(server.url).call('POST', '/api/enduser/requests', {
        username: `flood${i}`,
        desk: '1',
      });
      statuses.push(res.status);
    }
    expect(statuses.filter((s) => s === 201).length).toBeLessThanOrEqual(30);
    expect(statuses.at(-1)).toBe(429);
    const refused = await new EndUserClient(server.url).call(
      'POST',
      '/api/enduser/requests',
      '{not json',
    );
    expect(refused).toEqual({
      status: 429,
      body: { error: expect.objectContaining({ code: 'rate-limited' }) },
    });
  });
});
