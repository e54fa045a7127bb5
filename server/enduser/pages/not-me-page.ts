// "This wasn't me": the page a notice mail's link opens (asks to confirm; opening it changes nothing),
// and the page once it is done.
import type { RealmConfig } from '../../contract/realm-config';
import type { SafeHtml } from './html';
import { html } from './html';
import { layout } from './layout';
import { csrfField } from './parts';

export interface NotMeConfirmInput {
  realm: RealmConfig;
  csrf: string;
  /** The signed link token, posted back with the confirmation. */
  token: string;
  username: string;
}

export function notMeConfirmPage(p: NotMeConfirmInput): SafeHtml {
  const body = html`<h1>Wasn't this you?</h1>
    <p class="lead">
      We told you a help desk was helping someone sign in as
      <strong class="username">${p.username}</strong>.
    </p>
    <p>If it wasn't you, confirm below. We will:</p>
    <ul>
      <li>stop any help-desk sign-in request for your account that is still open,</li>
      <li>block help-desk sign-in for your account until an administrator checks it,</li>
      <li>sign your account out of devices that remember it here, and</li>
      <li>alert your administrators straight away.</li>
    </ul>
    <form method="post" action="/sign-in/not-me" novalidate data-submit-once>
      ${csrfField(p.csrf)}
      <input type="hidden" name="t" value="${p.token}" />
      <button type="submit" class="button button-primary">It wasn't me: block it</button>
    </form>
    <p class="aside">If it was you, close this page. Nothing changes until you confirm.</p>`;
  return layout({ realm: p.realm, title: "Wasn't this you?", body });
}

export function notMeDonePage(p: { realm: RealmConfig; username: string }): SafeHtml {
  const body = html`<h1>Thank you: help-desk sign-in is blocked for your account</h1>
    <p class="lead">
      Any open help-desk request for <strong class="username">${p.username}</strong> has been
      stopped, and your administrators have been alerted.
    </p>
    <p>
      Contact your administrator: they will check what happened and can turn help-desk sign-in back
      on for you. If you know your password may be known to someone else, change it now.
    </p>`;
  return layout({ realm: p.realm, title: 'Help-desk sign-in is blocked', body });
}
