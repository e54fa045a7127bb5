// Agent sessions and admin powers over the real server: login, logout, disabling, settings, origins, audit.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { io as connect } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditLog } from '../../server/store/embedded/audit-journal';
import { askForHelp, enterCode } from '../support/sign-in-pages';
import type { AgentSocket, TestServer } from '../support/test-server';
import {
  PASSWORD,
  ask,
  connectAgent,
  login,
  must,
  nextEvent,
  seedRealm,
  startTestServer,
} from '../support/test-server';

let server: TestServer;
let admin: AgentSocket;

beforeAll(async () => {
  server = await startTestServer();
  await seedRealm(server, [
    { username: 'root', displayName: 'Root', role: 'admin', desks: ['1', '2'] },
    { username: 'dave', displayName: 'Dave', role: 'agent', desks: ['1'] },
  ]);
  await server.app.realm.update({ workflow: 'username|second-factor' }, 'test');
  admin = await connectAgent(server.url, await login(server.url, 'root'));
});

afterAll(async () => {
  admin.disconnect();
  await server.cleanup();
});

const postLogin = (body: unknown) =>
  fetch(`${server.url}/api/agent/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('agent sign-in', () => {
  it('answers a wrong password and an unknown user alike', async () => {
    const wrong = await postLogin({ username: 'dave', password: 'not the password' });
    const unknown = await postLogin({ username: 'nobody', password: 'not the password' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(await wrong.json()).toEqual(await unknown.json());
  });

  it('rejects a malformed body with field errors', async () => {
    const res = await postLogin({ username: '', password: 5 });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { fields: Record<string, string> } };
    expect(Object.keys(body.error.fields)).toEqual(
      expect.arrayContaining(['username', 'password']),
    );
  });

  it('issues a 256-bit token that opens a socket, and logout closes that socket at once', async () => {
    const token = await login(server.url, 'dave');
    expect(Buffer.from(token, 'base64url').length).toBeGreaterThanOrEqual(16);
    const socket = await connectAgent(server.url, token);
    const ended = nextEvent(socket, 'session:ended');
    const closed = new Promise((resolve) => socket.once('disconnect', resolve));
    const res = await fetch(`${server.url}/api/agent/session`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(204);
    expect((await ended).code).toBe('logged-out');
    await closed;
    await expect(connectAgent(server.url, token)).rejects.toThrow(/unauthenticated/);
  });

  it('refuses a socket without a valid token, and one from a foreign origin', async () => {
    await expect(connectAgent(server.url, 'x'.repeat(43))).rejects.toThrow(/unauthenticated/);
    const token = await login(server.url, 'dave');
    const foreign = connect(`${server.url}/agent`, {
      auth: { token },
      transports: ['polling'],
      extraHeaders: { origin: 'https://evil.example' },
      reconnection: false,
      forceNew: true,
    });
    const error = await new Promise<Error>((resolve) => foreign.once('connect_error', resolve));
    expect(error.message).toMatch(/xhr poll error|origin/i);
    foreign.close();
  });
});

describe('admin powers', () => {
  it('updates a help desk and every agent hears of it', async () => {
    const dave = await connectAgent(server.url, await login(server.url, 'dave'));
    const heard = nextEvent(dave, 'config:updated');
    const current = await must(admin, 'config:get', {});
    const next = await must(admin, 'config:update', {
      helpDesks: {
        '2': { ...current.helpDesks['2'], phone: '+442079460000', name: 'London Desk' },
      },
    });
    expect(next.helpDesks['2']).toMatchObject({ phone: '+442079460000', name: 'London Desk' });
    expect(next.helpDesks['1']).toEqual(current.helpDesks['1']);
    expect((await heard).helpDesks['2'].phone).toBe('+442079460000');
    dave.disconnect();
  });

  it('rejects an invalid update with field errors and changes nothing', async () => {
    const before = await must(admin, 'config:get', {});
    const result = await ask(admin, 'config:update', {
      helpDesks: { '1': { enabled: true, name: '', phone: '555-1234', email: 'nope' } },
      otpPolicy: { length: 4, ttlMinutes: 0, maxAttempts: 5 },
    });
    expect(result).toEqual({
      error: expect.objectContaining({
        code: 'bad-request',
        fields: expect.objectContaining({
          'helpDesks.1.name': expect.any(String),
          'helpDesks.1.phone': expect.stringMatching(/international/i),
          'helpDesks.1.email': expect.any(String),
          'otpPolicy.length': expect.any(String),
          'otpPolicy.ttlMinutes': expect.any(String),
        }),
      }),
    });
    expect(await must(admin, 'config:get', {})).toEqual(before);
    const onDisk = JSON.parse(await readFile(path.join(server.dataDir, 'realm.json'), 'utf8'));
    expect(onDisk).toEqual(before);
  });

  it('creates an agent with a generated password, and disabling them ends their sockets', async () => {
    const created = await must(admin, 'agents:create', {
      username: 'erin',
      displayName: 'Erin',
      role: 'agent',
      desks: ['2'],
    });
    expect(created.password.length).toBeGreaterThanOrEqual(20);
    expect(created.agent).toMatchObject({ username: 'erin', desks: ['2'], enabled: true });
    const erin = await connectAgent(server.url, await login(server.url, 'erin', created.password));
    const ended = nextEvent(erin, 'session:ended');
    const closed = new Promise((resolve) => erin.once('disconnect', resolve));
    await must(admin, 'agents:update', { id: created.agent.id, enabled: false });
    expect((await ended).code).toBe('disabled');
    await closed;
    expect((await postLogin({ username: 'erin', password: created.password })).status).toBe(401);
    expect(
      await ask(admin, 'agents:create', {
        username: 'erin',
        displayName: 'Erin 2',
        role: 'agent',
        desks: [],
      }),
    ).toEqual({
      error: expect.objectContaining({ code: 'conflict' }),
    });
  });

  it("moving an agent to another desk moves their live socket to that desk's requests", async () => {
    const created = await must(admin, 'agents:create', {
      username: 'fay',
      displayName: 'Fay',
      role: 'agent',
      desks: ['1'],
    });
    const fay = await connectAgent(server.url, await login(server.url, 'fay', created.password));
    await must(admin, 'agents:update', { id: created.agent.id, desks: ['2'] });
    const arrives = nextEvent(fay, 'request:created', (r) => r.desk === '2');
    // Not jsmith: a request left open for them would contest the audit test's request below.
    await askForHelp(server.url, 'mlee', '2');
    expect((await arrives).desk).toBe('2');
    expect(await ask(fay, 'queue:list', { desk: '1' })).toEqual({ data: { requests: [] } });
    fay.disconnect();
  });

  it('an admin cannot lock themselves out', async () => {
    const root = server.app.agents.list().find((a) => a.username === 'root')!;
    expect(await ask(admin, 'agents:update', { id: root.id, enabled: false })).toEqual({
      error: expect.objectContaining({ code: 'forbidden' }),
    });
  });
});

describe('the audit log', () => {
  it('records the lifecycle, never holds a passcode or password, and its chain verifies', async () => {
    const { browser, requestId: id } = await askForHelp(server.url, 'jsmith', '1');
    await must(admin, 'request:claim', { requestId: id });
    await must(admin, 'request:verify', { requestId: id, checkId: 'callback', note: 'ok' });
    await must(admin, 'request:verify', { requestId: id, checkId: 'manager', note: 'ok' });
    const { otp } = await must(admin, 'request:reveal', { requestId: id });
    await enterCode(
      browser,
      '0'.repeat(otp.length) === otp ? '1'.repeat(otp.length) : '0'.repeat(otp.length),
    );
    await browser.submit('/sign-in/code', { otp });

    const log = await readFile(path.join(server.dataDir, 'audit.jsonl'), 'utf8');
    expect(log).not.toContain(otp);
    expect(log).not.toContain(PASSWORD);
    const actions = log
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { action: string; requestId?: string })
      .filter((e) => e.requestId === id)
      .map((e) => e.action);
    expect(actions).toEqual([
      'request.submitted',
      'request.claimed',
      'request.check-recorded',
      'request.check-recorded',
      'request.otp-revealed',
      'otp.wrong',
      'request.completed',
      'signin.completed',
    ]);
    expect(log).toContain('"action":"agent.login-failed"');
    expect(log).toContain('"action":"authz.denied"');
    expect(log).toContain('"action":"realm.updated"');
    const verdict = await verifyAuditLog(path.join(server.dataDir, 'audit.jsonl'));
    expect(verdict.ok).toBe(true);
  });
});
