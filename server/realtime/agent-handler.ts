// What a module answering agent events is handed: `on(event, handler)`, with the payload parsed and
// the agent authenticated and authorised before the handler runs.
import type { AgentEventName, AgentPayload, AgentResults } from '../contract/agent-events';
import type { AgentActor } from '../requests/request-service';
import type { AgentRecord } from '../store/repositories';

export type AgentHandler<E extends AgentEventName> = (
  payload: AgentPayload<E>,
  agent: AgentRecord,
) => Promise<AgentResults[E]> | AgentResults[E];

/** Registers the handler of one event on a socket. */
export type OnAgentEvent = <E extends AgentEventName>(event: E, handler: AgentHandler<E>) => void;

/** The agent as the request service sees them acting: who, their role, the desks they staff. */
export function agentActor(agent: AgentRecord): AgentActor {
  return {
    ref: { id: agent.id, username: agent.username },
    isAdmin: agent.role === 'admin',
    desks: agent.desks,
  };
}
