// Writes a long history straight into a stopped server's data dir: closed requests and their audit
// entries (hash-chained, as the server writes them), and the checkpoint that vouches for them.
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { AuditEntry, UnhashedAuditEntry } from '../../server/audit/audit-chain';
import { computeEntryHash, GENESIS_HASH } from '../../server/audit/audit-chain';
import type { AgentRef, ClosedRequest } from '../../server/domain/help-request';
import { CROCKFORD_ALPHABET } from '../../server/domain/reference-code';
import { CLOSED_STATES } from '../../server/domain/request-states';

export interface HistoryPlan {
  /** How many closed requests to add. */
  count: number;
  /** Agents who hold and close them (round robin). */
  agents: readonly AgentRef[];
  /** How many distinct users they are for (`user0`, `user1`, …). */
  users: number;
  /** When the first one closed (ms); each next one a minute later. */
  firstClosedAt: number;
  /** Audit entries are written for every this-many-th request only (default: every one). */
  auditEvery?: number;
  /** Checks the holder records (with a note) on each request held (default: none). */
  checksPerRequest?: number;
}

const LINES_PER_WRITE = 20_000;
const MINUTE = 60_000;

/** A six-symbol reference code, a different one for every n below 32^6. */
export function generatedReference(n: number): string {
  // An odd multiplier modulo 2^30 is a bijection: codes are unique and look scattered.
  let packed = (Math.imul(n, 0x2f1d3) + 0x1234) & 0x3fffffff;
  let code = '';
  for (let i = 0; i < 6; i += 1) {
    code = CROCKFORD_ALPHABET[packed % 32]! + code;
    packed = Math.floor(packed / 32);
  }
  return `${code.slice(0, 3)}-${code.slice(3)}`;
}

/** The n-th generated closed request (the same for the same plan). */
export function generatedRequest(n: number, plan: HistoryPlan): ClosedRequest {
  const closedAt = plan.firstClosedAt + n * MINUTE;
  const state = CLOSED_STATES[n % CLOSED_STATES.length]!;
  const agent = plan.agents[n % plan.agents.length]!;
  const held = state === 'completed' || state === 'denied' || state === 'locked';
  const base = {
    id: `generated-request-${String(n).padStart(8, '0')}`,
    reference: generatedReference(n),
    desk: n % 3 === 0 ? ('2' as const) : ('1' as const),
    username: `user${n % plan.users}`,
    displayName: `User ${n % plan.users}`,
    inDirectory: true,
    sessionHash: 'a'.repeat(64),
    createdAt: closedAt - 5 * MINUTE,
    updatedAt: closedAt,
    expiresAt: closedAt + 5 * MINUTE,
    verification: [],
    failedAttempts: state === 'locked' ? 5 : 0,
    origin: { ip: '192.0.2.10', userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0' },
    riskSignals: [],
    closedAt,
    closedReason: state === 'denied' ? 'Caller could not verify.' : `Request ${state}.`,
    ...(held ? { claimedBy: agent } : {}),
    ...(state === 'denied' ? { closedBy: agent } : {}),
  };
  return { ...base, state } as ClosedRequest;
}

/** The audit entries of a generated request: submitted, claimed and checked when held, and how it ended. */
function auditInputs(
  request: ClosedRequest,
  checks: number,
): Omit<UnhashedAuditEntry, 'seq' | 'prevHash'>[] {
  const at = (ms: number) => new Date(ms).toISOString();
  const inputs: Omit<UnhashedAuditEntry, 'seq' | 'prevHash'>[] = [
    {
      at: at(request.createdAt),
      actor: `user:${request.username}`,
      action: 'request.submitted',
      requestId: request.id,
      details: { desk: request.desk, reference: request.reference, inDirectory: true },
    },
  ];
  if (request.claimedBy)
    inputs.push({
      at: at(request.createdAt + MINUTE),
      actor: `agent:${request.claimedBy.username}`,
      action: 'request.claimed',
      requestId: request.id,
      details: { from: 'queued', to: 'claimed' },
    });
  for (let check = 0; request.claimedBy && check < checks; check += 1)
    inputs.push({
      at: at(request.createdAt + MINUTE + (check + 1) * 1_000),
      actor: `agent:${request.claimedBy.username}`,
      action: 'request.check-recorded',
      requestId: request.id,
      details: {
        from: 'claimed',
        to: 'claimed',
        checkId: `check-${check}`,
        note: 'Confirmed on the call',
      },
    });
  const ending: Record<ClosedRequest['state'], [string, string]> = {
    completed: [`user:${request.username}`, 'request.completed'],
    denied: [`agent:${request.closedBy?.username ?? ''}`, 'request.denied'],
    cancelled: [`user:${request.username}`, 'request.cancelled'],
    expired: ['system', 'request.expired'],
    locked: [`user:${request.username}`, 'request.locked'],
  };
  const [actor, action] = ending[request.state];
  inputs.push({
    at: at(request.closedAt),
    actor,
    action,
    requestId: request.id,
    details: { to: request.state },
  });
  return inputs;
}

/**
 * Appends `plan.count` closed requests and their audit entries to the data dir of a server that was
 * started once and stopped cleanly (its checkpoint is current). Returns how many audit entries it
 * added. The requests themselves are `generatedRequest(0…count-1, plan)`.
 */
export async function generateHistory(dataDir: string, plan: HistoryPlan): Promise<number> {
  const checkpointFile = path.join(dataDir, 'requests.json');
  const checkpoint = JSON.parse(await readFile(checkpointFile, 'utf8')) as {
    audit?: { seq: number; hash: string };
    closed?: { count: number };
  };
  let seq = checkpoint.audit?.seq ?? 0;
  let prevHash = checkpoint.audit?.hash ?? GENESIS_HASH;
  let closedLines: string[] = [];
  let auditLines: string[] = [];
  let added = 0;
  const flush = async () => {
    await appendFile(path.join(dataDir, 'closed-requests.jsonl'), closedLines.join(''));
    await appendFile(path.join(dataDir, 'audit.jsonl'), auditLines.join(''));
    closedLines = [];
    auditLines = [];
  };
  for (let n = 0; n < plan.count; n += 1) {
    const request = generatedRequest(n, plan);
    closedLines.push(`${JSON.stringify(request)}\n`);
    const audited = n % (plan.auditEvery ?? 1) === 0;
    for (const input of audited ? auditInputs(request, plan.checksPerRequest ?? 0) : []) {
      seq += 1;
      // Keys in the order the server writes them (see chainEntry).
      const unhashed: UnhashedAuditEntry = {
        seq,
        at: input.at,
        actor: input.actor,
        action: input.action,
        ...(input.requestId === undefined ? {} : { requestId: input.requestId }),
        details: input.details,
        prevHash,
      };
      const entry: AuditEntry = { ...unhashed, hash: computeEntryHash(unhashed) };
      auditLines.push(`${JSON.stringify(entry)}\n`);
      prevHash = entry.hash;
      added += 1;
    }
    if (closedLines.length === LINES_PER_WRITE) await flush();
  }
  await flush();
  checkpoint.audit = { seq, hash: prevHash };
  checkpoint.closed = { count: (checkpoint.closed?.count ?? 0) + plan.count };
  await writeFile(checkpointFile, JSON.stringify(checkpoint));
  return added;
}
