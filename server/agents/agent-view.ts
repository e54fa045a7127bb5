// What an agent's own console and the admin screens see of an agent account (no secrets).
import type { AgentView } from '../contract/agents';
import type { AgentRecord } from '../store/repositories';

export function toAgentView(agent: AgentRecord): AgentView {
  return {
    id: agent.id,
    username: agent.username,
    displayName: agent.displayName,
    role: agent.role,
    desks: [...agent.desks].sort(),
    enabled: agent.enabled,
    totpEnrolled: agent.totpSecret !== undefined,
    createdAt: agent.createdAt,
  };
}
