// Signed in: the completion page, or the hand-over to the post-sign-in URL.
import type { HelpDeskId, RealmConfig } from '../../contract/realm-config';
import type { SafeHtml } from './html';
import { html } from './html';
import { layout } from './layout';

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
