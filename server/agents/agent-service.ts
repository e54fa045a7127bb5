// Agent accounts and their sessions: login, logout, expiry, and admin management of agents.
import { generateSecret, generateURI, verifySync } from 'otplib';
import QRCode from 'qrcode';
import type { TotpEnrolment } from '../contract/agent-events';
import type {
  AgentCreate,
  AgentUpdate,
  AgentView,
  LoginBody,
  LoginResult,
} from '../contract/agents';
import { ServiceError } from '../errors';
import { generatePassword, hashPassword, verifyPassword } from '../security/passwords';
import { digestToken, newId, newToken } from '../security/tokens';
import type { Storage } from '../store/storage';
import type { AgentRecord, SessionRecord } from './agent-record';
import { toAgentView } from './agent-record';

export const SESSION_LIFETIME_MS = 12 * 60 * 60 * 1000;
/** The issuer an authenticator app shows beside the account name. */
export const TOTP_ISSUER = 'Help Desk OTP';
/** Seconds of clock drift accepted either way (one 30-second step). */
const TOTP_EPOCH_TOLERANCE = 30;

export interface AuthenticatedSession {
  session: SessionRecord;
  agent: AgentRecord;
}

export type SessionEndReason = 'logged-out' | 'disabled' | 'expired';
export type SessionEndListener = (sessionIds: string[], reason: SessionEndReason) => void;
export type AgentChangeListener = (agent: AgentRecord) => void;

export class AgentService {
  private readonly sessionEndListeners = new Set<SessionEndListener>();
  private readonly agentChangeListeners = new Set<AgentChangeListener>();
  /** A real hash checked for unknown usernames so a login takes as long either way. */
  private decoyHash: Promise<string> | undefined;

  constructor(
    private readonly storage: Storage,
    private readonly now: () => number,
  ) {}

  onSessionsEnded(listener: SessionEndListener): () => void {
    this.sessionEndListeners.add(listener);
    return () => this.sessionEndListeners.delete(listener);
  }

  onAgentChanged(listener: AgentChangeListener): () => void {
    this.agentChangeListeners.add(listener);
    return () => this.agentChangeListeners.delete(listener);
  }

  list(): AgentView[] {
    return this.storage.agents.data.agents.map(toAgentView);
  }

  byId(id: string): AgentRecord | undefined {
    return this.storage.agents.data.agents.find((a) => a.id === id);
  }

  private byUsername(username: string): AgentRecord | undefined {
    return this.storage.agents.data.agents.find((a) => a.username === username);
  }

  /** Does the realm's `agentTotp` rule require an authenticator of this agent? */
  totpRequired(agent: AgentRecord): boolean {
    const rule = this.storage.realm.data.agentTotp;
    return rule === 'everyone' || (rule === 'admins' && agent.role === 'admin');
  }

  /** Required but not enrolled: the agent's sessions may do nothing but enrol. */
  mustEnrolTotp(agent: AgentRecord): boolean {
    return this.totpRequired(agent) && agent.totpSecret === undefined;
  }

  /**
   * Checks a code against a secret and, when it is good, records its time step at once (in
   * memory, before any await) so the same code cannot be used again, here or in a parallel call.
   */
  private async acceptTotpCode(
    agent: AgentRecord,
    secret: string,
    code: string,
    extra: (draft: AgentRecord) => void = () => {},
  ): Promise<boolean> {
    const result = verifySync({
      secret,
      token: code,
      epoch: Math.floor(this.now() / 1000),
      epochTolerance: TOTP_EPOCH_TOLERANCE,
      ...(agent.totpLastTimeStep !== undefined ? { afterTimeStep: agent.totpLastTimeStep } : {}),
    });
    // A TOTP result carries the time step it matched (an HOTP one would not).
    if (!result.valid || !('timeStep' in result)) return false;
    const { timeStep } = result;
    await this.storage.agents.update((d) => {
      const draft = d.agents.find((a) => a.id === agent.id);
      if (!draft) return;
      draft.totpLastTimeStep = timeStep;
      extra(draft);
      draft.updatedAt = this.now();
    });
    return true;
  }

