// Pages for when something stands in the way: a refusal, an error, too many attempts.
import type { RealmConfig } from '../../contract/realm-config';
import { HELP_DESK_IDS } from '../../contract/realm-config';
import type { SafeHtml } from './html';
import { html } from './html';
import { layout } from './layout';
import { telLink } from './parts';

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

/**
 * While the server cannot reach its database: nothing could be checked or changed, so nothing was,
 * and trying again shortly works (answered 503 with Retry-After).
 */
export function storeUnavailablePage(realm: RealmConfig): SafeHtml {
  return problemPage({
    realm,
    title: 'Sign-in is briefly unavailable',
    paragraphs: [
      'The sign-in service is briefly unavailable, so nothing could be checked or changed.',
      'Please try again in a minute; where you had got to is kept.',
    ],
    action: { href: '/sign-in', label: 'Try again' },
    showDesks: true,
  });
}
