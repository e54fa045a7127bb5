// Agent accounts: admins create them, change their role, desks and state, and reset passwords.
import type { AgentCreate, AgentUpdate, AgentView } from '../contract/agents';
import { ServiceError } from '../errors';
import { generatePassword, hashPassword } from '../security/passwords';
import { newId } from '../security/tokens';
import type { AgentRecord, Repositories } from '../store/repositories';
import type { AgentSessions } from './agent-sessions';
import { toAgentView } from './agent-view';
import type { Authenticator } from './authenticator';

export type AgentChangeListener = (agent: AgentRecord) => void;

export class AgentAccounts {
  private readonly agentChangeListeners = new Set<AgentChangeListener>();

  constructor(
    private readonly repos: Pick<Repositories, 'agents' | 'audit'>,
    private readonly sessions: AgentSessions,
    authenticator: Authenticator,
    private readonly now: () => number,
  ) {
    // An enrolment changes what the agent's consoles may do, as an admin's change does.
    authenticator.onEnrolled((agent) => this.announce(agent));
  }

  /** Desks, role, state or enrolment of an agent changed. */
  onAgentChanged(listener: AgentChangeListener): () => void {
    this.agentChangeListeners.add(listener);
    return () => this.agentChangeListeners.delete(listener);
  }

  list(): AgentView[] {
    return this.repos.agents.list().map(toAgentView);
  }

  byId(id: string): AgentRecord | undefined {
    return this.repos.agents.byId(id);
  }

  async create(
    input: AgentCreate,
    by: AgentRecord,
  ): Promise<{ agent: AgentView; password: string }> {
    if (this.repos.agents.byUsername(input.username))
      throw new ServiceError('conflict', `An agent called ${input.username} already exists.`, {
        username: 'Already taken',
      });
    const password = generatePassword();
    const agent = await this.newAgent(input, password);
    await Promise.all([
      this.repos.agents.add(agent),
      this.repos.audit.record({
        actor: `agent:${by.username}`,
        action: 'agent.created',
        details: { agent: agent.username, role: agent.role, desks: agent.desks },
      }),
    ]);
    return { agent: toAgentView(agent), password };
  }

  /** Creates an account with a known password (first run, demo data). */
  async createWithPassword(input: AgentCreate, password: string): Promise<AgentRecord> {
    const agent = await this.newAgent(input, password);
    await this.repos.agents.add(agent);
    await this.repos.audit.record({
      actor: 'system',
      action: 'agent.created',
      details: { agent: agent.username, role: agent.role, desks: agent.desks },
    });
    return agent;
  }

  private async newAgent(input: AgentCreate, password: string): Promise<AgentRecord> {
    const now = this.now();
    return {
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
  }

  async update(
    input: AgentUpdate,
    by: AgentRecord,
  ): Promise<{ agent: AgentView; password?: string }> {
    const existing = this.repos.agents.byId(input.id);
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
      this.repos.agents.update(updated.id, () => updated),
      this.repos.audit.record({
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
            this.repos.audit.record({
              actor: `agent:${by.username}`,
              action: 'agent.totp-reset',
              details: { agent: updated.username, wasEnrolled: existing.totpSecret !== undefined },
            }),
          ]
        : []),
    ]);
    // Access shrinks at once: a disabled agent, a reset password or a reset authenticator ends
    // every session they have.
    if (!updated.enabled || password || input.resetTotp)
      await this.sessions.endAllOf(updated.id, updated.enabled ? 'logged-out' : 'disabled');
    this.announce(updated);
    return { agent: toAgentView(updated), ...(password ? { password } : {}) };
  }

  private announce(agent: AgentRecord): void {
    for (const listener of this.agentChangeListeners) listener(agent);
  }
}
