// Crafted bodies and socket events: each gets a clear refusal — never a 500, never silence — and changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerHealth } from '../../server/contract/health';
import type { Logger } from '../../server/logger';
import { FormBrowser } from '../support/form-browser';
import { askForHelp } from '../support/sign-in-pages';
import type { AgentSocket, TestServer } from '../support/test-server';
import { connectAgent, login, seedRealm, startTestServer } from '../support/test-server';

const warnings: string[] = [];
const errors: string[] = [];
const logger: Logger = {
  info: () => {},
  warn: (message) => warnings.push(message),
  error: (message) => errors.push(message),
};

let server: TestServer;
let agent: AgentSocket;
let queuedRequestId: string;

beforeAll(async () => {
  server = await startTestServer({ logger });
  await seedRealm(server, [
    { username: 'alice', displayName: 'Alice', role: 'admin', desks: ['1', '2'] },
  ]);
  await server.app.realm.update({ workflow: 'username|second-factor' }, 'test');
  ({ requestId: queuedRequestId } = await askForHelp(server.url, 'jsmith', '1'));
  agent = await connectAgent(server.url, await login(server.url, 'alice'));
});

afterAll(async () => {
  agent?.disconnect();
  await server?.cleanup();
});

/** What the store holds, as /healthz counts it: any write shows here. */
async function storeCounts(): Promise<ServerHealth['storage']> {
  const res = await fetch(`${server.url}/healthz`);
  return ((await res.json()) as ServerHealth).storage;
}

/** Nested arrays as deep as a 16 KB body allows (the JSON parser's limit), around what the test adds. */
function deepArrays(room: number): string {
  const depth = Math.floor((16 * 1024 - room) / 2);
  return '['.repeat(depth) + ']'.repeat(depth);
}

/** A crafted value for a field, as JSON text. */
const CRAFTED: ReadonlyArray<readonly [label: string, json: string]> = [
  ['an object with toString', '{"toString":1}'],
  ['an object with toString and valueOf', '{"toString":{},"valueOf":{}}'],
  ['an array of strings', '["a","b"]'],
  ['arrays nested as deep as the body allows', deepArrays(100)],
  ['a number', '42'],
  ['null', 'null'],
  ['true', 'true'],
];

const postJson = (path: string, body: string, cookie?: string) =>
  fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
    body,
  });

async function expectBadRequest(res: Response, field?: string) {
  expect(res.status).toBe(400);
  const body = (await res.json()) as {
    error: { code: string; message: string; fields?: Record<string, string> };
  };
  expect(body.error.code).toBe('bad-request');
  expect(body.error.message).not.toBe('');
  if (field) expect(body.error.fields?.[field]).toBeTruthy();
}

describe('crafted JSON bodies on the JSON API', () => {
  it.each(CRAFTED)('POST /api/agent/session with a username that is %s: 400', async (_, value) => {
    const before = await storeCounts();
    await expectBadRequest(
      await postJson('/api/agent/session', `{"username":${value},"password":"x"}`),
      'username',
    );
    expect(await storeCounts()).toEqual(before);
  });

  it.each(CRAFTED)('POST /api/agent/session with a password that is %s: 400', async (_, value) => {
    const before = await storeCounts();
    await expectBadRequest(
      await postJson('/api/agent/session', `{"username":"alice","password":${value}}`),
      'password',
    );
    expect(await storeCounts()).toEqual(before);
  });

  it('a body that is only nesting, up to the size limit, is a 400 from the schema, not a parser 500', async () => {
    const path = '/api/agent/session';
    await expectBadRequest(await postJson(path, deepArrays(0)));
    await expectBadRequest(await postJson(path, `{"a":${deepArrays(10)}}`));
  });

  it('a body over the size limit is a 413 with the usual error body', async () => {
    const res = await postJson('/api/agent/session', `{"username":${deepArrays(-100)}}`);
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('bad-request');
  });

  it('nothing was logged as a server failure', () => {
    expect(errors).toEqual([]);
  });
});

