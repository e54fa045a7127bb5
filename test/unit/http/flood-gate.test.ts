// The pre-express flood gate: counts per address and bucket per window, answers 429, respects trust proxy.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
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
