// How long the code still works: a sentence the page script keeps current, and what to do once it has lapsed.
import type { SafeHtml } from './html';
import { attr, html } from './html';

export interface CountdownInput {
  /** When the code stops working, by the server's clock; null while no code is issued. */
  expiresAt: number | null;
  /** The server's clock now: the script measures the browser's clock against it. */
  now: number;
}

/** The sentence as the server can say it, before any script runs (or where none does). */
export function remainingText(ms: number): string {
  if (ms <= 0) return 'Your code has expired.';
  if (ms <= 60_000) {
    const seconds = Math.ceil(ms / 1000);
    return `Your code works for ${seconds} more ${seconds === 1 ? 'second' : 'seconds'}.`;
  }
  // Whole seconds first: a page drawn a few milliseconds after the reveal still reads "10 minutes".
  const minutes = Math.ceil(Math.floor(ms / 1000) / 60);
  return `Your code works for ${minutes} more ${minutes === 1 ? 'minute' : 'minutes'}.`;
}

/**
 * The countdown. Its visible sentence is not a live region (it may change every second); a
 * separate polite status says only the few moments worth hearing (see enduser.js).
 */
export function countdown(p: CountdownInput): SafeHtml {
  const left = p.expiresAt === null ? 0 : p.expiresAt - p.now;
  const lapsed = p.expiresAt !== null && left <= 0;
  return html`<div
    class="countdown"
    data-countdown
    data-server-now="${p.now}"
    data-expires-at="${p.expiresAt ?? ''}"
    ${attr('hidden', p.expiresAt === null)}
  >
    <p class="countdown-text" data-countdown-text${attr('hidden', lapsed)}>
      ${p.expiresAt === null ? '' : remainingText(left)}
    </p>
    <p class="visually-hidden" role="status" data-countdown-announce></p>
    <div class="countdown-expired" tabindex="-1" data-countdown-expired${attr('hidden', !lapsed)}>
      <p>
        <strong>Your code has expired — ask again.</strong> Start a new request, then call the desk.
      </p>
      <p><a class="button button-primary" href="/sign-in/method">Start a new request</a></p>
    </div>
  </div>`;
}
