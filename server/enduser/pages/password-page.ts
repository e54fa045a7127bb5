// The password after the code, in the workflows that ask it last.
import type { RealmConfig } from '../../contract/realm-config';
import type { SafeHtml } from './html';
import { html } from './html';
import { layout } from './layout';
import type { FieldError, Step } from './parts';
import { csrfField, errorFor, errorSummary, stepCaption, textField } from './parts';

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
