// The console's link to the server answers each request from socket.io's own acknowledgement: the
// data, the server's refusal, or a clear error when no answer comes (socket.io-client stands in).
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AgentLinkHandlers } from '../../renderer/src/lib/socket';
import { ACK_TIMEOUT_MS, WireRequestError, connectAgent } from '../../renderer/src/lib/socket';

/** Just what the link uses of a socket.io-client socket; `answer` plays the server. */
class FakeSocket {
  connected = true;
  active = true;
  ackTimeout: number | undefined;
  emitted: Array<{ event: string; payload: unknown }> = [];
  answer: (event: string) => Promise<unknown> = () => Promise.resolve({ data: null });

  on() {
    return this;
  }
  timeout(ms: number) {
    this.ackTimeout = ms;
    return this;
  }
  emitWithAck(event: string, payload: unknown) {
    this.emitted.push({ event, payload });
    return this.answer(event);
  }
  connect() {}
  disconnect() {
    this.connected = false;
  }
}

const sockets = vi.hoisted(() => [] as unknown[]);
vi.mock('socket.io-client', () => ({
  io: () => {
    const socket = new FakeSocket();
    sockets.push(socket);
    return socket;
  },
}));

const ignore = () => undefined;
const handlers: AgentLinkHandlers = {
  status: ignore,
  sessionReady: ignore,
  requestCreated: ignore,
  requestUpdated: ignore,
  approvalRequested: ignore,
  configUpdated: ignore,
  directoryStatus: ignore,
  alertRaised: ignore,
  mailStatus: ignore,
  sessionEnded: ignore,
  rejected: ignore,
};

function connected() {
  const link = connectAgent('http://console.test', 'token', handlers);
  return { link, socket: sockets.at(-1) as FakeSocket };
}

/** What a request rejected with. */
async function refusal(promise: Promise<unknown>): Promise<WireRequestError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WireRequestError);
  return error as WireRequestError;
}

afterEach(() => {
  sockets.length = 0;
});

describe('a request over the link', () => {
  it("resolves with the ack's data, waiting at most the ack timeout", async () => {
    const { link, socket } = connected();
    socket.answer = () => Promise.resolve({ data: { requests: [] } });
    await expect(link.request('queue:list', {})).resolves.toEqual({ requests: [] });
    expect(socket.emitted).toEqual([{ event: 'queue:list', payload: {} }]);
    expect(socket.ackTimeout).toBe(ACK_TIMEOUT_MS);
  });

  it("rejects with the server's refusal: its code, message and field messages", async () => {
    const { link, socket } = connected();
    socket.answer = () =>
      Promise.resolve({
        error: { code: 'bad-request', message: 'Not valid', fields: { reason: 'Too short' } },
      });
    const error = await refusal(link.request('request:deny', { requestId: 'r1', reason: 'x' }));
    expect(error).toMatchObject({
      code: 'bad-request',
      message: 'Not valid',
      fields: { reason: 'Too short' },
    });
  });

  it('says the server did not answer when the ack timer runs out', async () => {
    const { link, socket } = connected();
    socket.answer = () => Promise.reject(new Error('operation has timed out'));
    const error = await refusal(link.request('queue:list', {}));
    expect(error.code).toBe('timeout');
    expect(error.message).toBe('The server did not answer in time.');
  });

  it('says the connection dropped when it goes before the answer comes', async () => {
    const { link, socket } = connected();
    socket.answer = () => {
      socket.connected = false;
      return Promise.reject(new Error('socket has been disconnected'));
    };
    const error = await refusal(link.request('queue:list', {}));
    expect(error.code).toBe('offline');
    expect(error.message).toMatch(/connection dropped before the server answered/);
  });

  it('sends nothing while not connected', async () => {
    const { link, socket } = connected();
    socket.connected = false;
    const error = await refusal(link.request('queue:list', {}));
    expect(error.code).toBe('offline');
    expect(socket.emitted).toEqual([]);
  });

  it('turns an answer it does not understand into a clear error', async () => {
    const { link, socket } = connected();
    socket.answer = () => Promise.resolve(undefined);
    const error = await refusal(link.request('queue:list', {}));
    expect(error).toMatchObject({
      code: 'internal',
      message: 'The server gave an answer the console does not understand.',
    });
  });
});
