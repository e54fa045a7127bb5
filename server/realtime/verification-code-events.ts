// Agent events of the mailed-code check: send a code to the address on file, check the one the caller
// read back. Answers carry the request's view only, never the code.
import type { RequestService } from '../requests/request-service';
import type { OnAgentEvent } from './agent-handler';
import { agentActor } from './agent-handler';

export function verificationCodeEvents(on: OnAgentEvent, requests: RequestService): void {
  on('request:send-code', async ({ requestId, checkId }, agent) =>
    requests.view(await requests.sendCode(requestId, agentActor(agent), checkId)),
  );
  on('request:check-code', async ({ requestId, code }, agent) => {
    const { result, request } = await requests.checkCode(requestId, agentActor(agent), code);
    return { result, request: requests.view(request) };
  });
}
