// Requests and audit inputs the store contract writes: valid records, unique per number.
import type { Directory } from '../../server/directory/directory';
import type { HelpRequest, OpenRequest } from '../../server/domain/help-request';
import type { AgentActor } from '../../server/requests/request-service';
import type { AgentRecord, AuditRecordInput } from '../../server/store/repositories';

type QueuedRequest = Extract<HelpRequest, { state: 'queued' }>;

/** A queued request numbered `n`, with a reference code no other number shares. */
export function queuedRequest(n: number, username = `user${n}`): QueuedRequest {
  const at = 1_700_000_000_000 + n;
  return {
    id: `contract-request-${String(n).padStart(6, '0')}`,
    reference: `R${String(n).padStart(6, '0')}`,
    desk: '1',
    username,
    displayName: `User ${n}`,
    inDirectory: true,
    sessionHash: 'a'.repeat(64),
    createdAt: at,
    updatedAt: at,
    expiresAt: at + 600_000,
    verification: [],
    failedAttempts: 0,
    riskSignals: [],
    origin: { ip: '127.0.0.1', userAgent: 'store contract' },
    state: 'queued',
  };
}

export function claimedBy(request: QueuedRequest, agent: string): OpenRequest {
  return { ...request, state: 'claimed', claimedBy: { id: agent, username: agent } };
}

export function cancelled(request: QueuedRequest): HelpRequest {
  return {
    ...request,
    state: 'cancelled',
    closedAt: request.updatedAt + 1,
    closedReason: 'Cancelled by the user.',
  };
}

/** The audit entry that goes with a request's change, as the request service writes it. */
export function changed(request: HelpRequest, action: string): AuditRecordInput {
  return {
    actor: `user:${request.username}`,
    action,
    requestId: request.id,
    details: { to: request.state },
  };
}

export function agentActor(id: string): AgentActor {
  return { ref: { id, username: id }, isAdmin: false, desks: ['1'] };
}

export function agentRecord(id: string): AgentRecord {
  return {
    id,
    username: id,
    displayName: id,
    role: 'agent',
    desks: ['1'],
    enabled: true,
    passwordHash: 'hash',
    createdAt: 1,
    updatedAt: 1,
  };
}

/** Everyone is an enabled user of the directory. */
export const directoryOfEveryone: Directory = {
  kind: 'embedded',
  findUser: (username) =>
    Promise.resolve({
      username,
      displayName: username,
      email: `${username}@example.com`,
      phone: '+14155550101',
      employeeId: 'E1',
      department: 'Finance',
      manager: 'mlee',
      enabled: true,
      privileged: false,
    }),
  checkPassword: () => Promise.resolve(false),
};

/** Everyone is an enabled user, found after a few milliseconds, as a directory over the network would. */
export const slowDirectory: Directory = {
  ...directoryOfEveryone,
  findUser: async (username) => {
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 5));
    return directoryOfEveryone.findUser(username);
  },
};
