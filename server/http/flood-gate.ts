// A per-address limit checked before express sees the request: under a flood, each refused request
// costs a map look-up and a short 429, not routing, body parsing and middleware.
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface FloodGateOptions {
  /**
   * Which counter a request spends from, e.g. the path of a sign-in form post; undefined lets it
   * through uncounted. Keep the set of answers small: each is counted apart per address.
   */
  bucket(method: string, path: string): string | undefined;
  limit: number;
  windowMs: number;
  /** As express's `trust proxy`: how many reverse proxies in front (true: all). */
  trustProxy: number | boolean;
  /** The 429's body, built once. */
  refusal: { contentType: string; body: string };
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
  const body = Buffer.from(options.refusal.body);
  let windowStart = now();
  return (req, res) => {
    const path = (req.url ?? '').split('?')[0]!;
    const bucket = options.bucket(req.method ?? 'GET', path);
    if (bucket === undefined) return false;
    const at = now();
    if (at - windowStart >= options.windowMs) {
      counts.clear();
      windowStart = at;
    }
    const key = `${clientAddress(req, options.trustProxy)} ${bucket}`;
    const count = (counts.get(key) ?? 0) + 1;
    counts.set(key, count);
    if (count <= options.limit) return false;
    res.writeHead(429, {
      'Content-Type': options.refusal.contentType,
      'Content-Length': body.length,
      'Retry-After': String(Math.max(1, Math.ceil((windowStart + options.windowMs - at) / 1000))),
      'Content-Security-Policy': "default-src 'none'; style-src 'self'",
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-store',
    });
    res.end(body);
    return true;
  };
}
