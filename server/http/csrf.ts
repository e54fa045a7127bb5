// Double-submit CSRF tokens bound to the browser session: a form post without its session's token changes nothing.
import type { Request, RequestHandler } from 'express';
import type { CookieSigner } from './signed-cookie';
import { sessionOf } from './browser-session';

export class CsrfTokens {
  constructor(private readonly signer: CookieSigner) {}

  /** The token the forms of this browser session carry in their `_csrf` field. */
  tokenFor(sessionSecret: string): string {
    return this.signer.mac('csrf', sessionSecret);
  }

  /** The post carries the token of the session cookie it came with. */
  isValid(req: Request): boolean {
    const sid = sessionOf(req);
    const sent = (req.body as Record<string, unknown> | undefined)?._csrf;
    return (
      sid !== undefined &&
      typeof sent === 'string' &&
      sent !== '' &&
      this.signer.equal(sent, this.tokenFor(sid))
    );
  }

  /** Lets a post with a valid token through and answers any other with `refuse`. */
  require(refuse: RequestHandler): RequestHandler {
    return (req, res, next) => (this.isValid(req) ? next() : refuse(req, res, next));
  }
}
