// Reads an end-user browser's signed `hd_flow` cookie (base64url JSON, then a MAC) without the key.

export interface FlowCookieView {
  /** The username being signed in. */
  u: string;
  /** The request this browser follows. */
  rid?: string;
  /** Set by a cancel that really cancelled the request. */
  notice?: { kind: string; reference: string };
  /** Set once the sign-in completed. */
  done?: { desk: string };
}

/** The flow a browser carries, or undefined when it has none. */
export function flowOf(browser: {
  cookies: ReadonlyMap<string, string>;
}): FlowCookieView | undefined {
  const signed = browser.cookies.get('hd_flow');
  if (!signed) return undefined;
  const payload = decodeURIComponent(signed).split('.')[0] ?? '';
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as FlowCookieView;
}
