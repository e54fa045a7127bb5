// The order of effects: validate → persist → answer the caller → tell everyone else.
//
// A change is committed before its service call returns, and services announce it to their
// listeners at once. Live events must not overtake the answer: an agent would otherwise see the
// broadcast of their own claim before its acknowledgement, and a browser's page could be stale
// beside a queue that already shows its request. So the code that answers a caller (a socket
// event's acknowledgement, an HTTP response) runs inside `answerFirst`, and the namespaces send
// their broadcasts through `afterAnswer`: inside such a scope they wait until the answer has
// gone; anywhere else (timers, sweeps) they go at once.
import { AsyncLocalStorage } from 'node:async_hooks';

interface Scope {
  held: (() => void)[];
  answered: boolean;
}

const scopes = new AsyncLocalStorage<Scope>();

/** Sends `broadcast` now, or once the caller being answered in this scope has had its answer. */
export function afterAnswer(broadcast: () => void): void {
  const scope = scopes.getStore();
  // A scope already answered may still be the context of late work (a promise it left behind).
  if (scope && !scope.answered) scope.held.push(broadcast);
  else broadcast();
}

/** A scope whose held broadcasts go when `release` is called (once; later calls do nothing). */
export function openAnswerScope(): { run<T>(work: () => T): T; release(): void } {
  const scope: Scope = { held: [], answered: false };
  return {
    run: (work) => scopes.run(scope, work),
    release() {
      if (scope.answered) return;
      scope.answered = true;
      for (const broadcast of scope.held.splice(0)) broadcast();
    },
  };
}

/** Runs `answer` (which replies to the caller, whether it succeeds or fails), then broadcasts. */
export async function answerFirst(answer: () => Promise<void>): Promise<void> {
  const scope = openAnswerScope();
  try {
    await scope.run(answer);
  } finally {
    scope.release();
  }
}
