// One shared one-second clock for every ticking age and countdown: a single timer, however many rows.
import { useSyncExternalStore } from 'react';

const TICK_MS = 1000;
const listeners = new Set<() => void>();
let timer: ReturnType<typeof setInterval> | undefined;
let now = Date.now();

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  if (!timer) {
    now = Date.now();
    timer = setInterval(() => {
      now = Date.now();
      listeners.forEach((l) => l());
    }, TICK_MS);
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && timer) {
      clearInterval(timer);
      timer = undefined;
    }
  };
}

/** How many timers the ticker runs (0 or 1); for tests. */
export function tickerTimerCount(): number {
  return timer ? 1 : 0;
}

/** Fresh on a first render too, yet stable between React's back-to-back reads. */
const snapshot = () => {
  if (!timer && Date.now() - now >= TICK_MS) now = Date.now();
  return now;
};

/** The current time, re-rendering the caller once a second while it is mounted. */
export function useNow(): number {
  return useSyncExternalStore(subscribe, snapshot, snapshot);
}
