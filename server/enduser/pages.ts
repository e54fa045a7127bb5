// The end-user pages as server-rendered HTML: one layout, one page per step of the sign-in, and the error pages.
import type { EndUserRequestStatus } from '../contract/enduser';
import type { HelpDesk, HelpDeskId, RealmConfig } from '../contract/realm-config';
import { HELP_DESK_IDS } from '../contract/realm-config';
import type { HtmlValue, SafeHtml } from './html';
import { attr, html } from './html';

type Phase = EndUserRequestStatus['phase'];
export type EndedPhase = Exclude<Phase, 'waiting' | 'verifying' | 'code-ready' | 'completed'>;

export interface FieldError {
  /** The id of the field the message belongs to; none for a form-level message. */
  field?: string;
  message: string;
}

export interface Step {
  current: number;
  total: number;
}

interface LayoutOptions {
  realm: RealmConfig;
  title: string;
  body: SafeHtml;
  /** Prefixes the title with "Error:" so the problem is announced with the page. */
  hasErrors?: boolean;
  /** Without JavaScript, reload the page every this many seconds. */
  noscriptRefreshSeconds?: number;
  /** Navigate on at once (used to hand over to the post-sign-in URL). */
  redirectTo?: string;
  liveUpdates?: boolean;
}

function layout(options: LayoutOptions): SafeHtml {
  const { realm } = options;
  const title = `${options.hasErrors ? 'Error: ' : ''}${options.title} – ${realm.name}`;
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title}</title>
        <link rel="stylesheet" href="/assets/enduser.css" />
        ${options.liveUpdates ? html`<script src="/assets/socket.io.min.js" defer></script>` : ''}
        <script src="/assets/enduser.js" defer></script>
        ${options.noscriptRefreshSeconds ? html`<noscript><meta http-equiv="refresh" content="${options.noscriptRefreshSeconds}" /></noscript>` : ''}
        ${options.redirectTo ? html`<meta http-equiv="refresh" content="0; url=${options.redirectTo}" />` : ''}
      </head>
      <body>
        <header class="masthead">
          <div class="masthead-inner">
            <span class="brand"
              ><svg
                class="brand-mark"
                viewBox="0 0 24 24"
                width="22"
                height="22"
                aria-hidden="true"
                focusable="false"
              >
                <path
                  d="M12 2 4 5v6c0 5 3.4 9.4 8 11 4.6-1.6 8-6 8-11V5l-8-3Z"
                  fill="currentColor"
                /></svg
              >${realm.name}</span
            >
            <span class="tagline">Secure sign-in</span>
          </div>
        </header>
        <main id="main" class="page">
          <div class="card">${options.body}</div>
        </main>
        <footer class="footer">
          <p>
            Only give your one-time code to the help desk you contacted, during that call or email.
            The help desk will never ask for your password.
          </p>
        </footer>
      </body>
    </html> `;
}

// ── building blocks ────────────────────────────────────────────────────────────────────────────

function csrfField(token: string): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${token}" />`;
}

function stepCaption(step: Step | undefined): SafeHtml | string {
  return step ? html`<p class="step-caption">Step ${step.current} of ${step.total}</p>` : '';
}

function errorSummary(
  errors: readonly FieldError[],
  title = 'There is a problem',
): SafeHtml | string {
  if (errors.length === 0) return '';
  return html`<div
    class="error-summary"
    role="alert"
    tabindex="-1"
    autofocus
    data-error-summary
    aria-labelledby="error-summary-title"
  >
    <h2 id="error-summary-title" class="error-summary-title">${title}</h2>
    <ul class="error-summary-list">
      ${errors.map((e) => html`<li>${e.field ? html`<a href="#${e.field}">${e.message}</a>` : e.message}</li>`)}
    </ul>
  </div>`;
}

interface TextFieldOptions {
  id: string;
  label: string;
  type?: 'text' | 'password';
  value?: string;
  hint?: string;
  error?: string;
  autocomplete: string;
  inputmode?: 'numeric' | 'text';
  maxlength?: number;
  extraClass?: string;
}

function textField(o: TextFieldOptions): SafeHtml {
  const described = [o.hint ? `${o.id}-hint` : '', o.error ? `${o.id}-error` : '']
    .filter(Boolean)
    .join(' ');
  return html`<div class="field${o.error ? ' field-has-error' : ''}">
    <label class="label" for="${o.id}">${o.label}</label>
    ${o.hint ? html`<p class="hint" id="${o.id}-hint">${o.hint}</p>` : ''}
    ${o.error ? html`<p class="field-error" id="${o.id}-error"><span class="visually-hidden">Error: </span>${o.error}</p>` : ''}
    <input
      class="input${o.extraClass ? ` ${o.extraClass}` : ''}"
      id="${o.id}"
      name="${o.id}"
      type="${o.type ?? 'text'}"
      value="${o.value ?? ''}"
      autocomplete="${o.autocomplete}"
      ${o.inputmode ? html` inputmode="${o.inputmode}"` : ''}${o.maxlength ? html` maxlength="${o.maxlength}"` : ''}${o.type === 'password' ? '' : html` autocapitalize="none" spellcheck="false"`}
      required${described ? html` aria-describedby="${described}"` : ''}${attr('aria-invalid="true"', Boolean(o.error))}
    />
  </div>`;
}

