// Rendering console components on a fake-backed store, for the jsdom component tests.
import { cleanup, render, type RenderResult } from '@testing-library/react';
import type { ReactElement } from 'react';
import { ConsoleStoreContext, type ConsoleStore } from '../../renderer/src/store';

export function renderOn(store: ConsoleStore, ui: ReactElement): RenderResult {
  return render(<ConsoleStoreContext.Provider value={store}>{ui}</ConsoleStoreContext.Provider>);
}

/** Vitest runs without globals, so Testing Library cannot register its own cleanup. */
export { cleanup };

/** jsdom lays nothing out: give scroll containers a height so the virtualiser renders rows. */
export function fakeLayout(height = 640, width = 400): () => void {
  const proto = HTMLElement.prototype;
  const saved = {
    clientHeight: Object.getOwnPropertyDescriptor(proto, 'clientHeight'),
    clientWidth: Object.getOwnPropertyDescriptor(proto, 'clientWidth'),
  };
  Object.defineProperty(proto, 'clientHeight', { configurable: true, get: () => height });
  Object.defineProperty(proto, 'clientWidth', { configurable: true, get: () => width });
  return () => {
    if (saved.clientHeight) Object.defineProperty(proto, 'clientHeight', saved.clientHeight);
    if (saved.clientWidth) Object.defineProperty(proto, 'clientWidth', saved.clientWidth);
  };
}
