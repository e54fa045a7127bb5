// Choose a help desk and send the request (or learn that no desk is taking requests).
import type { HelpDeskId, RealmConfig } from '../../contract/realm-config';
import { HELP_DESK_IDS } from '../../contract/realm-config';
import { METHOD_BLOCKED_MESSAGE } from '../../requests/method-blocks';
import type { SafeHtml } from './html';
import { attr, html } from './html';
import { deskLabel } from '../../contract/desk-label';
import { layout } from './layout';
import type { FieldError, Step } from './parts';
import {
  breakableEmail,
  csrfField,
  errorFor,
  errorSummary,
  identityLine,
  stepCaption,
} from './parts';

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
  /** The help-desk method is blocked for this account: no desk is offered, and nothing says why. */
  blocked?: boolean;
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
  if (p.blocked) {
    const body = html`<h1>Help-desk sign-in isn't available</h1>
      ${identityLine(p.username, p.csrf, p.viaToken)}
      <p class="lead">${METHOD_BLOCKED_MESSAGE}</p>`;
    return layout({ realm: p.realm, title: 'Help desk not available', body });
  }
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
                  <span class="choice-name">${deskLabel(id, desk)}</span>
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