function errorFor(errors: readonly FieldError[], field: string): string | undefined {
  return errors.find((e) => e.field === field)?.message;
}

/** "Not you?" / "Start over": a POST, because it clears state. */
function restartForm(csrf: string, label: string, forgetDevice: boolean): SafeHtml {
  return html`<form class="inline-form" method="post" action="/sign-in/restart">
    ${csrfField(csrf)}${forgetDevice ? html`<input type="hidden" name="forget" value="1" />` : ''}
    <button type="submit" class="link-button">${label}</button>
  </form>`;
}

function cancelForm(csrf: string): SafeHtml {
  return html`<form class="cancel-form" method="post" action="/sign-in/cancel" data-open-only>
    ${csrfField(csrf)}
    <button type="submit" class="button button-secondary">Cancel request</button>
  </form>`;
}

/** An address that may wrap after its @ on a narrow screen rather than mid-word. */
function breakableEmail(email: string): SafeHtml {
  const at = email.lastIndexOf('@');
  return at < 0 ? html`${email}` : html`${email.slice(0, at + 1)}<wbr />${email.slice(at + 1)}`;
}

function telLink(phone: string): SafeHtml {
  return html`<a href="tel:${phone}">${phone}</a>`;
}

function mailtoHref(email: string, reference: string, username: string): string {
  const subject = `Sign-in help request ${reference}`;
  const body = `Hello,\n\nI need a one-time code to finish signing in.\n\nReference code: ${reference}\nUsername: ${username}\n`;
  return `mailto:${encodeURI(email)}?subject=${encodeURIComponent(subject)}&body=${encodeURIComponent(body)}`;
}

function deskContact(desk: HelpDesk, reference: string, username: string): SafeHtml {
  return html`<dl class="contact">
    <div class="contact-row">
      <dt>Phone</dt>
      <dd>${telLink(desk.phone)}</dd>
    </div>
    <div class="contact-row">
      <dt>Email</dt>
      <dd>
        <a href="${mailtoHref(desk.email, reference, username)}">${breakableEmail(desk.email)}</a>
      </dd>
    </div>
  </dl>`;
}

function identityLine(username: string, csrf: string, forgetDevice: boolean): SafeHtml {
  return html`<div class="identity">
    <p>Signing in as <strong class="username">${username}</strong></p>
    ${restartForm(csrf, forgetDevice ? 'Not you? Use another account' : 'Not you? Start over', forgetDevice)}
  </div>`;
}

// ── pages ──────────────────────────────────────────────────────────────────────────────────────

export interface StartPageInput {
  realm: RealmConfig;
  csrf: string;
  step: Step;
  askPassword: boolean;
  username: string;
  errors: FieldError[];
}

export function startPage(p: StartPageInput): SafeHtml {
  const body = html`${stepCaption(p.step)}
    <h1>Sign in</h1>
    <p class="lead">
      Can't use your usual second factor? Get a one-time code from the help desk instead.
    </p>
    ${errorSummary(p.errors)}
    <form method="post" action="/sign-in" novalidate data-submit-once>
      ${csrfField(p.csrf)}
      ${textField({ id: 'username', label: 'Username', value: p.username, autocomplete: 'username', maxlength: 128, error: errorFor(p.errors, 'username') })}
      ${p.askPassword ? textField({ id: 'password', label: 'Password', type: 'password', autocomplete: 'current-password', maxlength: 256, error: errorFor(p.errors, 'password') }) : ''}
      <button type="submit" class="button button-primary">Continue</button>
    </form>`;
  return layout({ realm: p.realm, title: 'Sign in', body, hasErrors: p.errors.length > 0 });
}

export interface MethodPageInput {
  realm: RealmConfig;
  csrf: string;
  step: Step;
  username: string;
  viaToken: boolean;
  selected: HelpDeskId | undefined;
  errors: FieldError[];
  cancelled?: string;
  openRequest?: { reference: string };
}

