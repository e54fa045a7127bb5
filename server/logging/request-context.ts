// Which HTTP request or socket event the code now running serves, so every log line it writes
// carries that id without passing it along by hand.
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';

interface RequestContext {
  requestId: string;
}

const context = new AsyncLocalStorage<RequestContext>();

/** A short random id (12 hex digits): unique enough to find one request's lines in a day's logs. */
export function newRequestId(): string {
  return randomBytes(6).toString('hex');
}

/** Runs `work` (and everything it starts) as serving `requestId`. */
export function withRequestId<T>(requestId: string, work: () => T): T {
  return context.run({ requestId }, work);
}

/** The id of the request or event being served, if any. */
export function currentRequestId(): string | undefined {
  return context.getStore()?.requestId;
}
