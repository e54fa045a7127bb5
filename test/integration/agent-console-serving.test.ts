// The agent console at /agent over the real server: index and assets with the right caching, a
// redirect to the trailing slash, a clear 503 until it is built, and /healthz's contract.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerHealthSchema } from '../../server/contract/health';
import { NOT_BUILT_MESSAGE } from '../../server/http/agent-console';
import type { TestServer } from '../support/test-server';
import { startTestServer } from '../support/test-server';

const INDEX_HTML =
  '<!doctype html><title>console</title><script type="module" src="./assets/index-Bx1a2b3c.js"></script>';
const ASSET_JS = 'console.log("hashed asset");';

let server: TestServer;
let consoleDir: string;

beforeAll(async () => {
  consoleDir = await mkdtemp(path.join(tmpdir(), 'hdotp-console-'));
  server = await startTestServer({ agentConsoleDir: consoleDir });
});

afterAll(async () => {
  await server.cleanup();
  await rm(consoleDir, { recursive: true, force: true });
});

const get = (url: string, init: RequestInit = {}) =>
  fetch(`${server.url}${url}`, { redirect: 'manual', ...init });

/**
 * A request sent exactly as written: fetch would resolve `..` first, and adds
 * `Cache-Control: no-cache` to a conditional request, which rules out a 304.
 */
function rawGet(
  pathname: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${server.url}${pathname}`, { method: 'GET', headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('before the console is built', () => {
  it('answers 503 with a page that says how to build it', async () => {
    for (const url of ['/agent/', '/agent/index.html', '/agent/assets/index-Bx1a2b3c.js']) {
      const res = await get(url);
      expect(res.status, url).toBe(503);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(await res.text()).toContain(NOT_BUILT_MESSAGE);
    }
  });

  it('still redirects /agent to /agent/', async () => {
    const res = await get('/agent');
    expect(res.status).toBe(301);
    expect(res.headers.get('location')).toBe('/agent/');
  });
});

describe('once the console is built', () => {
  beforeAll(async () => {
    // Built while the server runs: it is served without a restart.
    await mkdir(path.join(consoleDir, 'assets'));
    await writeFile(path.join(consoleDir, 'assets', 'index-Bx1a2b3c.js'), ASSET_JS);
    await writeFile(path.join(consoleDir, 'robots.txt'), 'User-agent: *\nDisallow: /\n');
    await writeFile(path.join(consoleDir, 'index.html'), INDEX_HTML);
  });

  it('redirects /agent to /agent/, keeping the query', async () => {
    const res = await get('/agent?server=x');
    expect(res.status).toBe(301);
    expect(res.headers.get('location')).toBe('/agent/?server=x');
  });

  it('serves index.html at /agent/, revalidated on every load, under the server CSP', async () => {
    for (const url of ['/agent/', '/agent/index.html']) {
      const res = await get(url);
      expect(res.status, url).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.headers.get('cache-control')).toBe('no-cache');
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("connect-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("img-src 'self' data:");
      expect(await res.text()).toBe(INDEX_HTML);
    }
  });

  it('answers a conditional request for index.html with 304', async () => {
    const first = await get('/agent/');
    const etag = first.headers.get('etag');
    expect(etag).toBeTruthy();
    expect((await rawGet('/agent/', { 'if-none-match': etag! })).status).toBe(304);
  });

  it('serves hashed assets as immutable, and other files revalidated', async () => {
    const asset = await get('/agent/assets/index-Bx1a2b3c.js');
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await asset.text()).toBe(ASSET_JS);
    const other = await get('/agent/robots.txt');
    expect(other.status).toBe(200);
    expect(other.headers.get('cache-control')).toBe('no-cache');
  });

  it('answers HEAD like GET, without a body', async () => {
    const res = await get('/agent/', { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
  });

  it('does not invent files, and never serves one from outside its folder', async () => {
    expect((await get('/agent/assets/missing.js')).status).toBe(404);
    expect((await get('/agent/queue/123')).status).toBe(404);
    for (const pathname of [
      '/agent/../package.json',
      '/agent/%2e%2e/package.json',
      '/agent/assets/%2e%2e%2f%2e%2e%2fpackage.json',
    ]) {
      const res = await rawGet(pathname);
      expect(res.status, pathname).not.toBe(200);
      expect(res.body, pathname).not.toContain('"dependencies"');
    }
  });

  it('does not take other methods', async () => {
    const res = await get('/agent/', { method: 'POST' });
    expect(res.status).toBe(404);
  });
});

describe('/healthz', () => {
  it('names the product and answers to the contract the console parses', async () => {
    const res = await get('/healthz');
    expect(res.status).toBe(200);
    const health = ServerHealthSchema.parse(await res.json());
    expect(health).toMatchObject({
      product: 'Help Desk OTP',
      status: 'ok',
      version: 'test',
      storage: { kind: 'embedded', status: 'ok' },
    });
  });
});
