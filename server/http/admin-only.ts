// Lets an admin's HTTP request through: a live session's bearer token, the authenticator enrolled
// where the realm requires one, the admin role; anyone else's attempt is refused (and audited).
import type { Request, RequestHandler } from 'express';
import type { AgentSessions } from '../agents/agent-sessions';
import type { Authenticator } from '../agents/authenticator';
import { ServiceError } from '../errors';
import type { AgentRecord, AuditLog } from '../store/repositories';
import { bearerToken } from './bearer-token';

export interface AdminOnlyDeps {
  sessions: AgentSessions;
  authenticator: Authenticator;
  audit: AuditLog;
}

/** The middleware for one route, and the admin it let through for a request. */
export function adminGate(deps: AdminOnlyDeps): {
  adminOnly(route: string): RequestHandler;
  adminOf(req: Request): AgentRecord;
} {
  const admins = new WeakMap<Request, AgentRecord>();
  return {
    adminOnly: (route) => async (req, _res, next) => {
      const auth = await deps.sessions.authenticateShared(bearerToken(req.headers.authorization));
      if (!auth)
        throw new ServiceError(
          'unauthenticated',
          'Send an admin session token as Authorization: Bearer <token>.',
        );
      const { agent } = auth;
      if (deps.authenticator.mustEnrol(agent))
        throw new ServiceError(
          'totp-required',
          'Enrol an authenticator app first: this realm requires one for your account.',
        );
      if (agent.role !== 'admin') {
        const message = 'Only an admin can do that.';
        await deps.audit.record({
          actor: `agent:${agent.username}`,
          action: 'authz.denied',
          details: { route, message },
        });
        throw new ServiceError('forbidden', message, undefined, { audited: true });
      }
      admins.set(req, agent);
      next();
    },
    adminOf(req) {
      const agent = admins.get(req);
      if (!agent) throw new ServiceError('unauthenticated', 'Not signed in.');
      return agent;
    },
  };
}
