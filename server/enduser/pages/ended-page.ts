// The code page once its request can no longer complete: why, and what to do next.
import type { EndUserRequestStatus } from '../../contract/enduser';
import type { RealmConfig } from '../../contract/realm-config';
import type { SafeHtml } from './html';
import { html } from './html';
import { layout } from './layout';
import type { EndedPhase } from './phases';
import { PHASE_TEXT, endedNext } from './phases';

export interface EndedPageInput {
  realm: RealmConfig;
  status: EndUserRequestStatus;
  phase: EndedPhase;
  /** The passcode itself had expired (rather than the request waiting too long). */
  codeExpired?: boolean;
}

const ENDED_TITLE: Record<EndedPhase, string> = {
  denied: "The help desk couldn't verify you",
  cancelled: 'This request was cancelled',
  expired: 'This request has expired',
  locked: 'Too many wrong codes',
};

/** The code page once its request can no longer complete: why, and what to do next. */
export function endedPage(p: EndedPageInput): SafeHtml {
  const desk = p.realm.helpDesks[p.status.desk.id];
  const title =
    p.phase === 'expired' && p.codeExpired ? 'Your code has expired' : ENDED_TITLE[p.phase];
  const why =
    p.phase === 'expired' && p.codeExpired
      ? `Codes work for ${p.realm.otpPolicy.ttlMinutes} minutes after the agent issues them, so this one no longer works.`
      : PHASE_TEXT[p.phase].text;
  const body = html`<div
      class="error-summary"
      role="alert"
      tabindex="-1"
      autofocus
      data-error-summary
      aria-labelledby="ended-title"
    >
      <h1 id="ended-title" class="ended-title">${title}</h1>
      <p>${why}</p>
    </div>
    <h2>What to do next</h2>
    ${endedNext(desk)}
    <p class="aside">
      Your reference code was <strong class="reference-inline">${p.status.reference}</strong>.
    </p>`;
  return layout({ realm: p.realm, title, body });
}