export function methodPage(p: MethodPageInput): SafeHtml {
  const desks = HELP_DESK_IDS.filter((id) => p.realm.helpDesks[id].enabled);
  const notice = p.cancelled
    ? html`<div class="notice notice-success" role="status">
        <p>
          Request <strong>${p.cancelled}</strong> is cancelled. Choose a help desk to send a new
          one.
        </p>
      </div>`
    : '';
  if (desks.length === 0) {
    const body = html`${notice}
      <h1>Help-desk sign-in isn't available right now</h1>
      ${identityLine(p.username, p.csrf, p.viaToken)}
      <p class="lead">
        No help desk is taking sign-in requests at the moment, so a one-time code can't be issued.
      </p>
      <p>Try another way to sign in, or contact your IT support through your usual channel.</p>`;
    return layout({ realm: p.realm, title: 'Help desk not available', body });
  }
  const error = errorFor(p.errors, 'desk');
  // The summary links to the first choice, where the keyboard lands in the group.
  const summary = p.errors.map((e) =>
    e.field === 'desk' ? { ...e, field: `desk-${desks[0]}` } : e,
  );
  const body = html`${stepCaption(p.step)} ${notice}
    <h1>Choose a help desk</h1>
    ${identityLine(p.username, p.csrf, p.viaToken)} ${errorSummary(summary)}
    <form method="post" action="/sign-in/method" novalidate data-submit-once>
      ${csrfField(p.csrf)}
      <div class="field${error ? ' field-has-error' : ''}">
        <fieldset class="fieldset" aria-describedby="desk-hint${error ? ' desk-error' : ''}">
          <legend class="visually-hidden">Help desk</legend>
          <p class="hint" id="desk-hint">
            The desk checks who you are, then reads you a one-time code to finish signing in.
          </p>
          ${error ? html`<p class="field-error" id="desk-error"><span class="visually-hidden">Error: </span>${error}</p>` : ''}
          <div class="choices">
            ${desks.map((id) => {
              const desk = p.realm.helpDesks[id];
              const checked = p.selected === id || desks.length === 1;
              return html`<div class="choice">
                <input
                  class="choice-input"
                  type="radio"
                  name="desk"
                  id="desk-${id}"
                  value="${id}"
                  ${attr('checked', checked)}
                />
                <label class="choice-label" for="desk-${id}">
                  <span class="choice-name">${desk.name}</span>
                  <span class="choice-detail"
                    ><span class="choice-key">Phone</span> <span>${desk.phone}</span></span
                  >
                  <span class="choice-detail"
                    ><span class="choice-key">Email</span>
                    <span>${breakableEmail(desk.email)}</span></span
                  >
                </label>
              </div>`;
            })}
          </div>
        </fieldset>
      </div>
      ${p.openRequest ? html`<p class="notice">You already have an open request, <strong>${p.openRequest.reference}</strong>. <a href="/sign-in/request">Go back to it</a>, or send a new one to replace it.</p>` : ''}
      <button type="submit" class="button button-primary">Send request</button>
    </form>`;
  return layout({
    realm: p.realm,
    title: 'Choose a help desk',
    body,
    hasErrors: p.errors.length > 0,
  });
}

