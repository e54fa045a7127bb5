// A per-address limit checked before express sees the request: under a flood, each refused request
// costs a map look-up and a short 429, not routing, body parsing and middleware.
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface FloodGateOptions {
  /** Which requests the gate counts, e.g. POST to the end-user submit route. */
  applies(method: string, path: string): boolean;
  limit: number;
  windowMs: number;
  /** As express's `trust proxy`: how many reverse proxies in front (true: all). */
  trustProxy: number | boolean;
  now?: () => number;
}

/** The client's address as express computes `req.ip` for a hop-count or boolean `trust proxy`. */
export function clientAddress(req: IncomingMessage, trustProxy: number | boolean): string {
  const socketAddress = req.socket.remoteAddress ?? '';
  if (trustProxy === false || trustProxy === 0) return socketAddress;
  const forwarded = String(req.headers['x-forwarded-for'] ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .reverse();
  const addresses = [socketAddress, ...forwarded];
  const hops = trustProxy === true ? addresses.length - 1 : trustProxy;
  return addresses[Math.min(hops, addresses.length - 1)]!;
}

/** Returns a handler that answers 429 and returns true, or returns false to let the app handle it. */
export function createFloodGate(
  options: FloodGateOptions,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const now = options.now ?? Date.now;
  const counts = new Map<string, number>();
  let windowStart = now();
  return (req, res) => {
    const path = (req.url ?? '').split('?')[0]!;
    if (!options.applies(req.method ?? 'GET', path)) return false;
    const at = now();
    if (at - windowStart >= options.windowMs) {
      counts.clear();
      windowStart = at;
    }
    const address = clientAddress(req, options.trustProxy);
    const count = (counts.get(address) ?? 0) + 1;
    counts.set(address, count);
    if (count <= options.limit) return false;
    const body = JSON.stringify({
      error: {
        code: 'rate-limited',
        message: 'Too many requests from here; wait a minute and try again.',
      },
    });
    res.writeHead(429, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(body),
      'Retry-After': String(Math.max(1, Math.ceil((windowStart + options.windowMs - at) / 1000))),
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-store',
    });
    res.end(body);
    return true;
  };
}
