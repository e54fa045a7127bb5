// Agents' sessions: sign-in with password (and authenticator code), bearer tokens, sign-out and expiry.
import type { LoginBody, LoginResult } from '../contract/agents';
import { ServiceError } from '../errors';
import { hashPassword, verifyPassword } from '../security/passwords';
import { digestToken, newId, newToken } from '../security/tokens';
import type { AgentRecord, Repositories, SessionRecord } from '../store/repositories';
import { toAgentView } from './agent-view';
import type { Authenticator } from './authenticator';

const SESSION_LIFETIME_MS = 12 * 60 * 60 * 1000;
/**
 * A session read from the database (another process added it, and this process's cache has not
 * caught up yet) is believed for this long; after that only the cache answers, so a session ended
 * elsewhere cannot live on here.
 */
const LOOKED_UP_KEPT_MS = 5_000;

export interface AuthenticatedSession {
  session: SessionRecord;
  agent: AgentRecord;
}

export type SessionEndReason = 'logged-out' | 'disabled' | 'expired';
export type SessionEndListener = (sessionIds: string[], reason: SessionEndReason) => void;

export class AgentSessions {
  private readonly sessionEndListeners = new Set<SessionEndListener>();
  /** Sessions found by `lookup` that the cache did not know yet, by id, with when they were read. */
  private readonly lookedUp = new Map<string, { session: SessionRecord; at: number }>();
  /** A real hash checked for unknown usernames so a login takes as long either way. */
  private decoyHash: Promise<string> | undefined;

  constructor(
    private readonly repos: Pick<Repositories, 'agents' | 'sessions' | 'audit'>,
    private readonly authenticator: Authenticator,
    private readonly now: () => number,
  ) {}

  onSessionsEnded(listener: SessionEndListener): () => void {
    this.sessionEndListeners.add(listener);
    return () => this.sessionEndListeners.delete(listener);
  }

  async login(body: LoginBody, ip: string): Promise<LoginResult> {
    const agent = this.repos.agents.byUsername(body.username);
    const passwordOk = agent
      ? await verifyPassword(body.password, agent.passwordHash)
      : await verifyPassword(body.password, await (this.decoyHash ??= hashPassword(newToken())));
    if (!agent || !passwordOk || !agent.enabled) {
      await this.repos.audit.record({
        actor: `agent:${body.username}`,
        action: 'agent.login-failed',
        details: {
          ip,
          reason: !agent ? 'unknown-user' : !passwordOk ? 'bad-password' : 'disabled',
        },
      });
      throw new ServiceError(
        'unauthenticated',
        'Wrong username or password, or the account is disabled.',
      );
    }
    // An enrolled agent always gives a code. One whom the realm requires but who has not enrolled
    // yet signs in with the password alone, into a session that can do nothing but enrol.
    if (agent.totpSecret) {
      if (!body.totp)
        throw new ServiceError(
          'totp-required',
          'Enter the six-digit code from your authenticator app.',
        );
      if (!(await this.authenticator.acceptSignInCode(agent, body.totp))) {
        await this.repos.audit.record({
          actor: `agent:${agent.username}`,
          action: 'agent.login-failed',
          details: { ip, reason: 'bad-totp' },
        });
        throw new ServiceError('unauthenticated', 'That authenticator code is not valid.');
      }
    }
    const token = newToken();
    const now = this.now();
    const session: SessionRecord = {
      tokenHash: digestToken(token),
      id: newId(),
      agentId: agent.id,
      createdAt: now,
      expiresAt: now + SESSION_LIFETIME_MS,
    };
    const mustEnrolTotp = this.authenticator.mustEnrol(agent);
    await Promise.all([
      this.repos.sessions.add(session),
      this.repos.audit.record({
        actor: `agent:${agent.username}`,
        action: 'agent.login',
        details: { ip, session: session.id, mustEnrolTotp },
      }),
    ]);
    return { token, expiresAt: session.expiresAt, agent: toAgentView(agent), mustEnrolTotp };
  }

  /** The live session behind a bearer token, or undefined (unknown, expired, or agent disabled). */
  authenticate(token: string | undefined): AuthenticatedSession | undefined {
    if (!token || token.length > 200) return undefined;
    return this.live(this.repos.sessions.byTokenHash(digestToken(token)));
  }

  /**
   * As `authenticate`, and when the store's cache does not know the token, as the database does: a
   * session made by another process a moment ago works here at once.
   */
  async authenticateShared(token: string | undefined): Promise<AuthenticatedSession | undefined> {
    const cached = this.authenticate(token);
    if (cached || !token || token.length > 200 || !this.repos.sessions.lookup) return cached;
    const session = await this.repos.sessions.lookup(digestToken(token));
    if (!session) return undefined;
    if (!this.repos.sessions.byId(session.id)) {
      this.lookedUp.set(session.id, { session, at: Date.now() });
      this.forgetOldLookups();
    }
    return this.live(session);
  }

  /** Is this session still good? Checked on every socket event, not just at connect. */
  stillValid(sessionId: string): AuthenticatedSession | undefined {
    return this.live(this.repos.sessions.byId(sessionId) ?? this.recentlyLookedUp(sessionId));
  }

  /** The store's cache caught up with another process's change of this session (id or token hash). */
  sessionChangedElsewhere(key: string): void {
    for (const [id, { session }] of this.lookedUp)
      if (id === key || session.tokenHash === key) this.lookedUp.delete(id);
  }

  private recentlyLookedUp(sessionId: string): SessionRecord | undefined {
    const found = this.lookedUp.get(sessionId);
    if (!found) return undefined;
    if (Date.now() - found.at <= LOOKED_UP_KEPT_MS) return found.session;
    this.lookedUp.delete(sessionId);
    return undefined;
  }

  private forgetOldLookups(): void {
    const before = Date.now() - LOOKED_UP_KEPT_MS;
    for (const [id, { at }] of this.lookedUp) if (at < before) this.lookedUp.delete(id);
  }

  private live(session: SessionRecord | undefined): AuthenticatedSession | undefined {
    if (!session || session.expiresAt <= this.now()) return undefined;
    const agent = this.repos.agents.byId(session.agentId);
    return agent && agent.enabled ? { session, agent } : undefined;
  }

  async logout(token: string): Promise<void> {
    const auth = await this.authenticateShared(token);
    if (!auth) throw new ServiceError('unauthenticated', 'Not signed in.');
    await this.end([auth.session], 'logged-out');
    await this.repos.audit.record({
      actor: `agent:${auth.agent.username}`,
      action: 'agent.logout',
      details: { session: auth.session.id },
    });
  }

  /** Ends every session of an agent (disabled, password or authenticator reset). */
  endAllOf(agentId: string, reason: SessionEndReason): Promise<void> {
    return this.end(this.repos.sessions.ofAgent(agentId), reason);
  }

  /** Drops expired sessions and tells listeners so their sockets close. */
  expireSessions(): Promise<void> {
    return this.end(this.repos.sessions.expiredAt(this.now()), 'expired');
  }

  private async end(sessions: readonly SessionRecord[], reason: SessionEndReason): Promise<void> {
    const ended = sessions.map((s) => s.id);
    if (ended.length === 0) return;
    for (const id of ended) this.lookedUp.delete(id);
    await this.repos.sessions.remove(ended);
    for (const listener of this.sessionEndListeners) listener(ended, reason);
  }
}
