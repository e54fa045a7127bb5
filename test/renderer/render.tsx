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

/**
 * jsdom has no modal dialogs: a stand-in that opens and closes them as a browser does, focus moving
 * in and back, Escape cancelling the open one (the real ones are checked in Chromium).
 */
function standInForModalDialogs() {
  const proto: Partial<HTMLDialogElement> = HTMLDialogElement.prototype;
  if (proto.showModal) return;
  const returnTo = new WeakMap<HTMLDialogElement, Element | null>();
  proto.showModal = function (this: HTMLDialogElement) {
    returnTo.set(this, document.activeElement);
    this.setAttribute('open', '');
    this.querySelector<HTMLElement>('button, input, textarea, select, [href]')?.focus();
  };
  proto.close = function (this: HTMLDialogElement) {
    if (!this.hasAttribute('open')) return;
    this.removeAttribute('open');
    (returnTo.get(this) as HTMLElement | null)?.focus();
    this.dispatchEvent(new Event('close'));
  };
  document.addEventListener('keydown', (event) => {
    const open = [...document.querySelectorAll('dialog[open]')].at(-1) as HTMLDialogElement;
    if (event.key === 'Escape' && open?.dispatchEvent(new Event('cancel', { cancelable: true })))
      open.close();
  });
}
if (typeof HTMLDialogElement !== 'undefined') standInForModalDialogs();