const PHASE_TEXT: Record<Phase, { title: string; text: string }> = {
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
    text: 'The agent will read it to you. Enter it on the next page.',
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

function endedNext(desk: HelpDesk): SafeHtml {
  return html`<p>Start a new request, then call ${desk.name} on ${telLink(desk.phone)}.</p>
    <p><a class="button button-primary" href="/sign-in/method">Start a new request</a></p>`;
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
      ${panel('waiting')} ${panel('verifying')}
      ${panel('code-ready', html`<p><a class="button button-primary" href="/sign-in/code">Enter your code</a></p>`)}
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

export interface CodePageInput {
  realm: RealmConfig;
  csrf: string;
  step: Step;
  status: EndUserRequestStatus;
  errors: FieldError[];
  /** No passcode issued yet: say so above the form. */
  notIssuedYet: boolean;
}

export function codePage(p: CodePageInput): SafeHtml {
  const { status } = p;
  const desk = p.realm.helpDesks[status.desk.id];
  const digits = p.realm.otpPolicy.length;
  const example = '1234567890'.slice(0, digits).replace(/^(\d{4})(\d+)$/, '$1 $2');
  const body = html`${stepCaption(p.step)}
    <h1>Enter your one-time code</h1>
    <p class="lead">
      Type the ${digits}-digit code the agent from ${desk.name} read to you. Spaces and dashes don't
      matter.
    </p>
    ${
      p.notIssuedYet
        ? html`<div class="notice" role="status">
            <p>
              <strong>The desk hasn't issued your code yet.</strong> Stay on the line: the agent
              reads it to you once they have verified you.
            </p>
          </div>`
        : ''
    }
    ${errorSummary(p.errors)}
    <form method="post" action="/sign-in/code" novalidate data-submit-once>
      ${csrfField(p.csrf)}
      ${textField({ id: 'otp', label: 'One-time code', hint: `${digits} digits, for example ${example}`, autocomplete: 'one-time-code', inputmode: 'numeric', maxlength: 40, error: errorFor(p.errors, 'otp'), extraClass: 'input-code' })}
      <button type="submit" class="button button-primary">Verify code</button>
    </form>
    <div class="aside">
      <p>
        Reference code <strong class="reference-inline">${status.reference}</strong> · ${desk.name}
        · ${telLink(desk.phone)}
      </p>
      <p><a href="/sign-in/request">Back to the request status</a></p>
    </div>
    ${cancelForm(p.csrf)}`;
  return layout({ realm: p.realm, title: 'Enter your code', body, hasErrors: p.errors.length > 0 });
}

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

export interface PasswordPageInput {
  realm: RealmConfig;
  csrf: string;
  step: Step;
  username: string;
  errors: FieldError[];
}

export function passwordPage(p: PasswordPageInput): SafeHtml {
  const body = html`${stepCaption(p.step)}
    <h1>Enter your password</h1>
    <div class="notice notice-success"><p>Code accepted.</p></div>
    <p class="lead">
      To finish signing in as <strong class="username">${p.username}</strong>, enter your password.
    </p>
    ${errorSummary(p.errors)}
    <form method="post" action="/sign-in/password" novalidate data-submit-once>
      ${csrfField(p.csrf)}
      <input type="text" name="username" value="${p.username}" autocomplete="username" hidden />
      ${textField({ id: 'password', label: 'Password', type: 'password', autocomplete: 'current-password', maxlength: 256, error: errorFor(p.errors, 'password') })}
      <button type="submit" class="button button-primary">Sign in</button>
    </form>`;
  return layout({
    realm: p.realm,
    title: 'Enter your password',
    body,
    hasErrors: p.errors.length > 0,
  });
}

export interface DonePageInput {
  realm: RealmConfig;
  username: string;
  desk: HelpDeskId;
  /** Where the browser is being sent, with the assertion; none for the built-in completion page. */
  redirect?: { href: string; origin: string };
}

export function donePage(p: DonePageInput): SafeHtml {
  const desk = p.realm.helpDesks[p.desk];
  const body = p.redirect
    ? html`<h1>You're signed in</h1>
        <p class="lead">Taking you to <strong>${p.redirect.origin}</strong>…</p>
        <p><a class="button button-primary" href="${p.redirect.href}">Continue</a></p>`
    : html`<div class="success-mark" aria-hidden="true">
          <svg viewBox="0 0 24 24" width="40" height="40" focusable="false">
            <path d="M9 16.2 4.8 12l-1.4 1.4L9 19 21 7l-1.4-1.4L9 16.2Z" fill="currentColor" />
          </svg>
        </div>
        <h1>You're signed in</h1>
        <p class="lead">
          You signed in as <strong class="username">${p.username}</strong> with a code from
          ${desk.name}.
        </p>
        <p>
          This browser will suggest ${desk.name} first next time. You can close this window now.
        </p>`;
  return layout({ realm: p.realm, title: "You're signed in", body, redirectTo: p.redirect?.href });
}

// ── error pages ────────────────────────────────────────────────────────────────────────────────

/** The flood gate's 429: built once, before express and the realm are consulted, so it names no desk. */
export function floodRefusalPage(): string {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>Too many attempts</title>
        <link rel="stylesheet" href="/assets/enduser.css" />
      </head>
      <body>
        <main id="main" class="page">
          <div class="card">
            <h1>Too many attempts</h1>
            <p>Too many forms were sent from your network in a short while.</p>
            <p>Wait a minute, then start again.</p>
            <p><a class="button button-primary" href="/sign-in">Back to the start</a></p>
          </div>
        </main>
      </body>
    </html> `.value;
}

export interface ProblemPageInput {
  realm: RealmConfig;
  title: string;
  paragraphs: string[];
  action?: { href: string; label: string };
  /** Desks to call when the user is stuck. */
  showDesks?: boolean;
}

export function problemPage(p: ProblemPageInput): SafeHtml {
  const desks = HELP_DESK_IDS.map((id) => p.realm.helpDesks[id]).filter((d) => d.enabled);
  const body = html`<h1>${p.title}</h1>
    ${p.paragraphs.map((text) => html`<p>${text}</p>`)}
    ${p.showDesks && desks.length > 0 ? html`<p>If you need help now, call ${desks.map((d, i) => html`${i > 0 ? ' or ' : ''}${d.name} on ${telLink(d.phone)}`)}.</p>` : ''}
    ${p.action ? html`<p><a class="button button-primary" href="${p.action.href}">${p.action.label}</a></p>` : ''}`;
  return layout({ realm: p.realm, title: p.title, body });
}
