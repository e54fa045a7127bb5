// Validate → persist → answer → broadcast: a caller hears the answer to its call before the live
// event its change caused, on the same socket, for every kind of change.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentSocket, TestServer } from '../support/test-server';
import { connectAgent, login, must, seedRealm, startTestServer } from '../support/test-server';

let server: TestServer;
let alice: AgentSocket;
let root: AgentSocket;
let sequence = 0;

beforeAll(async () => {
  server = await startTestServer();
  await seedRealm(
    server,
    [
      { username: 'alice', displayName: 'Alice', role: 'agent', desks: ['1'] },
      { username: 'root', displayName: 'Root', role: 'admin', desks: ['1', '2'] },
    ],
    ['jsmith', 'rpatel', 'mlee'],
  );
  alice = await connectAgent(server.url, await login(server.url, 'alice'));
  root = await connectAgent(server.url, await login(server.url, 'root'));
});

afterAll(async () => {
  alice?.disconnect();
  root?.disconnect();
  await server.cleanup();
});

async function submit(username: string) {
  return server.app.requests.submit({
    username,
    desk: '1',
    sessionSecret: `browser-${username}-${++sequence}`.padEnd(43, 'x'),
    origin: { ip: '127.0.0.1', userAgent: 'order-of-effects test' },
  });
}

/**
 * What the socket hears, in arrival order, when it sends `event`: the answer and the named events.
 * Both are noted in the callbacks socket.io calls as each packet arrives (a promise would note the
 * answer a microtask late, behind an event that arrived in the same read).
 */
async function arrivals(
  socket: AgentSocket,
  listen: string[],
  event: string,
  payload: unknown,
): Promise<string[]> {
  const heard: string[] = [];
  const listeners = listen.map((name) => {
    const listener = () => heard.push(name);
    socket.on(name as never, listener as never);
    return () => socket.off(name as never, listener as never);
  });
  try {
    const answer = await new Promise<{ error?: unknown }>((resolve) => {
      (socket.emit as (...args: unknown[]) => void)(
        event,
        payload,
        (result: { error?: unknown }) => {
          heard.push('answer');
          resolve(result);
        },
      );
    });
    expect(answer.error).toBeUndefined();
    // Whatever the change broadcast has arrived by the time a round trip after it has.
    await must(socket, 'queue:list', {});
    return heard;
  } finally {
    listeners.forEach((off) => off());
  }
}

describe('the order of effects', () => {
  it('answers a claim before broadcasting it to the desk, the claimant included', async () => {
    const request = await submit('jsmith');
    const heard = await arrivals(alice, ['request:updated'], 'request:claim', {
      requestId: request.id,
    });
    expect(heard).toEqual(['answer', 'request:updated']);
  });

  it('answers every lifecycle step before its broadcast', async () => {
    const request = await submit('rpatel');
    await must(alice, 'request:claim', { requestId: request.id });
    const heard = await arrivals(alice, ['request:updated'], 'request:deny', {
      requestId: request.id,
      reason: 'caller could not verify',
    });
    expect(heard).toEqual(['answer', 'request:updated']);
  });

  it('answers a settings change before telling every console', async () => {
    const heard = await arrivals(root, ['config:updated'], 'config:update', { name: 'Order Test' });
    expect(heard).toEqual(['answer', 'config:updated']);
  });
});
