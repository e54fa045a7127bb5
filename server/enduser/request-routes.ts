// The end-user JSON API: submit a help-desk request, follow it, enter the passcode, cancel.
import type { Request, Response } from 'express';
import { Router } from 'express';
import { rateLimit } from 'express-rate-limit';
import { SubmitOtpSchema, SubmitRequestSchema } from '../contract/enduser';
import { usernameOf } from '../contract/username';
import type { Directory } from '../directory/directory';
import type { HelpRequest } from '../domain/help-request';
import { ServiceError } from '../errors';
import { readCookie } from '../http/cookies';
import { parseBody } from '../http/validate';
import type { RealmService } from '../realm/realm-service';
import type { RequestService } from '../requests/request-service';
import { newToken } from '../security/tokens';

export const SESSION_COOKIE = 'hd_sid';

/** The browser session's secret, set on first contact (httpOnly; the request is bound to it). */
export function browserSession(req: Request, res: Response): string {
  const existing = readCookie(req, SESSION_COOKIE);
  if (existing && /^[A-Za-z0-9_-]{43}$/.test(existing)) return existing;
  const secret = newToken();
  res.cookie(SESSION_COOKIE, secret, {
    httpOnly: true,
    sameSite: 'lax',
    secure: req.secure,
    path: '/',
  });
  return secret;
}

export interface EndUserDeps {
  requests: RequestService;
  realm: RealmService;
  directory: Directory;
}

const limited = (message: string) => ({ error: { code: 'rate-limited', message } });

export function endUserApiRoutes({ requests, realm, directory }: EndUserDeps): Router {
  const router = Router();
  const perUsername = rateLimit({
    windowMs: 10 * 60_000,
    limit: 5,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    // A body without a string username is refused by the schema and changes nothing: not counted.
    keyGenerator: (req) => `user:${usernameOf(req.body)?.slice(0, 128) ?? ''}`,
    skip: (req) => usernameOf(req.body) === undefined,
    message: limited('Too many requests for this username; wait a few minutes.'),
  });
  const otpLimit = rateLimit({
    windowMs: 60_000,
    limit: 20,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    message: limited('Too many passcode attempts from here; wait a minute.'),
  });

  // Only JSON bodies: a cross-site HTML form cannot send one without a CORS preflight, which is never granted.
  router.use('/api/enduser', (req, _res, next) => {
    if (req.method !== 'POST' || req.is('application/json')) return next();
    next(new ServiceError('bad-request', 'Send the body as application/json.'));
  });

  const ownRequest = (req: Request, res: Response): { request: HelpRequest; secret: string } => {
    const secret = browserSession(req, res);
    const request = requests.findForSession(String(req.params.id), secret);
    if (!request) throw new ServiceError('not-found', 'No such request in this browser.');
    return { request, secret };
  };

  router.post('/api/enduser/requests', perUsername, async (req, res) => {
    const body = parseBody(SubmitRequestSchema, req, 'The request');
    const config = realm.config;
    if (config.workflow === 'username-password|second-factor') {
      // Checked the same way for known and unknown users, so the answer does not reveal which.
      const ok = await directory.checkPassword(body.username, body.password ?? '');
      if (!ok) throw new ServiceError('unauthenticated', 'The username or password is not right.');
    }
    const secret = browserSession(req, res);
    const request = await requests.submit({
      username: body.username,
      desk: body.desk,
      sessionSecret: secret,
      origin: {
        ip: req.ip ?? '',
        userAgent: String(req.headers['user-agent'] ?? '').slice(0, 300),
      },
    });
    res.status(201).json({ data: requests.endUserStatus(request) });
  });

  router.get('/api/enduser/requests/:id', (req, res) => {
    const { request } = ownRequest(req, res);
    res.json({ data: requests.endUserStatus(request) });
  });

  router.post('/api/enduser/requests/:id/otp', otpLimit, async (req, res) => {
    const { otp } = parseBody(SubmitOtpSchema, req, 'The passcode');
    const { request, secret } = ownRequest(req, res);
    const outcome = await requests.submitOtp(request.id, secret, otp);
    const status = requests.endUserStatus(outcome.request);
    res.json({
      data:
        outcome.result === 'wrong'
          ? { result: 'wrong', attemptsLeft: outcome.attemptsLeft, status }
          : { result: outcome.result, status },
    });
  });

  router.delete('/api/enduser/requests/:id', async (req, res) => {
    const { request, secret } = ownRequest(req, res);
    const cancelled = await requests.cancelByUser(request.id, secret);
    res.json({ data: requests.endUserStatus(cancelled) });
  });

  return router;
}
