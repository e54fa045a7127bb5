// Agent events of impostor resistance: a second approver for the reveal, the suspicious-caller report,
// and the record of a passcode shown again on the holder's screen.
import type { RequestService } from '../requests/request-service';
import type { OnAgentEvent } from './agent-handler';
import { agentActor } from './agent-handler';

export function approvalEvents(on: OnAgentEvent, requests: RequestService): void {
  on('request:ask-approval', async ({ requestId, note }, agent) =>
    requests.view(await requests.askApproval(requestId, agentActor(agent), note)),
  );
  on('request:approve', async ({ requestId, note }, agent) =>
    requests.view(await requests.approve(requestId, agentActor(agent), note)),
  );
  on('request:refuse-approval', async ({ requestId, note }, agent) =>
    requests.view(await requests.refuseApproval(requestId, agentActor(agent), note)),
  );
  on('approvals:list', (_payload, agent) => ({
    requests: requests
      .awaitingApproval(agentActor(agent))
      .sort((a, b) => a.createdAt - b.createdAt)
      .map((r) => requests.view(r)),
  }));
  on('request:suspicious', async ({ requestId, description }, agent) =>
    requests.view(await requests.reportSuspicious(requestId, agentActor(agent), description)),
  );
  on('request:passcode-shown', ({ requestId }, agent) =>
    requests.passcodeShown(requestId, agentActor(agent)),
  );
}
