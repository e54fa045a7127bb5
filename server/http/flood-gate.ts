// A per-address limit checked before express sees the request: under a flood, each refused request
// costs a map look-up and a short 429, not routing, body parsing and middleware.
//
// Several server processes (a cluster on one database) share the limit without a round trip per
// request: each counts locally and, every `everyMs` (~200 ms), adds what it counted to a shared
// total and reads back the others' counts of the keys it saw and of every key near the limit. The
// gate refuses on its own count plus the others' last known count. What that allows: the others'
// counts are up to one exchange old (~200 ms plus the query), so across N processes an address
// can get through by at most what the other N − 1 let through in that time beyond the limit; and
// while the database cannot be reached each process keeps its own count only (the limit is then
// per process, the refusal still cheap). Windows are fixed and aligned on the clock
// (`windowMs` multiples), so every process counts the same window.
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
  /** Counts shared with other server processes; without it the count is this process's alone. */
  shared?: {
    counts: SharedFloodCounts;
    /** How often counts are exchanged (default 200 ms). */
    everyMs?: number;
    /** Told once when an exchange fails after one succeeded (and the first time). */
    onError(error: unknown): void;
  };
}

/** Per-key counts summed over every process, for one window. */
export interface SharedFloodCounts {
  /**
   * Adds `added` (this process's counts since its last exchange, per key) to the window's shared
   * totals, and answers the totals of those keys and of every other key of the window whose total
   * is at least `atLeast`.
   */
  exchange(
    windowStart: number,
    added: ReadonlyMap<string, number>,
    atLeast: number,
  ): Promise<Map<string, number>>;
}

/** The gate: true when it answered (429), false to let the app handle the request. */
export interface FloodGate {
  (req: IncomingMessage, res: ServerResponse): boolean;
  /** Stops exchanging counts (a shared gate's timer). */
  stop(): void;
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
export function createFloodGate(options: FloodGateOptions): FloodGate {
  const now = options.now ?? Date.now;
  const { limit, windowMs } = options;
  const windowOf = (at: number) => at - (at % windowMs);
  /** This process's counts in the window. */
  const counts = new Map<string, number>();
  /** What the other processes had counted, per key, at the last exchange. */
  const others = new Map<string, number>();
  /** This process's counts not yet added to the shared totals… */
  let unsent = new Map<string, number>();
  /** …and those that were. */
  const sent = new Map<string, number>();
  const body = Buffer.from(options.refusal.body);
  let windowStart = windowOf(now());

  const startWindow = (at: number) => {
    if (at - windowStart < windowMs) return;
    counts.clear();
    others.clear();
    unsent = new Map();
    sent.clear();
    windowStart = windowOf(at);
  };

  let exchanging = false;
  let failing = false;
  const exchange = async (shared: NonNullable<FloodGateOptions['shared']>) => {
    startWindow(now());
    if (exchanging || counts.size === 0) return;
    exchanging = true;
    const window = windowStart;
    const adding = unsent;
    unsent = new Map();
    for (const [key, n] of adding) sent.set(key, (sent.get(key) ?? 0) + n);
    try {
      // Keys at half the limit or more are the ones whose others' counts can tip a refusal.
      const totals = await shared.counts.exchange(window, adding, Math.ceil(limit / 2));
      failing = false;
      if (window !== windowStart) return;
      for (const [key, total] of totals) others.set(key, Math.max(0, total - (sent.get(key) ?? 0)));
    } catch (error) {
      if (!failing) shared.onError(error);
      failing = true;
      if (window !== windowStart) return;
      // Not added after all: sent again with the next exchange.
      for (const [key, n] of adding) {
        sent.set(key, (sent.get(key) ?? 0) - n);
        unsent.set(key, (unsent.get(key) ?? 0) + n);
      }
    } finally {
      exchanging = false;
    }
  };
  const timer = options.shared
    ? setInterval(() => void exchange(options.shared!), options.shared.everyMs ?? 200)
    : undefined;
  timer?.unref();

  const gate = (req: IncomingMessage, res: ServerResponse): boolean => {
    const path = (req.url ?? '').split('?')[0]!;
    const bucket = options.bucket(req.method ?? 'GET', path);
    if (bucket === undefined) return false;
    const at = now();
    startWindow(at);
    const key = `${clientAddress(req, options.trustProxy)} ${bucket}`;
    const count = (counts.get(key) ?? 0) + 1;
    counts.set(key, count);
    if (timer) unsent.set(key, (unsent.get(key) ?? 0) + 1);
    if (count + (others.get(key) ?? 0) <= limit) return false;
    res.writeHead(429, {
      'Content-Type': options.refusal.contentType,
      'Content-Length': body.length,
      'Retry-After': String(Math.max(1, Math.ceil((windowStart + windowMs - at) / 1000))),
      'Content-Security-Policy': "default-src 'none'; style-src 'self'",
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-store',
    });
    res.end(body);
    return true;
  };
  return Object.assign(gate, { stop: () => clearInterval(timer) });
}
