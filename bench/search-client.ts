// An admin in another console, in its own process: one socket running History and Audit searches
// back to back (varied filters, each asked for its first page, then a page deep into its results,
// then its last page) until told to stop on stdin, then printing each search's time as JSON.
// Arguments: the server's URL, the admin's session token, the history's plan (JSON), a seed.
import { createInterface } from 'node:readline';
import { io } from 'socket.io-client';
import type { AckResult } from '../server/contract/errors';
import type {
  AuditPage,
  AuditSearch,
  HistoryPage,
  HistorySearch,
} from '../server/contract/history';
import { CLOSED_STATES } from '../server/domain/request-states';
import { generatedReference, type HistoryPlan } from '../test/support/history-data-dir';

export interface SearchSample {
  kind: 'history' | 'audit';
  /** Milliseconds from the emit to its acknowledgement. */
  ms: number;
  offset: number;
  total: number;
}

export interface SearchClientOutput {
  samples: SearchSample[];
  failed: number;
  /** The first few failures' messages. */
  failures: string[];
  /** Milliseconds from the first search to the end of the last. */
  durationMs: number;
}

const [url, token, planJson, seedText] = process.argv.slice(2);
const plan = JSON.parse(planJson!) as HistoryPlan;
const LIMIT = 50;
const DAY = 86_400_000;

/** mulberry32: the same searches for the same seed. */
let state = Number(seedText ?? 1) >>> 0;
function random(): number {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
}
const below = (n: number) => Math.floor(random() * n);
const pick = <T>(xs: readonly T[]): T => xs[below(xs.length)]!;

const agents = plan.agents.map((a) => a.username);
const lastClosedAt = plan.firstClosedAt + (plan.count - 1) * 60_000;
/** A moment somewhere in the history, and a window of `days` from it. */
function window(days: number): { from: number; to: number } {
  const from =
    plan.firstClosedAt + below(Math.max(1, lastClosedAt - plan.firstClosedAt - days * DAY));
  return { from, to: from + days * DAY };
}
const someRequest = () => below(plan.count);

/** What an agent or admin types in History: each a different kind of filter. */
const historyFilters: Array<() => Omit<HistorySearch, 'offset' | 'limit'>> = [
  () => ({}),
  () => ({ username: `user${below(plan.users)}` }),
  () => ({ username: `user${1 + below(9)}` }),
  () => ({ reference: generatedReference(someRequest()).slice(0, 3) }),
  () => ({ reference: generatedReference(someRequest()) }),
  () => ({ agent: pick(agents), outcome: pick(['completed', 'denied', 'locked'] as const) }),
  () => ({ desk: pick(['1', '2'] as const), ...window(7) }),
  () => ({ outcome: pick(CLOSED_STATES), desk: pick(['1', '2'] as const) }),
  () => ({ agent: pick(agents), ...window(30) }),
];

/** What an admin types in Audit. */
const auditFilters: Array<() => Omit<AuditSearch, 'offset' | 'limit'>> = [
  () => ({}),
  () => ({ actor: `agent:${pick(agents)}` }),
  () => ({ action: 'request.check-recorded' }),
  () => ({ action: 'request.', ...window(1) }),
  () => ({ request: generatedReference(someRequest()) }),
  () => ({ actor: `user:user${below(plan.users)}` }),
  () => ({ actor: 'system' }),
  () => ({ request: `generated-request-${String(someRequest()).padStart(8, '0')}` }),
  () => ({ actor: 'agent:', action: 'request.claimed', ...window(14) }),
];

const socket = io(`${url}/agent`, {
  auth: { token },
  transports: ['websocket'],
  forceNew: true,
  reconnection: false,
});
await new Promise<void>((resolve, reject) => {
  socket.once('session:ready', () => resolve());
  socket.once('connect_error', reject);
});

let stopping = false;
createInterface({ input: process.stdin }).on('line', () => (stopping = true));
process.stdin.on('end', () => (stopping = true));

const output: SearchClientOutput = { samples: [], failed: 0, failures: [], durationMs: 0 };
async function search(
  kind: SearchSample['kind'],
  filter: Record<string, unknown>,
  offset: number,
): Promise<number | undefined> {
  const started = performance.now();
  try {
    const answer = (await socket
      .timeout(60_000)
      .emitWithAck(`${kind}:search`, { ...filter, offset, limit: LIMIT })) as AckResult<
      HistoryPage | AuditPage
    >;
    const ms = performance.now() - started;
    if ('error' in answer) throw new Error(`${answer.error.code}: ${answer.error.message}`);
    output.samples.push({ kind, ms, offset, total: answer.data.total });
    return answer.data.total;
  } catch (error) {
    output.failed++;
    if (output.failures.length < 5) output.failures.push(`${kind} ${String(error)}`);
    return undefined;
  }
}

// Ready: the measuring side starts on this line.
console.log('searching');
const began = performance.now();
for (let n = 0; !stopping; n++) {
  const kind = n % 2 === 0 ? 'history' : 'audit';
  const filter = kind === 'history' ? pick(historyFilters)() : pick(auditFilters)();
  const total = await search(kind, filter, 0);
  if (total === undefined || total <= LIMIT || stopping) continue;
  // A page deep into the results, then the last page: paging far, as a person looking for an old one.
  const lastPage = Math.floor((total - 1) / LIMIT) * LIMIT;
  await search(kind, filter, Math.floor((lastPage / LIMIT) * (0.5 + random() / 2)) * LIMIT);
  if (!stopping) await search(kind, filter, lastPage);
}
output.durationMs = performance.now() - began;
socket.disconnect();
console.log(JSON.stringify(output));
process.exit(0);
