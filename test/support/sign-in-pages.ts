// The end-user's steps on the sign-in pages, as a browser without JavaScript takes them: identify, ask a desk, enter the code.
import { io as connect, type Socket } from 'socket.io-client';
import type { EndUserRequestStatus } from '../../server/contract/enduser';
import type { EndUserServerToClientEvents } from '../../server/realtime/enduser-namespace';
import type { PageResponse } from './form-browser';
import { FormBrowser, pageText, referenceOn, requestIdOn } from './form-browser';

/** A browser whose request a desk has received, on the request page it was sent to. */
export interface AskedForHelp {
  browser: FormBrowser;
  page: PageResponse;
  reference: string;
  requestId: string;
}

function unexpected(step: string, res: PageResponse): Error {
  return new Error(
    `${step}: ${res.status} ${res.location ?? ''} ${pageText(res.html).slice(0, 200)}`,
  );
}

/** A new browser that has identified as `username`, with the password where the workflow asks for it first. */
export async function identify(
  base: string,
  username: string,
  password?: string,
): Promise<FormBrowser> {
  const browser = new FormBrowser(base);
  await browser.get('/sign-in');
  const res = await browser.post('/sign-in', {
    username,
    ...(password !== undefined ? { password } : {}),
  });
  if (res.status !== 303 || res.location !== '/sign-in/method') throw unexpected('identify', res);
  return browser;
}

/** From the method page, sends a request to `desk` and follows it to the request page. */
export async function sendRequest(
  browser: FormBrowser,
  desk: '1' | '2' = '1',
): Promise<AskedForHelp> {
  await browser.get('/sign-in/method');
  const page = await browser.submit('/sign-in/method', { desk });
  if (page.status !== 200) throw unexpected('send a request', page);
  return { browser, page, reference: referenceOn(page.html), requestId: requestIdOn(page.html) };
}

/** A new browser that identifies as `username` and asks `desk` for a code. */
export async function askForHelp(
  base: string,
  username: string,
  desk: '1' | '2' = '1',
  password?: string,
): Promise<AskedForHelp> {
  return sendRequest(await identify(base, username, password), desk);
}

/** Opens the code page and enters `otp` as typed, following where the form leads. */
export async function enterCode(browser: FormBrowser, otp: string): Promise<PageResponse> {
  await browser.get('/sign-in/code');
  return browser.submit('/sign-in/code', { otp });
}

/** Cancels the browser's request with the request page's button. */
export async function cancelRequest(browser: FormBrowser): Promise<PageResponse> {
  await browser.get('/sign-in/request');
  return browser.submit('/sign-in/cancel', {});
}

/** The status the request page's script receives on the /enduser socket when it connects. */
export async function liveStatus(
  browser: FormBrowser,
  requestId: string,
): Promise<EndUserRequestStatus> {
  const socket: Socket<EndUserServerToClientEvents> = connect(`${browser.base}/enduser`, {
    auth: { requestId },
    extraHeaders: { cookie: browser.cookieHeader() },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  try {
    return await new Promise((resolve, reject) => {
      socket.once('status', resolve);
      socket.once('connect_error', reject);
    });
  } finally {
    socket.disconnect();
  }
}
