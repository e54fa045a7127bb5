// Where Prometheus reads the metrics, never on the public pages: a port of their own (bound to
// loopback or an internal interface by default), or `/metrics` on the main port behind a bearer
// token. Without either, nothing serves them.
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import type { ServerMetrics } from './server-metrics';

async function answer(metrics: ServerMetrics, res: ServerResponse) {
  const { contentType, body } = await metrics.exposition();
  res.writeHead(200, { 'Content-Type': contentType, 'Cache-Control': 'no-store' });
  res.end(body);
}

/** A server of its own that answers `GET /metrics` and nothing else. */
export async function startMetricsServer(
  metrics: ServerMetrics,
  options: { host: string; port: number },
): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found: ask for /metrics.\n');
      return;
    }
    answer(metrics, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return server;
}

const digest = (text: string) => createHash('sha256').update(text).digest();

/** `/metrics` on the main port for a caller with `Authorization: Bearer <token>`; 404 to anyone else. */
export function metricsRoute(metrics: ServerMetrics, token: string): RequestHandler {
  const expected = digest(token);
  return (req, res, next) => {
    const given = /^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1];
    // Compared as digests in constant time; a wrong or missing token looks like no such route.
    if (given === undefined || !timingSafeEqual(digest(given), expected)) return next();
    answer(metrics, res).catch(next);
  };
}
