// The end-user's path for benchmarks: the sign-in pages, walked as a browser without JavaScript
// walks them (GET a page for its CSRF token and cookies, POST its form, follow the redirect).
// Every end-user figure goes through here, against our server and the bare baseline alike.
// Plain node:http with keep-alive rather than fetch: the load generator shares the machine's two
// cores with the servers, and fetch costs it several times more CPU per call.
import http from 'node:http';

const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });

function send(
  url: URL,
  method: 'GET' | 'POST',
  headers: Record<string, string>,
  body: string | undefined,
  retried = false,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      res.on('error', reject);
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      // A kept-alive connection the server closed just as we reused it: the request never
      // reached the server, so sending it again (once, on a new connection) is what a browser does.
      if (req.reusedSocket && error.code === 'ECONNRESET' && !retried)
        resolve(send(url, method, headers, body, true));
      else reject(error);
    });
    req.end(body);
  });
}

export interface Page {
  status: number;
  /** Where a redirect points (path), if it is one. */
  location: string | undefined;
  html: string;
}

/** One browser: its cookies, the CSRF token of the last form it saw, and the address it comes from. */
export class PageClient {
  readonly cookies = new Map<string, string>();
  csrf = '';

  constructor(
    readonly base: string,
    /** Sent as X-Forwarded-For (the servers trust one proxy hop in benches): one address per person. */
    readonly ip: string,
  ) {}

  async request(method: 'GET' | 'POST', path: string, form?: Record<string, string>) {
    const headers: Record<string, string> = { 'x-forwarded-for': this.ip };
    if (this.cookies.size > 0)
      headers.cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    if (form) headers['content-type'] = 'application/x-www-form-urlencoded';
    const body = form ? new URLSearchParams(form).toString() : undefined;
    if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
    const res = await send(new URL(path, this.base), method, headers, body);
    for (const line of res.headers['set-cookie'] ?? []) {
      const pair = line.split(';', 1)[0] ?? '';
      const eq = pair.indexOf('=');
      const value = pair.slice(eq + 1);
      if (value === '' || /;\s*(max-age=0|expires=Thu, 01 Jan 1970)/i.test(line))
        this.cookies.delete(pair.slice(0, eq));
      else this.cookies.set(pair.slice(0, eq), value);
    }
    const token = csrfOn(res.text);
    if (token) this.csrf = token;
    const location = res.headers.location;
    return { status: res.status, location, html: res.text } satisfies Page;
  }

  get(path: string): Promise<Page> {
    return this.request('GET', path);
  }

  post(path: string, fields: Record<string, string> = {}): Promise<Page> {
    return this.request('POST', path, { _csrf: this.csrf, ...fields });
  }

  /** Follows redirects (GET) until a page answers, as a browser does after a form's 303. */
  async follow(page: Page): Promise<Page> {
    let current = page;
    for (let hops = 0; current.location && current.status >= 300 && current.status < 400; hops++) {
      if (hops > 5) throw new Error('too many redirects');
      current = await this.get(current.location);
    }
    return current;
  }
}

/** The hidden `_csrf` field's value, whatever the order of the input's attributes. */
function csrfOn(html: string): string | undefined {
  const input = /<input[^>]*name="_csrf"[^>]*>/.exec(html)?.[0];
  return input ? /value="([^"]*)"/.exec(input)?.[1] : undefined;
}

/** The request id the request page follows live. */
function requestIdOn(html: string): string | undefined {
  return /data-live-request="([^"]+)"/.exec(html)?.[1];
}

/**
 * The first steps, up to the choice of desk, in the workflow `username|second-factor`: the start
 * page, the username form, and the method page it leads to.
 */
async function identify(base: string, username: string, ip: string): Promise<PageClient> {
  const browser = new PageClient(base, ip);
  await browser.get('/sign-in');
  const method = await browser.follow(await browser.post('/sign-in', { username }));
  if (method.status !== 200 || !browser.csrf)
    throw new Error(`identify ${username}: the method page answered ${method.status}`);
  return browser;
}

export interface Submitted {
  /** The status of the desk form's POST: 303 when the request was made. */
  status: number;
  requestId: string | undefined;
  /** Why the submit did not make a request. */
  failure?: string;
}

/**
 * Chooses the desk on the method page (the submit itself) and follows to the request page.
 * `onSubmit` runs just before the form is posted: the moment a latency is measured from.
 */
async function chooseDesk(
  browser: PageClient,
  desk: '1' | '2',
  onSubmit?: () => void,
): Promise<Submitted> {
  onSubmit?.();
  const posted = await browser.post('/sign-in/method', { desk });
  if (posted.status !== 303 || posted.location !== '/sign-in/request')
    return {
      status: posted.status === 303 ? 409 : posted.status,
      requestId: undefined,
      failure: `the desk form answered ${posted.status} ${posted.location ?? ''}`,
    };
  const page = await browser.follow(posted);
  return { status: posted.status, requestId: requestIdOn(page.html) };
}

/** A whole submit as a person makes it: identify, choose the desk, land on the request page. */
export async function submitThroughPages(
  base: string,
  username: string,
  desk: '1' | '2',
  ip: string,
  onSubmit?: () => void,
): Promise<Submitted & { browser: PageClient | undefined }> {
  let browser: PageClient;
  try {
    browser = await identify(base, username, ip);
  } catch (error) {
    return { status: 0, requestId: undefined, browser: undefined, failure: String(error) };
  }
  return { ...(await chooseDesk(browser, desk, onSubmit)), browser };
}
