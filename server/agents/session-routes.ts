// HTTP routes for agent sign-in and sign-out: POST and DELETE /api/agent/session.
import { Router } from 'express';
import { rateLimit } from 'express-rate-limit';
import { LoginSchema } from '../contract/agents';
import { usernameOf } from '../contract/username';
import { ServiceError } from '../errors';
import { bearerToken } from '../http/bearer-token';
import { parseBody } from '../http/validate';
import { RATE_LIMIT_VALIDATION } from '../enduser/rate-limits';
import type { LimitStores } from '../http/shared-rate-limit-store';
import type { AgentSessions } from './agent-sessions';

/** `limitStores`: counters every process of a cluster shares (absent: in memory). */
export function sessionRoutes(sessions: AgentSessions, limitStores?: LimitStores): Router {
  const router = Router();
  const limited = (message: string) => ({ error: { code: 'rate-limited', message } });
  const store = (name: string) => (limitStores ? { store: limitStores(name) } : {});
  const perIp = rateLimit({
    ...store('agent-login:ip'),
    windowMs: 15 * 60_000,
    limit: 50,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    validate: RATE_LIMIT_VALIDATION,
    message: limited('Too many sign-in attempts from here; wait a few minutes.'),
  });
  const perUsername = rateLimit({
    ...store('agent-login:user'),
    windowMs: 15 * 60_000,
    limit: 10,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    validate: RATE_LIMIT_VALIDATION,
    skipSuccessfulRequests: true,
    // Counted per account as the login finds it (one normalisation); a body without a string
    // username is refused before any password is checked, so it costs no account a try.
    keyGenerator: (req) => `agent:${usernameOf(req.body)?.slice(0, 64) ?? ''}`,
    skip: (req) => usernameOf(req.body) === undefined,
    message: limited('Too many failed sign-ins for this account; wait a few minutes.'),
  });

  router.post('/api/agent/session', perIp, perUsername, async (req, res) => {
    const body = parseBody(LoginSchema, req, 'The sign-in');
    const result = await sessions.login(body, req.ip ?? '');
    res.status(201).json({ data: result });
  });

  router.delete('/api/agent/session', async (req, res) => {
    const token = bearerToken(req.headers.authorization);
    if (!token)
      throw new ServiceError('unauthenticated', 'Send the session token as a Bearer token.');
    await sessions.logout(token);
    res.status(204).end();
  });

  return router;
}