  /**
   * Starts enrolling an authenticator app: a fresh secret, kept pending on the agent's record
   * (replacing any earlier unconfirmed one) until `confirmTotp` proves the app has it.
   */
  async beginTotp(agent: AgentRecord): Promise<TotpEnrolment> {
    if (agent.totpSecret)
      throw new ServiceError(
        'conflict',
        'An authenticator app is already enrolled; ask an admin to reset it to enrol another.',
      );
    const secret = generateSecret();
    const otpauthUri = generateURI({ issuer: TOTP_ISSUER, label: agent.username, secret });
    const qrDataUrl = await QRCode.toDataURL(otpauthUri, { errorCorrectionLevel: 'M', margin: 2 });
    await Promise.all([
      this.storage.agents.update((d) => {
        const draft = d.agents.find((a) => a.id === agent.id);
        if (!draft) throw new ServiceError('not-found', 'No such agent.');
        draft.pendingTotpSecret = secret;
        draft.updatedAt = this.now();
      }),
      this.storage.audit.record({
        actor: `agent:${agent.username}`,
        action: 'agent.totp-enrolment-started',
        details: {},
      }),
    ]);
    return { secret, otpauthUri, qrDataUrl };
  }

  /** Finishes enrolment with a current code from the app: from now on sign-in needs a code. */
  async confirmTotp(agent: AgentRecord, code: string): Promise<{ enrolled: true }> {
    if (agent.totpSecret)
      throw new ServiceError('conflict', 'An authenticator app is already enrolled.');
    const pending = agent.pendingTotpSecret;
    if (!pending)
      throw new ServiceError('invalid-state', 'Start enrolment first: no code is expected yet.');
    const accepted = await this.acceptTotpCode(agent, pending, code, (draft) => {
      draft.totpSecret = pending;
      delete draft.pendingTotpSecret;
    });
    if (!accepted) {
      await this.storage.audit.record({
        actor: `agent:${agent.username}`,
        action: 'agent.totp-confirm-failed',
        details: {},
      });
      throw new ServiceError(
        'bad-request',
        'That code does not match; check the app shows "Help Desk OTP" and try the current code.',
        { code: 'Not the current code' },
      );
    }
    await this.storage.audit.record({
      actor: `agent:${agent.username}`,
      action: 'agent.totp-enrolled',
      details: {},
    });
    const enrolled = this.byId(agent.id);
    if (enrolled) for (const listener of this.agentChangeListeners) listener(enrolled);
    return { enrolled: true };
  }