describe('crafted bodies on the sign-in forms', () => {
  const FORM_POSTS = [
    '/sign-in',
    '/sign-in/restart',
    '/sign-in/method',
    '/sign-in/cancel',
    '/sign-in/code',
    '/sign-in/password',
  ];
  const FIELDS = ['username', 'password', 'desk', 'otp', 'forget', '_csrf'];

  it('without a valid CSRF token every crafted body is refused with the 403 page', async () => {
    const before = await storeCounts();
    const browser = new FormBrowser(server.url);
    await browser.get('/sign-in');
    for (const path of FORM_POSTS) {
      for (const [label, value] of CRAFTED) {
        for (const field of FIELDS) {
          for (const cookie of [undefined, browser.cookieHeader()]) {
            const res = await postJson(path, `{"${field}":${value}}`, cookie);
            expect(res.status, `${path} ${field}: ${label}`).toBe(403);
            expect(res.headers.get('content-type')).toMatch(/^text\/html/);
          }
        }
      }
      // Repeated fields in a form arrive as arrays.
      const res = await fetch(`${server.url}${path}`, {
        method: 'POST',
        redirect: 'manual',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          cookie: browser.cookieHeader(),
        },
        body: `_csrf=${browser.csrf}&_csrf=${browser.csrf}&username=a&username=b`,
      });
      expect(res.status).toBe(403);
    }
    expect(await storeCounts()).toEqual(before);
  });

  it('with a valid CSRF token, a crafted username is the 422 page, as JSON or as a form', async () => {
    const before = await storeCounts();
    const browser = new FormBrowser(server.url);
    await browser.get('/sign-in');
    for (const [label, value] of CRAFTED) {
      const res = await postJson(
        '/sign-in',
        `{"_csrf":"${browser.csrf}","username":${value}}`,
        browser.cookieHeader(),
      );
      expect(res.status, label).toBe(422);
      expect(await res.text()).toContain('Enter your username');
    }
    const repeated = await fetch(`${server.url}/sign-in`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        cookie: browser.cookieHeader(),
      },
      body: `_csrf=${browser.csrf}&username=a&username=b`,
    });
    expect(repeated.status).toBe(422);
    expect(await storeCounts()).toEqual(before);
  });

  it('with a valid CSRF token, a crafted desk or code is the 422 page', async () => {
    const browser = new FormBrowser(server.url);
    await browser.get('/sign-in');
    expect((await browser.post('/sign-in', { username: 'crafty' })).status).toBe(303);
    const before = await storeCounts();
    for (const [label, value] of CRAFTED) {
      const res = await postJson(
        '/sign-in/method',
        `{"_csrf":"${browser.csrf}","desk":${value}}`,
        browser.cookieHeader(),
      );
      expect(res.status, label).toBe(422);
    }
    expect(await storeCounts()).toEqual(before);

    expect((await browser.post('/sign-in/method', { desk: '1' })).status).toBe(303);
    const afterRequest = await storeCounts();
    for (const [label, value] of CRAFTED) {
      const res = await postJson(
        '/sign-in/code',
        `{"_csrf":"${browser.csrf}","otp":${value}}`,
        browser.cookieHeader(),
      );
      expect(res.status, label).toBe(422);
    }
    expect(await storeCounts()).toEqual(afterRequest);
  });

  it('nothing was logged as a server failure', () => {
    expect(errors).toEqual([]);
  });
});

