// /metrics over the real server: what it counts after a real request's life (claimed, revealed, a
// wrong passcode, signed in), refusals by the flood gate, sockets and store writes; that it is
// served only behind its token or on a port of its own; and that the Grafana dashboard in docs/
// names only metrics the server has.
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMetricsServer } from '../../server/metrics/metrics-endpoint';
import { askForHelp, enterCode } from '../support/sign-in-pages';
import type { AgentSocket, TestServer } from '../support/test-server';
import { connectAs, must, seedRealm, startTestServer } from '../support/test-server';
import { ROOT, runServer } from '../support/server-process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';

const TOKEN = 'metrics-token-0123456789abcdef';

let server: TestServer;
let alice: AgentSocket;

beforeAll(async () => {
  server = await startTestServer({ metricsToken: TOKEN });
  await seedRealm(
    server,
    [{ username: 'alice', displayName: 'Alice', role: 'agent', desks: ['1'] }],
    ['jsmith', 'mlee'],
  );
  await server.app.realm.update({ workflow: 'username|second-factor' }, 'test');
  alice = await connectAs(server.url, 'alice');
});

afterAll(async () => {
  alice?.disconnect();
  await server?.cleanup();
});

async function scrape(headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }) {
  return fetch(`${server.url}/metrics`, { headers });
}

/** The value of one sample (`name{labels}`) in an exposition, or undefined. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('/metrics', () => {
  it("counts a request's life: queue by desk and state, time to claim, reveal and sign-in, reveals per agent, wrong passcodes, closings, sockets and store writes", async () => {
    const { browser, requestId } = await askForHelp(server.url, 'jsmith', '1');
    let text = await (await scrape()).text();
    expect(sample(text, 'helpdesk_open_requests{desk="1",state="queued"}')).toBe(1);
    expect(sample(text, 'helpdesk_socket_connections{namespace="agent"}')).toBe(1);

    await must(alice, 'request:claim', { requestId });
    await must(alice, 'request:verify', { requestId, checkId: 'callback', note: 'Called back' });
    await must(alice, 'request:verify', { requestId, checkId: 'employee-id', note: 'Gave E1' });
    const { otp } = await must(alice, 'request:reveal', { requestId });
    text = await (await scrape()).text();
    expect(sample(text, 'helpdesk_open_requests{desk="1",state="queued"}')).toBe(0);
    expect(sample(text, 'helpdesk_open_requests{desk="1",state="otp-issued"}')).toBe(1);
    expect(sample(text, 'helpdesk_request_claim_seconds_count')).toBe(1);
    expect(sample(text, 'helpdesk_request_reveal_seconds_count')).toBe(1);
    expect(sample(text, 'helpdesk_reveals_total{agent="alice"}')).toBe(1);

    const wrong = otp === '00000000' ? '11111111' : '00000000';
    await enterCode(browser, wrong);
    await enterCode(browser, otp);
    text = await (await scrape()).text();
    expect(sample(text, 'helpdesk_wrong_passcodes_total')).toBe(1);
    expect(sample(text, 'helpdesk_request_complete_seconds_count')).toBe(1);
    expect(sample(text, 'helpdesk_requests_closed_total{desk="1",outcome="completed"}')).toBe(1);
    expect(sample(text, 'helpdesk_open_requests{desk="1",state="otp-issued"}')).toBeUndefined();
    expect(
      sample(text, 'helpdesk_store_write_seconds_count{operation="request-commit"}'),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sample(text, 'helpdesk_store_write_seconds_count{operation="request-change"}'),
    ).toBeGreaterThanOrEqual(5);
    expect(sample(text, 'helpdesk_outbox_messages{state="pending"}')).toBe(0);
    expect(text).toMatch(/^nodejs_eventloop_lag_p99_seconds \d/m);
    // Nothing secret rides along: not the passcode, not the token.
    expect(text).not.toContain(otp);
    expect(text).not.toContain(TOKEN);
  });

  it("counts the flood gate's refusals", async () => {
    const before = sample(
      await (await scrape()).text(),
      'helpdesk_rate_limit_refusals_total{limit="flood-gate"}',
    );
    let refused = 0;
    for (let i = 0; i < 400 && refused === 0; i++) {
      const res = await fetch(`${server.url}/sign-in`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'username=flood',
      });
      await res.arrayBuffer();
      if (res.status === 429 && res.headers.get('retry-after') !== null) refused++;
    }
    expect(refused).toBe(1);
    const after = sample(
      await (await scrape()).text(),
      'helpdesk_rate_limit_refusals_total{limit="flood-gate"}',
    );
    expect(after! - (before ?? 0)).toBeGreaterThanOrEqual(1);
  });

  it('answers only a bearer of its token: no token, a wrong one or a token in the query look like no such route', async () => {
    expect((await scrape({})).status).toBe(404);
    expect((await scrape({ authorization: 'Bearer wrong' })).status).toBe(404);
    expect((await scrape({ authorization: TOKEN })).status).toBe(404);
    expect((await fetch(`${server.url}/metrics?token=${TOKEN}`)).status).toBe(404);
    const res = await scrape();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('is served on a port of its own, /metrics and nothing else there', async () => {
    const own: Server = await startMetricsServer(server.app.metrics, {
      host: '127.0.0.1',
      port: 0,
    });
    try {
      const base = `http://127.0.0.1:${(own.address() as AddressInfo).port}`;
      const res = await fetch(`${base}/metrics`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('helpdesk_open_requests');
      expect((await fetch(`${base}/`)).status).toBe(404);
      expect((await fetch(`${base}/sign-in`)).status).toBe(404);
    } finally {
      await new Promise((resolve) => own.close(resolve));
    }
  });

  it('has every metric the Grafana dashboard in docs/ charts', async () => {
    const dashboard = readFileSync(path.join(ROOT, 'docs/grafana-dashboard.json'), 'utf8');
    const charted = new Set(
      [...dashboard.matchAll(/\b(helpdesk_[a-z_]+|nodejs_[a-z_0-9]+)/g)].map((m) =>
        m[1]!.replace(/_(bucket|count|sum)$/, ''),
      ),
    );
    expect(charted.size).toBeGreaterThanOrEqual(10);
    const text = await (await scrape()).text();
    const served = new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!));
    for (const name of charted) expect(served, name).toContain(name);
  });

  it('is configured at start: --metrics-port (printed) and METRICS_TOKEN from the environment', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'hdotp-metrics-'));
    const process = runServer(['--port', '0', '--data', dataDir, '--metrics-port', '0'], {
      METRICS_TOKEN: TOKEN,
    });
    try {
      const base = await process.ready;
      const metricsUrl = /metrics\s+(http:\/\/\S+\/metrics)/.exec(process.output())?.[1];
      expect(metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      expect((await fetch(metricsUrl!)).status).toBe(200);
      expect((await fetch(`${base}/metrics`)).status).toBe(404);
      const withToken = await fetch(`${base}/metrics`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      expect(await withToken.text()).toContain('helpdesk_open_requests');
      expect(process.output()).not.toContain(TOKEN);
    } finally {
      process.child.kill('SIGTERM');
      await process.exited;
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
