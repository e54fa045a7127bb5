// The console's keyboard shortcuts outside the queue list: what each key does, and the one listener
// (on the window, so the browser build and the Electron app behave alike) that never fires while the
// agent is typing in a field or a dialog is open.
import { useEffect } from 'react';
import type { ConsoleStore } from '../../store';
import { useConsoleStore } from '../../store';
import { requestAccess } from '../request/request-access';

/** Every shortcut, for the "?" dialog: the list's own keys first, then the console-wide ones. */
export const SHORTCUTS: ReadonlyArray<{ keys: string[]; does: string; where: string }> = [
  { keys: ['↑', '↓'], does: 'Move through the requests', where: 'Queue list' },
  { keys: ['Page Up', 'Page Down'], does: 'Move a page at a time', where: 'Queue list' },
  { keys: ['Home', 'End'], does: 'First or last request', where: 'Queue list' },
  { keys: ['Enter'], does: 'Open the request', where: 'Queue list' },
  { keys: ['C'], does: 'Claim the request', where: 'Queue list' },
  { keys: ['/'], does: 'Search the queue', where: 'Anywhere' },
  { keys: ['R'], does: 'Reveal the passcode, once the checks allow it', where: 'Anywhere' },
  { keys: ['Esc'], does: 'Back to the queue list', where: 'Anywhere' },
  { keys: ['?'], does: 'Show these shortcuts', where: 'Anywhere' },
];

export const QUEUE_SEARCH_ID = 'queue-search';
export const QUEUE_LIST_ID = 'queue-list';

const NOT_TYPING = new Set([
  'checkbox',
  'radio',
  'button',
  'submit',
  'reset',
  'range',
  'color',
  'file',
]);

/** Whether a key pressed on `target` is the agent typing (the shortcuts stay out of the way). */
export function isTypingIn(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  return target instanceof HTMLInputElement && !NOT_TYPING.has(target.type);
}

/** Focuses an element once the screen that holds it has rendered. */
function focusSoon(id: string) {
  const run = () => document.getElementById(id)?.focus();
  if (document.getElementById(id)) run();
  else setTimeout(run, 0);
}

/** Runs the shortcut for `event`, if it is one; says whether it did. */
export function runShortcut(
  store: ConsoleStore,
  event: KeyboardEvent,
  showShortcuts: () => void,
): boolean {
  if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return false;
  if (isTypingIn(event.target)) return false;
  // A dialog owns the keyboard while it is open (Escape closes it).
  if (document.querySelector('dialog[open]')) return false;
  const state = store.getState();
  if (state.phase !== 'ready' || state.session?.mustEnrolTotp) return false;
  switch (event.key) {
    case '/':
      if (state.screen !== 'queue') state.setScreen('queue');
      focusSoon(QUEUE_SEARCH_ID);
      return true;
    case '?':
      showShortcuts();
      return true;
    case 'Escape':
      if (state.screen !== 'queue') state.setScreen('queue');
      focusSoon(QUEUE_LIST_ID);
      return true;
    case 'r':
    case 'R': {
      // Once a code is out, another one replaces it: that asks for a confirmation, not a key.
      const codeOut = !!state.detail?.otp || state.revealed?.requestId === state.openId;
      if (state.screen !== 'queue' || state.busy !== null || codeOut) return false;
      if (!requestAccess(state).canReveal) return false;
      void state.reveal();
      return true;
    }
    default:
      return false;
  }
}

/** Listens for the console-wide shortcuts while the console is mounted. */
export function useConsoleShortcuts(showShortcuts: () => void): void {
  const store = useConsoleStore();
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (runShortcut(store, event, showShortcuts)) event.preventDefault();
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [store, showShortcuts]);
}
