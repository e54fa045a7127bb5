// Agent events of history and audit: closed requests and a request's trail (agents: their desks;
// admins: all), the audit log searched and its chain checked (the namespace lets only admins through).
import type { HistoryService } from '../history/history-service';
import type { OnAgentEvent } from './agent-handler';

export function historyEvents(on: OnAgentEvent, history: HistoryService): void {
  on('history:search', (query, agent) => history.search(query, agent));
  on('history:get', ({ requestId }, agent) => history.get(requestId, agent));
  on('audit:search', (query) => history.searchAudit(query));
  on('audit:verify', () => history.verifyAudit());
}
