// Authenticator apps for agents over the real server: the realm's rule, enrolment by QR code,
// sign-in with a code, refusal of everything else before enrolment, and an admin's reset.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { generateSync } from 'otplib';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditLog } from '../../server/store/embedded/audit-journal';
import type { LoginResult } from '../../server/contract/agents';
import type { WireError } from '../../server/contract/errors';
import { askForHelp } from '../support/sign-in-pages';
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

const TOTP_STEP_MS = 30_000;

let server: TestServer;
let admin: AgentSocket;
const sockets: AgentSocket[] = [];

beforeAll(async () => {
  server = await startTestServer();
  await seedRealm(server, [
    { username: 'root', displayName: 'Root', role: 'admin', desks: ['1', '2'] },
    { username: 'dave', displayName: 'Dave', role: 'agent', desks: ['1'] },
    { username: 'erin', displayName: 'Erin', role: 'agent', desks: ['1'] },
    { username: 'fay', displayName: 'Fay', role: 'agent', desks: ['2'] },
  ]);
  await server.app.realm.update({ workflow: 'username|second-factor' }, 'test');
  admin = await connectAgent(server.url, await login(server.url, 'root'));
});

afterAll(async () => {
  for (const socket of [admin, ...sockets]) socket.disconnect();
  await server.cleanup();
});

/** A code from the authenticator app, on the server's (test) clock. */
const codeFor = (secret: string) =>
  generateSync({ secret, epoch: Math.floor(server.clock.now() / 1000) });

/** The next 30-second step, so a code differs from the one used before. */
const nextStep = () => server.clock.advance(TOTP_STEP_MS);

