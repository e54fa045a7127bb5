// The request page: the reference for the desk, how to reach it, and the status the page script keeps live.
import type { EndUserRequestStatus } from '../../contract/enduser';
import type { HelpDesk, RealmConfig } from '../../contract/realm-config';
import type { HtmlValue, SafeHtml } from './html';
import { attr, html } from './html';
import { deskLabel } from '../../contract/desk-label';
import { codeForm } from './code-page';
import { countdown } from './countdown';
import { layout } from './layout';
import type { Phase } from './phases';
import { PHASE_TEXT, endedNext } from './phases';
import type { Step } from './parts';
import { cancelForm, deskContact, stepCaption } from './parts';

const TRACK: Array<{ phase: Phase; label: string }> = [
  { phase: 'waiting', label: 'Request sent' },
  { phase: 'verifying', label: 'Identity check' },
  { phase: 'code-ready', label: 'Code ready' },
];

function trackerItems(phase: Phase): SafeHtml[] {
  const at = phase === 'completed' ? TRACK.length : TRACK.findIndex((t) => t.phase === phase);
  return TRACK.map((t, i) => {
    const state = i < at ? 'done' : i === at ? 'current' : 'todo';
    return html`<li
      class="tracker-item is-${state}"
      data-track="${t.phase}"
      ${i === at ? html` aria-current="step"` : ''}
    >
      ${t.label}
    </li>`;
  });
}
/** What happens next, while the request is open (the page script hides it once the request closes). */
function nextSteps(desk: HelpDesk, reference: string): SafeHtml {
  return html`<section class="next" aria-labelledby="next-heading" data-open-only>
    <h2 id="next-heading">What happens next</h2>
    <ol class="next-steps">
      <li>
        Call or email ${desk.name} and give them your reference code, <strong>${reference}</strong>.
      </li>
      <li>
        The agent checks that it's really you, for example by calling you back on the number on
        file.
      </li>
      <li>
        Once you're verified, the agent reads you a one-time code. You enter it here to finish
        signing in.
      </li>
    </ol>
  </section>`;
}

export interface RequestPageInput {
  realm: RealmConfig;
  csrf: string;
  step: Step;
  username: string;
  status: EndUserRequestStatus;
  continueHref: string;
  /** The server's clock, for the countdown of the code's lifetime. */
  now: number;
}

/**
 * Once the code is ready, the field to type it in, right here: the page script reveals it live
 * (and moves focus to it); a page loaded at that point shows it with or without JavaScript. The
 * code page stays one link away.
 */
function inlineCodeEntry(p: RequestPageInput): SafeHtml {
  return html`<div class="inline-code" data-inline-code>
    ${countdown({ expiresAt: p.status.otpExpiresAt, now: p.now })}
    ${codeForm({ realm: p.realm, csrf: p.csrf, errors: [] })}
    <p class="inline-code-alt" data-code-alt>
      <a href="/sign-in/code">Enter your code on a page of its own</a>
    </p>
  </div>`;
}

export function requestPage(p: RequestPageInput): SafeHtml {
  const { status } = p;
  const desk = p.realm.helpDesks[status.desk.id];
  const open =
    status.phase === 'waiting' || status.phase === 'verifying' || status.phase === 'code-ready';
  const panel = (phase: Phase, extra: HtmlValue = '') =>
    html`<div
      class="status-panel status-${phase}"
      data-phase="${phase}"
      data-announce-text="${PHASE_TEXT[phase].title}. ${PHASE_TEXT[phase].text}"
      ${attr('hidden', phase !== status.phase)}
    >
      <p class="status-title">${PHASE_TEXT[phase].title}</p>
      <p>${PHASE_TEXT[phase].text}</p>
      ${extra}
    </div>`;
  const body = html`${stepCaption(p.step)}
    <h1>Call or email ${desk.name}</h1>
    <p class="desk-label">${deskLabel(status.desk.id, desk)}</p>
    <div class="reference">
      <p class="reference-label">Your reference code</p>
      <p class="reference-code">${status.reference}</p>
      <p class="hint">
        Give this code to the agent so they can find your request. It is not your sign-in code.
      </p>
    </div>
    ${deskContact(desk, status.reference, p.username)}
    <section
      class="status"
      aria-labelledby="status-heading"
      data-live-request="${status.id}"
      data-phase-now="${status.phase}"
    >
      <h2 id="status-heading">Status</h2>
      <ol class="tracker" data-tracker${attr('hidden', !open && status.phase !== 'completed')}>
        ${trackerItems(status.phase)}
      </ol>
      ${panel('waiting')} ${panel('verifying')} ${panel('code-ready', inlineCodeEntry(p))}
      ${panel('completed', html`<p><a class="button button-primary" href="${p.continueHref}">Continue</a></p>`)}
      ${(['denied', 'cancelled', 'expired', 'locked'] as const).map((phase) => panel(phase, endedNext(desk)))}
      <p class="visually-hidden" role="status" data-announce></p>
      <p class="live-note" data-live-note hidden>This page updates by itself.</p>
      ${
        status.phase === 'waiting' || status.phase === 'verifying'
          ? html`<form
              class="refresh-form"
              method="get"
              action="/sign-in/request"
              data-refresh
              data-open-only
            >
              <button type="submit" class="button button-secondary">Refresh status</button>
            </form>`
          : ''
      }
    </section>
    ${open ? nextSteps(desk, status.reference) : ''} ${open ? cancelForm(p.csrf) : ''}`;
  return layout({
    realm: p.realm,
    title: 'Call the help desk',
    body,
    noscriptRefreshSeconds: open && status.phase !== 'code-ready' ? 5 : undefined,
    liveUpdates: open,
  });
}
