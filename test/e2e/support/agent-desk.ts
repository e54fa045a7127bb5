// The agent's side of a sign-in, over the real /agent socket API: find the request, verify the caller, reveal the code.
import type { AgentSocket } from '../../support/test-server';
import { must } from '../../support/test-server';

export async function requestIdOf(agent: AgentSocket, reference: string): Promise<string> {
  const { requests } = await must(agent, 'queue:list', {});
  const request = requests.find((r) => r.reference === reference);
  if (!request) throw new Error(`request ${reference} is not in the agent's queue`);
  return request.id;
}

/** The agent claims the request and records the checks the default policy needs (callback + one more). */
export async function claimAndVerify(agent: AgentSocket, reference: string): Promise<string> {
  const requestId = await requestIdOf(agent, reference);
  await must(agent, 'request:claim', { requestId });
  await must(agent, 'request:verify', {
    requestId,
    checkId: 'callback',
    note: 'Called back the number on file',
  });
  await must(agent, 'request:verify', {
    requestId,
    checkId: 'employee-id',
    note: 'Stated the employee ID',
  });
  return requestId;
}

/** The whole agent side: claim, verify, reveal; returns the passcode to read out. */
export async function issueCode(agent: AgentSocket, reference: string): Promise<string> {
  const requestId = await claimAndVerify(agent, reference);
  return (await must(agent, 'request:reveal', { requestId })).otp;
}
