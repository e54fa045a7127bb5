// A browser without JavaScript, for tests and the bench: keeps cookies, posts forms with their CSRF token, reads pages.

export interface PageResponse {
  status: number;
  /** Where a redirect points (path), if it is one. */
  location: string | undefined;
  html: string;
  headers: Headers;
}

/** The visible text of a page, whitespace collapsed (good enough to compare and search pages). */
export function pageText(html: string): string {
  return html
    .replace(/<(script|style)[\s\S]*?<\/\1>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

export class FormBrowser {
  readonly cookies = new Map<string, string>();
  /** The CSRF token of the last page that had a form. */
  csrf = '';

  constructor(readonly base: string) {}

  cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  private remember(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';').map((p) => p.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      const expired = attributes.some(
        (a) =>
          /^max-age=0$/i.test(a) || (/^expires=/i.test(a) && Date.parse(a.slice(8)) <= Date.now()),
      );
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async request(
    method: 'GET' | 'POST',
    path: string,
    form?: Record<string, string>,
  ): Promise<PageResponse> {
    const res = await fetch(`${this.base}${path}`, {
      method,
      redirect: 'manual',
      headers: {
        ...(this.cookies.size ? { cookie: this.cookieHeader() } : {}),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(form ? { body: new URLSearchParams(form).toString() } : {}),
    });
    this.remember(res);
    const html = await res.text();
    const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
    if (token) this.csrf = token;
    const location = res.headers.get('location') ?? undefined;
    return { status: res.status, location, html, headers: res.headers };
  }

  get(path: string): Promise<PageResponse> {
    return this.request('GET', path);
  }

  /** Posts a form with this browser's CSRF token unless the fields bring their own `_csrf`. */
  post(path: string, fields: Record<string, string> = {}): Promise<PageResponse> {
    return this.request('POST', path, { _csrf: this.csrf, ...fields });
  }

  /** Follows redirects (GET) until a page answers. */
  async follow(response: PageResponse): Promise<PageResponse> {
    let current = response;
    for (let hops = 0; current.location && current.status >= 300 && current.status < 400; hops++) {
      if (hops > 5) throw new Error('too many redirects');
      current = await this.get(current.location);
    }
    return current;
  }

  /** GET a page, then post its form and follow where it leads. */
  async submit(path: string, fields: Record<string, string>): Promise<PageResponse> {
    return this.follow(await this.post(path, fields));
  }
}

/** The reference code on a request page. */
export function referenceOn(html: string): string {
  const code = /class="reference-code">([0-9A-Z]{3}-[0-9A-Z]{3})</.exec(html)?.[1];
  if (!code) throw new Error('no reference code on this page');
  return code;
}

/** The phase a request page shows its request in (waiting, verifying, code-ready, completed, or how it ended). */
export function phaseOn(html: string): string {
  const phase = /data-phase-now="([^"]+)"/.exec(html)?.[1];
  if (!phase) throw new Error('no request status on this page');
  return phase;
}

/** The request id a request page follows live. */
export function requestIdOn(html: string): string {
  const id = /data-live-request="([^"]+)"/.exec(html)?.[1];
  if (!id) throw new Error('no live request on this page');
  return id;
}
