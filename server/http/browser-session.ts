// The browser session and the browser's device cookie: random secrets in httpOnly cookies, set on
// first contact. Requests, flows and CSRF tokens are bound to the session; the device cookie outlives
// it, so the risk signals can tell a browser the user signed in from before.
import type { Request, Response } from 'express';
import { newToken } from '../security/tokens';
import { cookieOptions, readCookie } from './cookies';

export const SESSION_COOKIE = 'hd_sid';
/** This browser, across sessions: only its SHA-256 is stored, with the user's successful sign-ins. */
export const DEVICE_COOKIE = 'hd_dev';
/** 400 days: the longest a browser keeps a cookie (RFC 6265bis caps Max-Age there). */
export const DEVICE_COOKIE_MAX_AGE_MS = 400 * 24 * 60 * 60 * 1000;

/** Both cookies hold a `newToken()`: 256 random bits, base64url. */
const BROWSER_SECRET = /^[A-Za-z0-9_-]{43}$/;

function secretIn(req: Request, cookie: string): string | undefined {
  const secret = readCookie(req, cookie);
  return secret && BROWSER_SECRET.test(secret) ? secret : undefined;
}

/** The session secret this browser sent, if it is one we could have issued. */
export function sessionOf(req: Request): string | undefined {
  return secretIn(req, SESSION_COOKIE);
}

/** The device secret this browser sent, if it is one we could have issued. */
export function deviceOf(req: Request): string | undefined {
  return secretIn(req, DEVICE_COOKIE);
}

/** This browser's device secret, issuing one when it has none (or one we could not have issued). */
export function browserDevice(req: Request, res: Response): string {
  const existing = deviceOf(req);
  if (existing) return existing;
  const secret = newToken();
  res.cookie(DEVICE_COOKIE, secret, cookieOptions(req, DEVICE_COOKIE_MAX_AGE_MS));
  return secret;
}

/** This browser's session secret, issuing one on first contact (and the device cookie with it). */
export function browserSession(req: Request, res: Response): string {
  browserDevice(req, res);
  const existing = sessionOf(req);
  if (existing) return existing;
  const secret = newToken();
  res.cookie(SESSION_COOKIE, secret, cookieOptions(req));
  return secret;
}
