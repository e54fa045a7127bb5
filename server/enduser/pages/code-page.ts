// Enter the one-time code the agent read out.
import type { EndUserRequestStatus } from '../../contract/enduser';
import type { RealmConfig } from '../../contract/realm-config';
import type { SafeHtml } from './html';
import { html } from './html';
import { deskLabel } from '../../contract/desk-label';
import { countdown } from './countdown';
import { layout } from './layout';
import type { FieldError, Step } from './parts';
import {
  cancelForm,
  csrfField,
  errorFor,
  errorSummary,
  stepCaption,
  telLink,
  textField,
} from './parts';

export interface CodePageInput {
  realm: RealmConfig;
  csrf: string;
  step: Step;
  status: EndUserRequestStatus;
  errors: FieldError[];
  /** No passcode issued yet: say so above the form. */
  notIssuedYet: boolean;
  /** The server's clock, for the countdown of the code's lifetime. */
  now: number;
}

/** The form that sends the code: on this page, and inline on the request page once the code is ready. */
export function codeForm(p: { realm: RealmConfig; csrf: string; errors: FieldError[] }): SafeHtml {
  const digits = p.realm.otpPolicy.length;
  const example = '1234567890'.slice(0, digits).replace(/^(\d{4})(\d+)$/, '$1 $2');
  return html`<form method="post" action="/sign-in/code" novalidate data-submit-once data-code-form>
    ${csrfField(p.csrf)}
    ${textField({ id: 'otp', label: 'One-time code', hint: `${digits} digits, for example ${example}`, autocomplete: 'one-time-code', inputmode: 'numeric', maxlength: 40, error: errorFor(p.errors, 'otp'), extraClass: 'input-code' })}
    <button type="submit" class="button button-primary">Verify code</button>
  </form>`;
}

export function codePage(p: CodePageInput): SafeHtml {
  const { status } = p;
  const desk = p.realm.helpDesks[status.desk.id];
  const digits = p.realm.otpPolicy.length;
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
    ${status.phase === 'code-ready' ? countdown({ expiresAt: status.otpExpiresAt, now: p.now }) : ''}
    ${codeForm(p)}
    <div class="aside">
      <p>
        Reference code <strong class="reference-inline">${status.reference}</strong> ·
        ${deskLabel(status.desk.id, desk)} · ${telLink(desk.phone)}
      </p>
      <p><a href="/sign-in/request">Back to the request status</a></p>
    </div>
    ${cancelForm(p.csrf)}`;
  return layout({ realm: p.realm, title: 'Enter your code', body, hasErrors: p.errors.length > 0 });
}
