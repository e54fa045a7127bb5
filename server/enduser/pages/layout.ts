// The frame of every sign-in page: head (stylesheet, scripts, no inline code), masthead, card, footer.
import type { RealmConfig } from '../../contract/realm-config';
import type { SafeHtml } from './html';
import { FAVICON_PATH } from '../assets';
import { html } from './html';

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

export function layout(options: LayoutOptions): SafeHtml {
  const { realm } = options;
  const title = `${options.hasErrors ? 'Error: ' : ''}${options.title} – ${realm.name}`;
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title}</title>
        <link rel="icon" href="${FAVICON_PATH}" type="image/svg+xml" />
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