describe('socket events sent oddly', () => {
  type Ack = { data?: unknown; error?: { code: string; message: string } };
  /** Emits with whatever arguments, the acknowledgement last; rejects when no answer comes. */
  const emitRaw = (event: string, ...args: unknown[]): Promise<Ack> =>
    (
      agent.timeout(3_000) as unknown as {
        emitWithAck: (event: string, ...args: unknown[]) => Promise<Ack>;
      }
    ).emitWithAck(event, ...args);

  const stillQueued = () => {
    const request = server.app.requests.find(queuedRequestId);
    expect(request?.state).toBe('queued');
  };

  it('an event without a payload is answered: bad-request where a payload is needed', async () => {
    const before = await storeCounts();
    const answer = await emitRaw('request:claim');
    expect(answer.error?.code).toBe('bad-request');
    expect(answer.error?.message).toMatch(/needs a payload/);
    stillQueued();
    expect(await storeCounts()).toEqual(before);
  });

  it('an event without a payload is served where the event needs none', async () => {
    const answer = await emitRaw('config:get');
    expect(answer.error).toBeUndefined();
    expect(answer.data).toMatchObject({ workflow: 'username|second-factor' });
  });

  it('an event with more than one payload is refused, and does not act on the first', async () => {
    const before = await storeCounts();
    for (const extra of [{}, { requestId: queuedRequestId }, 'x', null]) {
      const answer = await emitRaw('request:claim', { requestId: queuedRequestId }, extra);
      expect(answer.error?.code).toBe('bad-request');
      expect(answer.error?.message).toMatch(/one payload/);
    }
    const answer = await emitRaw('config:get', {}, {}, {});
    expect(answer.error?.code).toBe('bad-request');
    stillQueued();
    expect(await storeCounts()).toEqual(before);
  });

  it.each([
    ['a number', 42],
    ['a string', 'request'],
    ['an array', [{ requestId: 'x' }]],
    ['true', true],
    // As deep as socket.io-client's encoder can send.
    ['arrays nested 1,000 deep', JSON.parse('['.repeat(1_000) + ']'.repeat(1_000)) as unknown],
  ])('an event whose payload is %s is answered with bad-request', async (_label, payload) => {
    const before = await storeCounts();
    const answer = await emitRaw('request:claim', payload);
    expect(answer.error?.code).toBe('bad-request');
    stillQueued();
    expect(await storeCounts()).toEqual(before);
  });

  it('an unknown event is answered with bad-request naming it', async () => {
    const before = await storeCounts();
    for (const name of ['request:delete', 'toString', '__proto__', 'error']) {
      const answer = await emitRaw(name, { requestId: queuedRequestId });
      expect(answer.error?.code).toBe('bad-request');
      expect(answer.error?.message).toContain(`Unknown event "${name}"`);
    }
    const bare = await emitRaw('request:destroy');
    expect(bare.error?.message).toContain('Unknown event "request:destroy"');
    stillQueued();
    expect(await storeCounts()).toEqual(before);
  });

  it('an event with no acknowledgement is dropped, and the warning names only the event', async () => {
    const before = await storeCounts();
    warnings.length = 0;
    const emit = (agent as unknown as { emit: (...args: unknown[]) => void }).emit.bind(agent);
    emit('request:claim', { requestId: queuedRequestId });
    emit('totp:confirm', { code: '123456' });
    emit('no:such-event', {});
    // Events are handled in order: once this one is answered, the ones before it were seen.
    expect((await emitRaw('config:get', {})).error).toBeUndefined();
    stillQueued();
    expect(await storeCounts()).toEqual(before);
    expect(warnings).toContain(
      'agent event request:claim sent without an acknowledgement; dropped',
    );
    expect(warnings).toContain('agent event totp:confirm sent without an acknowledgement; dropped');
    expect(warnings.join('\n')).not.toContain(queuedRequestId);
    expect(warnings.join('\n')).not.toContain('123456');
    expect(warnings.join('\n')).not.toContain('no:such-event');
  });

  it('the socket still works normally afterwards', async () => {
    const answer = await emitRaw('queue:list', {});
    expect(answer.data).toMatchObject({
      requests: expect.arrayContaining([expect.objectContaining({ id: queuedRequestId })]),
    });
    expect(errors).toEqual([]);
  });
});
