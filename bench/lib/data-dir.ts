// Builds benchmark data dirs directly on disk: agents with ready sessions, and optionally history.
import { execFileSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { AgentRecord, SessionRecord } from '../../server/store/repositories';
import { chainEntry } from '../../server/audit/audit-chain';
import { defaultRealmConfig, type HelpDeskId } from '../../server/contract/realm-config';
import type { HelpRequest } from '../../server/domain/help-request';
import { hashPassword } from '../../server/security/passwords';
import { digestToken, newId, newToken } from '../../server/security/tokens';
import { generateHistory, type HistoryPlan } from '../../test/support/history-data-dir';

export interface BenchAgent {
  username: string;
  desk: HelpDeskId;
  token: string;
}

export interface DataDirOptions {
  agentsPerDesk: number;
  /** Closed requests (and 6 audit entries each) already on disk. */
  closedRequests?: number;
  /** Open requests already in the open document. */
  openRequests?: number;
  /** Directory users `life0`, `life1`, … (no passcode is revealed for anyone outside the directory). */
  directoryUsers?: number;
  /** Admins `admin0`, `admin1`, … of both desks, with ready sessions (returned apart from the agents). */
  admins?: number;
  /**
   * A history as people make it, instead of `closedRequests`' uniform one: this many closed requests
   * of every outcome, both desks, four agents and 7,919 users, a minute apart up to an hour ago,
   * each with its own reference, and a trail of 2 to 9 audit entries (6.2 on average: six checks
   * with notes on each request an agent held), written by the history generator of the tests.
   */
  variedHistory?: number;
}

/** The agents who hold and close the requests of a `variedHistory`. */
const HISTORY_AGENTS = ['alice', 'bob', 'carol', 'dave'].map((username) => ({
  id: `bench-${username}`,
  username,
}));

export async function buildDataDir(options: DataDirOptions): Promise<{
  dir: string;
  agents: BenchAgent[];
  admins: BenchAgent[];
  /** What the varied history was generated from (each request is `generatedRequest(n, plan)`). */
  history: HistoryPlan | undefined;
}> {
  const dir = await mkdtemp(path.join(tmpdir(), 'hdotp-bench-'));
  await mkdir(dir, { recursive: true });
  const now = Date.now();
  const realm = defaultRealmConfig();
  realm.workflow = 'username|second-factor';
  // Figure 3 drives 50 agents through ~18 reveals each in 15 s: the realm's default cap of 20 reveals
  // an agent an hour would refuse some, which measures the cap, not throughput (tested elsewhere).
  realm.riskPolicy = {
    ...realm.riskPolicy,
    caps: { ...realm.riskPolicy.caps, revealsPerAgentPerHour: 1_000 },
  };
  realm.helpDesks['1'] = {
    enabled: true,
    name: 'IT Desk',
    phone: '+14155550100',
    email: 'it@example.com',
  };
  realm.helpDesks['2'] = {
    enabled: true,
    name: 'Security Desk',
    phone: '+14155550199',
    email: 'sec@example.com',
  };
  realm.requestTtlMinutes = 24 * 60;

  // One password hash shared by every bench agent: scrypt is deliberately slow, logins are not measured.
  const passwordHash = await hashPassword('bench agent password');
  const agents: BenchAgent[] = [];
  const records: AgentRecord[] = [];
  const sessions: SessionRecord[] = [];
  for (const desk of ['1', '2'] as const) {
    for (let i = 0; i < options.agentsPerDesk; i++) {
      const username = `agent${desk}-${i}`;
      const id = newId();
      const token = newToken();
      records.push({
        id,
        username,
        displayName: username,
        role: 'agent',
        desks: [desk],
        enabled: true,
        passwordHash,
        createdAt: now,
        updatedAt: now,
      });
      sessions.push({
        tokenHash: digestToken(token),
        id: newId(),
        agentId: id,
        createdAt: now,
        expiresAt: now + 12 * 3_600_000,
      });
      agents.push({ username, desk, token });
    }
  }
  const admins: BenchAgent[] = [];
  for (let i = 0; i < (options.admins ?? 0); i++) {
    const username = `admin${i}`;
    const id = newId();
    const token = newToken();
    records.push({
      id,
      username,
      displayName: username,
      role: 'admin',
      desks: ['1', '2'],
      enabled: true,
      passwordHash,
      createdAt: now,
      updatedAt: now,
    });
    sessions.push({
      tokenHash: digestToken(token),
      id: newId(),
      agentId: id,
      createdAt: now,
      expiresAt: now + 12 * 3_600_000,
    });
    admins.push({ username, desk: '1', token });
  }
  const open: HelpRequest[] = [];
  for (let i = 0; i < (options.openRequests ?? 0); i++)
    open.push(sampleRequest(`open${i}`, now, 'queued'));

  const write = (name: string, data: unknown) =>
    writeFile(path.join(dir, name), JSON.stringify(data), { mode: 0o600 });
  await Promise.all([
    write('realm.json', realm),
    write('agents.json', { agents: records }),
    write('sessions.json', { sessions }),
    write('directory.json', {
      users: Array.from({ length: options.directoryUsers ?? 0 }, (_, i) => ({
        username: `life${i}`,
        displayName: `Life ${i}`,
        email: `life${i}@example.com`,
        phone: '+14155550111',
        employeeId: `E${i}`,
        department: 'Bench',
        manager: 'nobody',
        enabled: true,
        passwordHash,
      })),
    }),
    write('requests.json', { open, userFailures: {} }),
    write('persistent-tokens.json', { notBefore: {} }),
    write('keys.json', {
      otpKey: randomBytes(32).toString('hex'),
      cookieKey: randomBytes(32).toString('hex'),
    }),
  ]);
  await writeHistory(dir, options.closedRequests ?? 0, now);
  let history: HistoryPlan | undefined;
  if (options.variedHistory) {
    history = {
      count: options.variedHistory,
      agents: HISTORY_AGENTS,
      users: 7_919,
      firstClosedAt: now - 3_600_000 - options.variedHistory * 60_000,
      checksPerRequest: 6,
    };
    // Appended after the (empty) journals above, and the checkpoint in requests.json vouches for it.
    await generateHistory(dir, history);
  }
  // History is "already on disk": flush it now, or the kernel's writeback of hundreds of megabytes
  // lands in the middle of the measurement and slows every fsync on the machine.
  execFileSync('sync');
  return { dir, agents, admins, history };
}

function sampleRequest(username: string, now: number, state: 'queued' | 'completed'): HelpRequest {
  const base = {
    id: randomBytes(16).toString('base64url'),
    reference: 'K7M-4QX',
    desk: '1' as const,
    username,
    displayName: '',
    inDirectory: false,
    sessionHash: 'a'.repeat(64),
    createdAt: now,
    updatedAt: now,
    expiresAt: now + 86_400_000,
    verification: [],
    failedAttempts: 0,
    riskSignals: [],
    origin: { ip: '10.0.0.1', userAgent: 'bench' },
  };
  if (state === 'queued') return { ...base, state };
  const agent = { id: 'agent-id-0000000000', username: 'agent1-0' };
  return {
    ...base,
    state,
    claimedBy: agent,
    verification: [
      { checkId: 'callback', note: 'called back', by: agent, at: now, method: 'attested' },
      { checkId: 'employee-id', note: 'gave id', by: agent, at: now, method: 'attested' },
    ],
    closedAt: now,
    closedReason: 'Signed in with the passcode.',
  };
}

/** Closed requests in their journal and a valid hash chain of 6 audit entries per request. */
async function writeHistory(dir: string, count: number, now: number): Promise<void> {
  const closed = createWriteStream(path.join(dir, 'closed-requests.jsonl'), { mode: 0o600 });
  const audit = createWriteStream(path.join(dir, 'audit.jsonl'), { mode: 0o600 });
  let prev: { seq: number; hash: string } | undefined;
  const at = new Date(now).toISOString();
  const actions = [
    'request.submitted',
    'request.claimed',
    'request.check-recorded',
    'request.check-recorded',
    'request.otp-revealed',
    'request.completed',
  ];
  let closedChunk = '';
  let auditChunk = '';
  for (let i = 0; i < count; i++) {
    const request = sampleRequest(`user${i}`, now, 'completed');
    closedChunk += `${JSON.stringify(request)}\n`;
    for (const action of actions) {
      const entry = chainEntry(prev, {
        at,
        actor: 'agent:agent1-0',
        action,
        requestId: request.id,
        details: { from: 'queued', to: 'claimed' },
      });
      prev = { seq: entry.seq, hash: entry.hash };
      auditChunk += `${JSON.stringify(entry)}\n`;
    }
    if (closedChunk.length > 1 << 20) {
      if (!closed.write(closedChunk)) await once(closed, 'drain');
      if (!audit.write(auditChunk)) await once(audit, 'drain');
      closedChunk = '';
      auditChunk = '';
    }
  }
  closed.end(closedChunk);
  audit.end(auditChunk);
  await Promise.all([once(closed, 'finish'), once(audit, 'finish')]);
}
