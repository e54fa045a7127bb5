// The pre-express flood gate: counts per address and bucket per window, answers 429, respects trust proxy.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SharedFloodCounts } from '../../../server/http/flood-gate';
import { clientAddress, createFloodGate } from '../../../server/http/flood-gate';

const request = (url: string, method = 'POST', forwarded?: string, remote = '10.0.0.9') =>
  ({
    url,
    method,
    headers: forwarded ? { 'x-forwarded-for': forwarded } : {},
    socket: { remoteAddress: remote },
  }) as unknown as IncomingMessage;

function response() {
  const sent: { status?: number; headers?: Record<string, unknown>; body?: string } = {};
  const res = {
    writeHead(status: number, headers: Record<string, unknown>) {
      sent.status = status;
      sent.headers = headers;
    },
    end(body: string) {
      sent.body = body;
    },
  } as unknown as ServerResponse;
  return { res, sent };
}

describe('the flood gate', () => {
  const make = (clock: { t: number }, trustProxy: number | boolean = false) =>
    createFloodGate({
      bucket: (method, path) =>
        method === 'POST' && (path === '/submit' || path === '/code') ? path : undefined,
      limit: 3,
      windowMs: 60_000,
      trustProxy,
      refusal: { contentType: 'text/html; charset=utf-8', body: '<p>Too many</p>' },
      now: () => clock.t,
    });

  it('lets the first requests of an address through and answers the rest 429 with Retry-After', () => {
    const clock = { t: 0 };
    const gate = make(clock);
    for (let i = 0; i < 3; i++) expect(gate(request('/submit'), response().res)).toBe(false);
    const { res, sent } = response();
    clock.t = 15_000;
    expect(gate(request('/submit?x=1'), res)).toBe(true);
    expect(sent.status).toBe(429);
    expect(sent.headers?.['Retry-After']).toBe('45');
    expect(sent.headers?.['Content-Type']).toBe('text/html; charset=utf-8');
    expect(String(sent.body)).toBe('<p>Too many</p>');
  });

  it('counts each address and bucket apart, ignores other routes, and starts afresh each window', () => {
    const clock = { t: 0 };
    const gate = make(clock);
    for (let i = 0; i < 3; i++) gate(request('/submit'), response().res);
    expect(gate(request('/submit', 'POST', undefined, '10.0.0.10'), response().res)).toBe(false);
    expect(gate(request('/code'), response().res)).toBe(false);
    expect(gate(request('/other'), response().res)).toBe(false);
    expect(gate(request('/submit', 'GET'), response().res)).toBe(false);
    clock.t = 60_000;
    expect(gate(request('/submit'), response().res)).toBe(false);
  });

  it('reads the client address as express does for its trust proxy setting', () => {
    const req = request('/submit', 'POST', '203.0.113.7, 198.51.100.2', '127.0.0.1');
    expect(clientAddress(req, false)).toBe('127.0.0.1');
    expect(clientAddress(req, 1)).toBe('198.51.100.2');
    expect(clientAddress(req, 2)).toBe('203.0.113.7');
    expect(clientAddress(req, 5)).toBe('203.0.113.7');
    expect(clientAddress(req, true)).toBe('203.0.113.7');
  });
});

describe('the flood gate shared by several processes', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  /** The shared totals of one window, as the database keeps them. */
  function sharedTotals() {
    const totals = new Map<string, number>();
    const exchanged: Array<ReadonlyMap<string, number>> = [];
    let failing = false;
    const counts: SharedFloodCounts = {
      async exchange(_windowStart, added, atLeast) {
        if (failing) throw new Error('the database is down');
        exchanged.push(new Map(added));
        for (const [key, n] of added) totals.set(key, (totals.get(key) ?? 0) + n);
        return new Map([...totals].filter(([key, total]) => added.has(key) || total >= atLeast));
      },
    };
    return {
      counts,
      totals,
      exchanged,
      fail: (on: boolean) => {
        failing = on;
      },
    };
  }

  const gateOn = (shared: SharedFloodCounts, onError: (error: unknown) => void = () => {}) =>
    createFloodGate({
      bucket: (method, path) => (method === 'POST' && path === '/submit' ? path : undefined),
      limit: 4,
      windowMs: 60_000,
      trustProxy: false,
      refusal: { contentType: 'text/html; charset=utf-8', body: '<p>Too many</p>' },
      now: () => 0,
      shared: { counts: shared, everyMs: 200, onError },
    });
  const pass = (gate: ReturnType<typeof gateOn>) => !gate(request('/submit'), response().res);

  it("refuses on its own count plus the others' counts it learnt at the last exchange", async () => {
    vi.useFakeTimers();
    const shared = sharedTotals();
    const [a, b] = [gateOn(shared.counts), gateOn(shared.counts)];
    expect([pass(a), pass(a), pass(a)]).toEqual([true, true, true]);
    // Before it has exchanged, b knows only its own count: the lag the gate allows.
    expect(pass(b)).toBe(true);
    await vi.advanceTimersByTimeAsync(200);
    expect(shared.totals.get('10.0.0.9 /submit')).toBe(4);
    // Four counted in all: b, which exchanged after a, knows it and refuses the next one…
    expect(pass(b)).toBe(false);
    // …and a knows it from its next exchange on.
    await vi.advanceTimersByTimeAsync(200);
    expect(pass(a)).toBe(false);
    a.stop();
    b.stop();
  });

  it('counts alone while the exchange fails, says so once, and sends what it counted once it works', async () => {
    vi.useFakeTimers();
    const shared = sharedTotals();
    const errors: unknown[] = [];
    const gate = gateOn(shared.counts, (error) => errors.push(error));
    shared.fail(true);
    expect([pass(gate), pass(gate)]).toEqual([true, true]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(errors).toHaveLength(1);
    expect([pass(gate), pass(gate), pass(gate)]).toEqual([true, true, false]);
    shared.fail(false);
    await vi.advanceTimersByTimeAsync(200);
    expect(shared.totals.get('10.0.0.9 /submit')).toBe(5);
    gate.stop();
  });

  it('does not exchange before it has counted anything, nor after it stops', async () => {
    vi.useFakeTimers();
    const shared = sharedTotals();
    const gate = gateOn(shared.counts);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(shared.exchanged).toEqual([]);
    pass(gate);
    gate.stop();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(shared.exchanged).toEqual([]);
  });
});