async function signIn(
  username: string,
  totp?: string,
): Promise<{ status: number; data?: LoginResult; error?: WireError }> {
  const res = await fetch(`${server.url}/api/agent/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: PASSWORD, ...(totp ? { totp } : {}) }),
  });
  return {
    status: res.status,
    ...((await res.json()) as { data?: LoginResult; error?: WireError }),
  };
}

async function connect(token: string): Promise<AgentSocket> {
  const socket = await connectAgent(server.url, token);
  sockets.push(socket);
  return socket;
}

/** Connects and returns the `session:ready` the server sends first. */
async function connectWithInfo(token: string) {
  const socket: AgentSocket = io(`${server.url}/agent`, {
    auth: { token },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  sockets.push(socket);
  const info = await nextEvent(socket, 'session:ready');
  return { socket, info };
}

async function auditActions(): Promise<Array<{ actor: string; action: string; details: unknown }>> {
  const log = await readFile(path.join(server.dataDir, 'audit.jsonl'), 'utf8');
  return log
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { actor: string; action: string; details: unknown });
}

describe('the realm rule', () => {
  it('requires nothing of anyone by default', async () => {
    const answer = await signIn('dave');
    expect(answer.status).toBe(201);
    expect(answer.data?.mustEnrolTotp).toBe(false);
    const { info } = await connectWithInfo(answer.data!.token);
    expect(info.mustEnrolTotp).toBe(false);
  });

  it("'admins' requires an admin to enrol and leaves agents alone; a live session hears the change", async () => {
    const { socket: daveSocket } = await connectWithInfo(await login(server.url, 'dave'));
    const { socket: rootSocket } = await connectWithInfo(await login(server.url, 'root'));
    const rootHears = nextEvent(rootSocket, 'session:ready');
    const daveHears = nextEvent(daveSocket, 'session:ready');
    await must(admin, 'config:update', { agentTotp: 'admins' });
    expect((await rootHears).mustEnrolTotp).toBe(true);
    expect((await daveHears).mustEnrolTotp).toBe(false);
    expect((await signIn('root')).data?.mustEnrolTotp).toBe(true);
    expect((await signIn('dave')).data?.mustEnrolTotp).toBe(false);
    // The admin's own session now may only enrol, so the rule goes back from outside.
    expect(await ask(admin, 'config:update', { agentTotp: 'none' })).toEqual({
      error: expect.objectContaining({ code: 'totp-required' }),
    });
    await server.app.realm.update({ agentTotp: 'none' }, 'test');
  });
});

describe('an agent the realm requires who has not enrolled', () => {
  let socket: AgentSocket;
  let erinSecret = '';
  let confirmedWith = '';

  beforeAll(async () => {
    await server.app.realm.update({ agentTotp: 'everyone' }, 'test');
  });
  afterAll(async () => {
    await server.app.realm.update({ agentTotp: 'none' }, 'test');
  });

  it('signs in with the password alone, into a session marked as having to enrol', async () => {
    const answer = await signIn('erin');
    expect(answer.status).toBe(201);
    expect(answer.data).toMatchObject({ mustEnrolTotp: true, agent: { totpEnrolled: false } });
    const connected = await connectWithInfo(answer.data!.token);
    socket = connected.socket;
    expect(connected.info.mustEnrolTotp).toBe(true);
  });

  it('is refused every other event with totp-required, and nothing changes', async () => {
    const { requestId } = await askForHelp(server.url, 'jsmith', '1');
    for (const [event, payload] of [
      ['queue:list', {}],
      ['request:get', { requestId }],
      ['request:claim', { requestId }],
      ['config:get', {}],
      ['agents:list', {}],
    ] as const) {
      expect(await ask(socket, event, payload), event).toEqual({
        error: expect.objectContaining({ code: 'totp-required' }),
      });
    }
    expect(server.app.requests.find(requestId)?.state).toBe('queued');
  });

  it('enrols: a secret, its otpauth URI and a QR code; a wrong code is refused; the right one enrols', async () => {
    const enrolment = await must(socket, 'totp:begin', {});
    expect(enrolment.secret).toMatch(/^[A-Z2-7]{32,}$/);
    expect(enrolment.otpauthUri).toBe(
      `otpauth://totp/Help%20Desk%20OTP:erin?secret=${enrolment.secret}&issuer=Help%20Desk%20OTP`,
    );
    const png = Buffer.from(enrolment.qrDataUrl.replace(/^data:image\/png;base64,/, ''), 'base64');
    expect(enrolment.qrDataUrl).toMatch(/^data:image\/png;base64,/);
    expect(png.subarray(0, 8)).toEqual(
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    );
    // Not yet enrolled: the events stay refused until the app proves it has the secret.
    expect(await ask(socket, 'queue:list', {})).toEqual({
      error: expect.objectContaining({ code: 'totp-required' }),
    });

    const right = codeFor(enrolment.secret);
    const wrong = String((Number(right) + 500_000) % 1_000_000).padStart(6, '0');
    expect(await ask(socket, 'totp:confirm', { code: wrong })).toEqual({
      error: expect.objectContaining({ code: 'bad-request', fields: { code: expect.any(String) } }),
    });
    expect(await ask(socket, 'totp:confirm', { code: 'abc' })).toEqual({
      error: expect.objectContaining({ code: 'bad-request' }),
    });

    const refreshed = nextEvent(socket, 'session:ready');
    expect(await must(socket, 'totp:confirm', { code: right })).toEqual({ enrolled: true });
    expect((await refreshed).mustEnrolTotp).toBe(false);
    expect(await must(socket, 'queue:list', {})).toEqual({ requests: expect.any(Array) });
    expect(server.app.agents.list().find((a) => a.username === 'erin')?.totpEnrolled).toBe(true);
    erinSecret = enrolment.secret;
    confirmedWith = right;
  });

  it('then needs a valid code at every sign-in, and a code works only once', async () => {
    expect(await signIn('erin')).toMatchObject({
      status: 401,
      error: { code: 'totp-required' },
    });
    // The code that confirmed enrolment is spent: its 30-second step is refused from now on.
    expect(await signIn('erin', confirmedWith)).toMatchObject({
      status: 401,
      error: { code: 'unauthenticated' },
    });
    nextStep();
    const fresh = codeFor(erinSecret);
    const answer = await signIn('erin', fresh);
    expect(answer.status).toBe(201);
    expect(answer.data?.mustEnrolTotp).toBe(false);
    expect(await signIn('erin', fresh)).toMatchObject({ status: 401 });
    const { info } = await connectWithInfo(answer.data!.token);
    expect(info.mustEnrolTotp).toBe(false);
  });

  it('cannot enrol a second app over the first from a session', async () => {
    nextStep();
    const answer = await signIn('erin', codeFor(erinSecret));
    const erin = await connect(answer.data!.token);
    expect(await ask(erin, 'totp:begin', {})).toEqual({
      error: expect.objectContaining({ code: 'conflict' }),
    });
  });

  it('keeps a started enrolment across a server restart', async () => {
    const fayToken = (await signIn('fay')).data!.token;
    const fay = await connect(fayToken);
    const { secret } = await must(fay, 'totp:begin', {});
    fay.disconnect();
    admin.disconnect();
    await server.restart();
    admin = await connectAgent(server.url, await login(server.url, 'root'));
    const after = await connect(fayToken);
    expect(await must(after, 'totp:confirm', { code: codeFor(secret) })).toEqual({
      enrolled: true,
    });
  });
});

