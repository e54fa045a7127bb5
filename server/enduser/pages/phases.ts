// How a request's phase reads to its user, on the request page and once it has ended.
import type { EndUserRequestStatus } from '../../contract/enduser';
import type { HelpDesk } from '../../contract/realm-config';
import type { SafeHtml } from './html';
import { html } from './html';
import { telLink } from './parts';

export type Phase = EndUserRequestStatus['phase'];
export type EndedPhase = Exclude<Phase, 'waiting' | 'verifying' | 'code-ready' | 'completed'>;

export const PHASE_TEXT: Record<Phase, { title: string; text: string }> = {
  waiting: {
    title: 'Waiting for an agent',
    text: 'Call or email the desk now. An agent picks up your request when you get through.',
  },
  verifying: {
    title: 'An agent is verifying you',
    text: 'Answer their questions. They may call you back on the phone number your organisation has on file.',
  },
  'code-ready': {
    title: 'Your code is ready',
    text: 'The agent reads it to you: type it below.',
  },
  completed: { title: 'Code accepted', text: 'Your code was accepted.' },
  denied: {
    title: "The help desk couldn't verify you",
    text: 'The agent could not confirm who you are, so no code was issued.',
  },
  cancelled: {
    title: 'This request was cancelled',
    text: 'It was cancelled, or replaced by a newer request for the same account.',
  },
  expired: {
    title: 'This request has expired',
    text: 'It was not completed in time, so its code no longer works.',
  },
  locked: {
    title: 'Too many wrong codes',
    text: 'For your security this request is locked, and its code no longer works.',
  },
};
export function endedNext(desk: HelpDesk): SafeHtml {
  return html`<p>Start a new request, then call ${desk.name} on ${telLink(desk.phone)}.</p>
    <p><a class="button button-primary" href="/sign-in/method">Start a new request</a></p>`;
}