  async login(body: LoginBody, ip: string): Promise<LoginResult> {
    const agent = this.byUsername(body.username);
    const passwordOk = agent
      ? await verifyPassword(body.password, agent.passwordHash)
      : await verifyPassword(body.password, await (this.decoyHash ??= hashPassword(newToken())));
    if (!agent || !passwordOk || !agent.enabled) {
      await this.storage.audit.record({
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
      if (!(await this.acceptTotpCode(agent, agent.totpSecret, body.totp))) {
        await this.storage.audit.record({
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
    await Promise.all([
      this.storage.sessions.update((d) => {
        d.sessions = d.sessions.filter((s) => s.expiresAt > now).concat(session);
      }),
      this.storage.audit.record({
        actor: `agent:${agent.username}`,
        action: 'agent.login',
        details: { ip, session: session.id, mustEnrolTotp: this.mustEnrolTotp(agent) },
      }),
    ]);
    return {
      token,
      expiresAt: session.expiresAt,
      agent: toAgentView(agent),
      mustEnrolTotp: this.mustEnrolTotp(agent),
    };
  }

  /** The live session behind a bearer token, or undefined (unknown, expired, or agent disabled). */
  authenticate(token: string | undefined): AuthenticatedSession | undefined {
    if (!token || token.length > 200) return undefined;
    const hash = digestToken(token);
    const session = this.storage.sessions.data.sessions.find((s) => s.tokenHash === hash);
    if (!session || session.expiresAt <= this.now()) return undefined;
    const agent = this.byId(session.agentId);
    if (!agent || !agent.enabled) return undefined;
    return { session, agent };
  }

  /** Is this session still good? Checked on every socket event, not just at connect. */
  stillValid(sessionId: string): AuthenticatedSession | undefined {
    const session = this.storage.sessions.data.sessions.find((s) => s.id === sessionId);
    if (!session || session.expiresAt <= this.now()) return undefined;
    const agent = this.byId(session.agentId);
    return agent && agent.enabled ? { session, agent } : undefined;
  }

  async logout(token: string): Promise<void> {
    const auth = this.authenticate(token);
    if (!auth) throw new ServiceError('unauthenticated', 'Not signed in.');
    await this.endSessions((s) => s.id === auth.session.id, 'logged-out');
    await this.storage.audit.record({
      actor: `agent:${auth.agent.username}`,
      action: 'agent.logout',
      details: { session: auth.session.id },
    });
  }

  async create(
    input: AgentCreate,
    by: AgentRecord,
  ): Promise<{ agent: AgentView; password: string }> {
    if (this.byUsername(input.username))
      throw new ServiceError('conflict', `An agent called ${input.username} already exists.`, {
        username: 'Already taken',
      });
    const password = generatePassword();
    const now = this.now();
    const agent: AgentRecord = {
      id: newId(),
      username: input.username,
      displayName: input.displayName,
      role: input.role,
      desks: input.desks,
      enabled: true,
      passwordHash: await hashPassword(password),
      createdAt: now,
      updatedAt: now,
    };
    await Promise.all([
      this.storage.agents.update((d) => void d.agents.push(agent)),
      this.storage.audit.record({
        actor: `agent:${by.username}`,
        action: 'agent.created',
        details: { agent: agent.username, role: agent.role, desks: agent.desks },
      }),
    ]);
    return { agent: toAgentView(agent), password };
  }

  /** Creates an account with a known password (first run, demo data). */
  async createWithPassword(input: AgentCreate, password: string): Promise<AgentRecord> {
    const now = this.now();
    const agent: AgentRecord = {
      id: newId(),
      ...input,
      enabled: true,
      passwordHash: await hashPassword(password),
      createdAt: now,
      updatedAt: now,
    };
    await this.storage.agents.update((d) => void d.agents.push(agent));
    await this.storage.audit.record({
      actor: 'system',
      action: 'agent.created',
      details: { agent: agent.username, role: agent.role, desks: agent.desks },
    });
    return agent;
  }

  async update(
    input: AgentUpdate,
    by: AgentRecord,
  ): Promise<{ agent: AgentView; password?: string }> {
    const existing = this.byId(input.id);
    if (!existing) throw new ServiceError('not-found', 'No such agent.');
    if (existing.id === by.id && (input.enabled === false || input.role === 'agent'))
      throw new ServiceError(
        'forbidden',
        'You cannot disable yourself or remove your own admin role.',
      );
    const password = input.resetPassword ? generatePassword() : undefined;
    const updated: AgentRecord = {
      ...existing,
      ...(input.displayName !== undefined ? { displayName: input.displayName } : {}),
      ...(input.role !== undefined ? { role: input.role } : {}),
      ...(input.desks !== undefined ? { desks: input.desks } : {}),
      ...(input.enabled !== undefined ? { enabled: input.enabled } : {}),
      ...(password ? { passwordHash: await hashPassword(password) } : {}),
      updatedAt: this.now(),
    };
    if (input.resetTotp) {
      delete updated.totpSecret;
      delete updated.pendingTotpSecret;
      delete updated.totpLastTimeStep;
    }
    const changed = Object.keys(input).filter((k) => k !== 'id');
    await Promise.all([
      this.storage.agents.update((d) => {
        d.agents[d.agents.findIndex((a) => a.id === updated.id)] = updated;
      }),
      this.storage.audit.record({
        actor: `agent:${by.username}`,
        action: 'agent.updated',
        details: {
          agent: updated.username,
          changed,
          role: updated.role,
          desks: updated.desks,
          enabled: updated.enabled,
        },
      }),
      ...(input.resetTotp
        ? [
            this.storage.audit.record({
              actor: `agent:${by.username}`,
              action: 'agent.totp-reset',
              details: { agent: updated.username, wasEnrolled: existing.totpSecret !== undefined },
            }),
          ]
        : []),
    ]);
    // Access shrinks at once: a disabled agent, a reset password or a reset authenticator ends
    // every session they have.
    if (!updated.enabled || password || input.resetTotp) {
      await this.endSessions(
        (s) => s.agentId === updated.id,
        updated.enabled ? 'logged-out' : 'disabled',
      );
    }
    for (const listener of this.agentChangeListeners) listener(updated);
    return { agent: toAgentView(updated), ...(password ? { password } : {}) };
  }

  /** Drops expired sessions and tells listeners so their sockets close. */
  async expireSessions(): Promise<void> {
    const now = this.now();
    await this.endSessions((s) => s.expiresAt <= now, 'expired');
  }

  private async endSessions(
    match: (s: SessionRecord) => boolean,
    reason: SessionEndReason,
  ): Promise<void> {
    const ended = this.storage.sessions.data.sessions.filter(match).map((s) => s.id);
    if (ended.length === 0) return;
    await this.storage.sessions.update((d) => {
      d.sessions = d.sessions.filter((s) => !match(s));
    });
    for (const listener of this.sessionEndListeners) listener(ended, reason);
  }
}
