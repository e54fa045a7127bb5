// Identify: the username, and the password where the workflow asks it first.
import type { RealmConfig } from '../../contract/realm-config';
import type { SafeHtml } from './html';
import { html } from './html';
import { layout } from './layout';
import type { FieldError, Step } from './parts';
import { csrfField, errorFor, errorSummary, stepCaption, textField } from './parts';

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
