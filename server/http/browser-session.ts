// The browser session: a random secret in an httpOnly cookie, set on first contact; requests, flows and CSRF tokens are bound to it.
import type { Request, Response } from 'express';
import { newToken } from '../security/tokens';
import { cookieOptions, readCookie } from './cookies';

export const SESSION_COOKIE = 'hd_sid';

const SESSION_SECRET = /^[A-Za-z0-9_-]{43}$/;

/** The session secret this browser sent, if it is one we could have issued. */
export function sessionOf(req: Request): string | undefined {
  const secret = readCookie(req, SESSION_COOKIE);
  return secret && SESSION_SECRET.test(secret) ? secret : undefined;
}

/** This browser's session secret, issuing one on first contact. */
export function browserSession(req: Request, res: Response): string {
  const existing = sessionOf(req);
  if (existing) return existing;
  const secret = newToken();
  res.cookie(SESSION_COOKIE, secret, cookieOptions(req));
  return secret;
}