describe('an admin resetting an agent’s authenticator', () => {
  it('ends their sessions, is audited, and sends them back to enrolment', async () => {
    await server.app.realm.update({ agentTotp: 'everyone' }, 'test');
    const dave = server.app.agents.list().find((a) => a.username === 'dave')!;
    // The admin is required too now; an admin who has enrolled is the one who resets.
    const rootToken = (await signIn('root')).data!.token;
    const root = await connect(rootToken);
    const rootEnrolment = await must(root, 'totp:begin', {});
    await must(root, 'totp:confirm', { code: codeFor(rootEnrolment.secret) });

    const daveFirst = await connect((await signIn('dave')).data!.token);
    const { secret } = await must(daveFirst, 'totp:begin', {});
    await must(daveFirst, 'totp:confirm', { code: codeFor(secret) });
    nextStep();
    const daveSocket = await connect((await signIn('dave', codeFor(secret))).data!.token);
    const ended = nextEvent(daveSocket, 'session:ended');

    const reset = await must(root, 'agents:update', { id: dave.id, resetTotp: true });
    expect(reset.agent.totpEnrolled).toBe(false);
    expect(reset).not.toHaveProperty('password');
    expect((await ended).code).toBe('logged-out');

    const again = await signIn('dave');
    expect(again).toMatchObject({ status: 201, data: { mustEnrolTotp: true } });

    const entries = await auditActions();
    expect(entries).toContainEqual(
      expect.objectContaining({
        actor: 'agent:root',
        action: 'agent.totp-reset',
        details: { agent: 'dave', wasEnrolled: true },
      }),
    );
    await server.app.realm.update({ agentTotp: 'none' }, 'test');
  });

  it('is an admin power only', async () => {
    const erin = server.app.agents.list().find((a) => a.username === 'erin')!;
    const dave = await connect(await login(server.url, 'dave'));
    expect(await ask(dave, 'agents:update', { id: erin.id, resetTotp: true })).toEqual({
      error: expect.objectContaining({ code: 'forbidden' }),
    });
    expect(await ask(admin, 'agents:update', { id: erin.id, resetTotp: false })).toEqual({
      error: expect.objectContaining({ code: 'bad-request' }),
    });
  });
});

describe('the audit log', () => {
  it('records enrolment without ever holding a secret or a code, and its chain verifies', async () => {
    const entries = await auditActions();
    const actions = entries.map((e) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'agent.totp-enrolment-started',
        'agent.totp-confirm-failed',
        'agent.totp-enrolled',
        'agent.totp-reset',
      ]),
    );
    const log = await readFile(path.join(server.dataDir, 'audit.jsonl'), 'utf8');
    const agents = JSON.parse(await readFile(path.join(server.dataDir, 'agents.json'), 'utf8')) as {
      agents: Array<{ totpSecret?: string; pendingTotpSecret?: string }>;
    };
    const secrets = agents.agents.flatMap((a) =>
      [a.totpSecret, a.pendingTotpSecret].filter((s): s is string => s !== undefined),
    );
    expect(secrets.length).toBeGreaterThan(0);
    for (const secret of secrets) expect(log).not.toContain(secret);
    expect(log).not.toMatch(/"(code|totp|secret|otpauthUri|qrDataUrl)"/);
    expect(log).not.toContain('otpauth://');
    expect((await verifyAuditLog(path.join(server.dataDir, 'audit.jsonl'))).ok).toBe(true);
  });
});
