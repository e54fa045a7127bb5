// The /enduser socket namespace: a browser session follows its own request live and can never see another.
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EndUserRequestStatus } from '../../server/contract/enduser';
import type { EndUserServerToClientEvents } from '../../server/realtime/enduser-namespace';
import type { AgentSocket, TestServer } from '../support/test-server';
import { connectAgent, login, must, seedRealm, startTestServer } from '../support/test-server';
import { FormBrowser, requestIdOn } from '../support/form-browser';

type StatusSocket = Socket<EndUserServerToClientEvents, Record<string, never>>;

let server: TestServer;
let agent: AgentSocket;
const sockets: StatusSocket[] = [];

beforeAll(async () => {
  server = await startTestServer();
  await seedRealm(
    server,
    [{ username: 'root', displayName: 'Root', role: 'admin', desks: ['1', '2'] }],
    ['live.one'],
  );
  await server.app.realm.update({ workflow: 'username|second-factor' }, 'test');
  agent = await connectAgent(server.url, await login(server.url, 'root'));
});

afterAll(async () => {
  sockets.forEach((s) => s.disconnect());
  agent?.disconnect();
  await server?.cleanup();
});

/** A browser with an open request; returns the browser and the request id its page follows. */
async function withRequest(username: string): Promise<{ browser: FormBrowser; requestId: string }> {
  const browser = new FormBrowser(server.url);
  await browser.get('/sign-in');
  await browser.post('/sign-in', { username });
  await browser.get('/sign-in/method');
  const page = await browser.submit('/sign-in/method', { desk: '1' });
  return { browser, requestId: requestIdOn(page.html) };
}

function follow(requestId: string, cookie: string | undefined): StatusSocket {
  const socket: StatusSocket = connect(`${server.url}/enduser`, {
    auth: { requestId },
    ...(cookie !== undefined ? { extraHeaders: { cookie } } : {}),
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  sockets.push(socket);
  return socket;
}

const refused = (socket: StatusSocket) =>
  new Promise<string>((resolve, reject) => {
    socket.once('connect_error', (error) => resolve(error.message));
    socket.once('connect', () => reject(new Error('the socket was admitted')));
  });

function statuses(socket: StatusSocket): EndUserRequestStatus[] {
  const seen: EndUserRequestStatus[] = [];
  socket.on('status', (s) => seen.push(s));
  return seen;
}

describe('the /enduser namespace', () => {
  it('sends the request status on connecting and after every change', async () => {
    const { browser, requestId } = await withRequest('live.one');
    const socket = follow(requestId, browser.cookieHeader());
    const seen = statuses(socket);
    await expect.poll(() => seen.map((s) => s.phase)).toEqual(['waiting']);
    expect(seen[0]).toMatchObject({ id: requestId, desk: { id: '1', name: 'IT Service Desk' } });

    await must(agent, 'request:claim', { requestId });
    await expect.poll(() => seen.map((s) => s.phase)).toEqual(['waiting', 'verifying']);
    await must(agent, 'request:verify', { requestId, checkId: 'callback', note: 'ok' });
    await must(agent, 'request:verify', { requestId, checkId: 'employee-id', note: 'ok' });
    await must(agent, 'request:reveal', { requestId });
    await expect.poll(() => seen.at(-1)?.phase).toBe('code-ready');
    expect(seen.at(-1)?.otpExpiresAt).toBeGreaterThan(Date.now());
    // The passcode never travels to the browser.
    expect(JSON.stringify(seen)).not.toMatch(/otp"\s*:\s*"\d/);
  });

  it("admits no socket for another session's request, an unknown id or no session at all", async () => {
    const { requestId } = await withRequest('owner.one');
    const stranger = new FormBrowser(server.url);
    await stranger.get('/sign-in');
    expect(await refused(follow(requestId, stranger.cookieHeader()))).toBe('not-found');
    expect(await refused(follow(requestId, undefined))).toBe('not-found');
    const { browser } = await withRequest('owner.two');
    expect(await refused(follow('x'.repeat(22), browser.cookieHeader()))).toBe('not-found');
  });

  it('never sends one request’s changes to a socket following another', async () => {
    const a = await withRequest('watcher.a');
    const b = await withRequest('watcher.b');
    const socketA = follow(a.requestId, a.browser.cookieHeader());
    const seenA = statuses(socketA);
    const socketB = follow(b.requestId, b.browser.cookieHeader());
    const seenB = statuses(socketB);
    await expect.poll(() => seenA.length + seenB.length).toBe(2);
    await must(agent, 'request:claim', { requestId: b.requestId });
    await expect.poll(() => seenB.at(-1)?.phase).toBe('verifying');
    // Give a stray broadcast time to arrive before checking nothing did.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(seenA.map((s) => s.id)).toEqual([a.requestId]);
    expect(seenB.every((s) => s.id === b.requestId)).toBe(true);
  });
});
