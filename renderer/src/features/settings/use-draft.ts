// A form's unsaved copy of server state: follows the server until edited, and again once saved.
import { useState } from 'react';

export interface Draft<T> {
  value: T;
  dirty: boolean;
  set(update: T | ((current: T) => T)): void;
  /** Drops the edits: the form shows the server's value again. */
  reset(): void;
}

export function useDraft<T>(source: T): Draft<T> {
  const [state, setState] = useState({ base: source, value: source, dirty: false });
  // Adjusting state to a changed prop during render, as React recommends over an effect.
  if (state.base !== source && !state.dirty)
    setState({ base: source, value: source, dirty: false });
  const value = state.dirty || state.base === source ? state.value : source;
  return {
    value,
    dirty: state.dirty,
    set(update) {
      setState((current) => ({
        ...current,
        value: typeof update === 'function' ? (update as (c: T) => T)(current.value) : update,
        dirty: true,
      }));
    },
    reset() {
      setState((current) => ({ ...current, value: current.base, dirty: false }));
    },
  };
}
