// The pieces the pages share: step caption, error summary, fields, the start-over and cancel forms, desk contacts.
import type { HelpDesk } from '../../contract/realm-config';
import type { SafeHtml } from './html';
import { attr, html } from './html';

export interface FieldError {
  /** The id of the field the message belongs to; none for a form-level message. */
  field?: string;
  message: string;
}

export interface Step {
  current: number;
  total: number;
}

export function csrfField(token: string): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${token}" />`;
}

export function stepCaption(step: Step | undefined): SafeHtml | string {
  return step ? html`<p class="step-caption">Step ${step.current} of ${step.total}</p>` : '';
}

export function errorSummary(
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

export function textField(o: TextFieldOptions): SafeHtml {
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

export function errorFor(errors: readonly FieldError[], field: string): string | undefined {
  return errors.find((e) => e.field === field)?.message;
}

/** "Not you?" / "Start over": a POST, because it clears state. */
function restartForm(csrf: string, label: string, forgetDevice: boolean): SafeHtml {
  return html`<form class="inline-form" method="post" action="/sign-in/restart">
    ${csrfField(csrf)}${forgetDevice ? html`<input type="hidden" name="forget" value="1" />` : ''}
    <button type="submit" class="link-button">${label}</button>
  </form>`;
}

export function cancelForm(csrf: string): SafeHtml {
  return html`<form class="cancel-form" method="post" action="/sign-in/cancel" data-open-only>
    ${csrfField(csrf)}
    <button type="submit" class="button button-secondary">Cancel request</button>
  </form>`;
}

/** An address that may wrap after its @ on a narrow screen rather than mid-word. */
export function breakableEmail(email: string): SafeHtml {
  const at = email.lastIndexOf('@');
  return at < 0 ? html`${email}` : html`${email.slice(0, at + 1)}<wbr />${email.slice(at + 1)}`;
}

export function telLink(phone: string): SafeHtml {
  return html`<a href="tel:${phone}">${phone}</a>`;
}

function mailtoHref(email: string, reference: string, username: string): string {
  const subject = `Sign-in help request ${reference}`;
  const body = `Hello,\n\nI need a one-time code to finish signing in.\n\nReference code: ${reference}\nUsername: ${username}\n`;
  return `mailto:${encodeURI(email)}?subject=${encodeURIComponent(subject)}&body=${encodeURIComponent(body)}`;
}

export function deskContact(desk: HelpDesk, reference: string, username: string): SafeHtml {
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

export function identityLine(username: string, csrf: string, forgetDevice: boolean): SafeHtml {
  return html`<div class="identity">
    <p>Signing in as <strong class="username">${username}</strong></p>
    ${restartForm(csrf, forgetDevice ? 'Not you? Use another account' : 'Not you? Start over', forgetDevice)}
  </div>`;
}
