// Specification of the mailed-code check in the lifecycle: sending a code, reading it back, voiding,
// the send limit, and what the agent's own word may and may not record.
import { defaultRiskPolicy } from '../../../server/contract/risk';
import { describe, expect, it } from 'vitest';
import type { VerificationPolicy } from '../../../server/contract/realm-config';
import type {
  AgentRef,
  HelpRequest,
  MailedCode,
  VerificationRecord,
} from '../../../server/domain/help-request';
import { HelpRequestSchema } from '../../../server/domain/help-request';
import { MAILED_CODE } from '../../../server/domain/mailed-code';
import type {
  Actor,
  LifecycleCommand,
  LifecycleError,
  TransitionResult,
} from '../../../server/domain/request-lifecycle';
import { MAILED_CODE_NOTE, applyCommand } from '../../../server/domain/request-lifecycle';

const MINUTE = 60_000;
const T0 = Date.UTC(2025, 0, 6, 9, 0, 0);
const NOW = T0 + 5 * MINUTE;
const HASH_A = 'a'.repeat(64);
const HASH_B = 'b'.repeat(64);

const ALICE: AgentRef = { id: 'agent-alice', username: 'alice' };
const BOB: AgentRef = { id: 'agent-bob', username: 'bob' };
const ROOT: AgentRef = { id: 'agent-root', username: 'root' };
const alice: Actor = { ref: ALICE, isAdmin: false };
const bob: Actor = { ref: BOB, isAdmin: false };
const root: Actor = { ref: ROOT, isAdmin: true };

/** The mailed code is required, and two checks in all. */
const POLICY: VerificationPolicy = {
  checks: [
    { kind: 'mailed-code', id: 'mailed', label: 'Read back the code mailed to them', help: '' },
    { kind: 'attestation', id: 'callback', label: 'Called back the number on file', help: '' },
    { kind: 'attestation', id: 'employee-id', label: 'Stated the employee ID', help: '' },
  ],
  required: ['mailed'],
  minimumChecks: 2,
  maskedFields: [],
  notesRequired: 'none',
};

const attested = (checkId: string): VerificationRecord => ({
  checkId,
  note: `${checkId} done`,
  by: ALICE,
  at: T0 + MINUTE,
  method: 'attested',
});

const outstanding = (patch: Partial<MailedCode> = {}): MailedCode => ({
  checkId: 'mailed',
  hash: HASH_A,
  sentTo: 'jdoe@example.com',
  sentAt: T0 + 2 * MINUTE,
  expiresAt: T0 + 12 * MINUTE,
  sends: 1,
  wrong: 0,
  ...patch,
});

const base = {
  id: 'req-0123456789abcdef',
  reference: 'K7M-4QX',
  desk: '1' as const,
  username: 'jdoe',
  displayName: 'Jane Doe',
  inDirectory: true,
  sessionHash: 'c'.repeat(64),
  createdAt: T0,
  updatedAt: T0 + 3 * MINUTE,
  expiresAt: T0 + 30 * MINUTE,
  failedAttempts: 0,
  riskSignals: [],
  origin: { ip: '203.0.113.7', userAgent: 'Mozilla/5.0' },
};

/** Held by alice with the callback recorded: the mailed code would meet the policy. */
const claimed = (extra: Partial<Extract<HelpRequest, { state: 'claimed' }>> = {}): HelpRequest =>
  Object.freeze({
    ...base,
    state: 'claimed' as const,
    claimedBy: ALICE,
    verification: [attested('callback')],
    ...extra,
  });

const sendCode = (
  actor: Actor = alice,
  patch: Partial<Extract<LifecycleCommand, { type: 'send-code' }>> = {},
): LifecycleCommand => ({
  type: 'send-code',
  actor,
  checkId: 'mailed',
  codeHash: HASH_B,
  sentTo: 'jdoe@example.com',
  expiresAt: NOW + MAILED_CODE.ttlMs,
  policy: POLICY,
  ...patch,
});
const checkCode = (valid: boolean, actor: Actor = alice): LifecycleCommand => ({
  type: 'check-code',
  actor,
  valid,
  policy: POLICY,
});

function accepted(result: TransitionResult): HelpRequest {
  if (!result.ok)
    throw new Error(`expected success, got ${result.error.code}: ${result.error.message}`);
  expect(HelpRequestSchema.safeParse(result.request).error?.issues).toBeUndefined();
  expect(result.request.updatedAt).toBe(NOW);
  return result.request;
}

function refused(result: TransitionResult): LifecycleError {
  if (result.ok) throw new Error(`expected a refusal, got state ${result.request.state}`);
  expect(result.error.message).toMatch(/\S/);
  return result.error;
}

const codeOf = (request: HelpRequest) => ('mailedCode' in request ? request.mailedCode : undefined);

describe('send-code', () => {
  it('keeps the hash of the code, where it went, when it lapses, and counts the send', () => {
    const after = accepted(applyCommand(claimed(), sendCode(), NOW));
    expect(codeOf(after)).toEqual({
      checkId: 'mailed',
      hash: HASH_B,
      sentTo: 'jdoe@example.com',
      sentAt: NOW,
      expiresAt: NOW + MAILED_CODE.ttlMs,
      sends: 1,
      wrong: 0,
    });
    expect(after.state).toBe('claimed');
    expect(after.verification).toEqual([attested('callback')]);
  });

  it('a new send replaces the outstanding code (the old one no longer counts) and resets the wrong count', () => {
    const before = claimed({ mailedCode: outstanding({ sends: 1, wrong: 2 }) });
    const after = accepted(applyCommand(before, sendCode(), NOW));
    expect(codeOf(after)).toMatchObject({ hash: HASH_B, sends: 2, wrong: 0 });
  });

  it(`is refused after ${MAILED_CODE.maxSends} sends on one request, even once the last code is void`, () => {
    const before = claimed({
      mailedCode: outstanding({ sends: MAILED_CODE.maxSends, wrong: MAILED_CODE.maxWrong }),
    });
    expect(refused(applyCommand(before, sendCode(), NOW)).code).toBe('rate-limited');
  });

  it('is refused for a check the realm does not have, or one the agent records by their word', () => {
    expect(refused(applyCommand(claimed(), sendCode(alice, { checkId: 'nope' }), NOW)).code).toBe(
      'unknown-check',
    );
    expect(
      refused(applyCommand(claimed(), sendCode(alice, { checkId: 'callback' }), NOW)).code,
    ).toBe('unknown-check');
  });

  it('is the holder’s alone: another agent or an admin who does not hold it is refused', () => {
    expect(refused(applyCommand(claimed(), sendCode(bob), NOW)).code).toBe('not-claimed-by-you');
    expect(refused(applyCommand(claimed(), sendCode(root), NOW)).code).toBe('not-claimed-by-you');
    const { claimedBy: _c, ...rest } = claimed() as Extract<HelpRequest, { state: 'claimed' }>;
    const queued: HelpRequest = { ...rest, state: 'queued' };
    expect(refused(applyCommand(queued, sendCode(), NOW)).code).toBe('invalid-state');
  });

  it('is refused once a passcode is out (verification can no longer change)', () => {
    const issued: HelpRequest = {
      ...base,
      state: 'otp-issued',
      claimedBy: ALICE,
      verification: [attested('callback'), attested('employee-id')],
      otp: { hash: HASH_A, issuedAt: T0, expiresAt: NOW + MINUTE, revealCount: 1 },
    };
    expect(refused(applyCommand(issued, sendCode(), NOW)).code).toBe('invalid-state');
  });
});

describe('check-code', () => {
  it('a right code records the check as verified by the server and clears the code', () => {
    const after = accepted(
      applyCommand(claimed({ mailedCode: outstanding() }), checkCode(true), NOW),
    );
    expect(after.state).toBe('verified');
    expect(after.verification).toEqual([
      attested('callback'),
      { checkId: 'mailed', note: MAILED_CODE_NOTE, by: ALICE, at: NOW, method: 'server-verified' },
    ]);
    expect(codeOf(after)).toBeUndefined();
  });

  it('a right code short of the policy leaves the request claimed', () => {
    const after = accepted(
      applyCommand(claimed({ verification: [], mailedCode: outstanding() }), checkCode(true), NOW),
    );
    expect(after.state).toBe('claimed');
    expect(after.verification.map((r) => [r.checkId, r.method])).toEqual([
      ['mailed', 'server-verified'],
    ]);
  });

  it(`a wrong code counts; the ${MAILED_CODE.maxWrong}th voids the code, which then takes no more entries`, () => {
    let request = claimed({ mailedCode: outstanding() });
    for (let i = 1; i <= MAILED_CODE.maxWrong; i++) {
      request = accepted(applyCommand(request, checkCode(false), NOW));
      expect(codeOf(request)?.wrong).toBe(i);
      expect(request.verification).toEqual([attested('callback')]);
    }
    // Void: even the right code is refused now, and nothing is recorded.
    const error = refused(applyCommand(request, checkCode(true), NOW));
    expect(error.code).toBe('invalid-state');
    expect(error.message).toMatch(/send one/i);
    // The count of sends is kept, so the send limit holds across void codes.
    expect(codeOf(request)?.sends).toBe(1);
  });

  it('is refused with no code outstanding', () => {
    expect(refused(applyCommand(claimed(), checkCode(true), NOW)).code).toBe('invalid-state');
  });

  it('is refused once the code has expired, right or wrong, and counts nothing', () => {
    const lapsed = claimed({ mailedCode: outstanding({ expiresAt: NOW }) });
    const error = refused(applyCommand(lapsed, checkCode(true), NOW));
    expect(error.code).toBe('invalid-state');
    expect(error.message).toMatch(/expired/);
    expect(refused(applyCommand(lapsed, checkCode(false), NOW)).code).toBe('invalid-state');
  });

  it('is the holder’s alone', () => {
    const request = claimed({ mailedCode: outstanding() });
    expect(refused(applyCommand(request, checkCode(true, bob), NOW)).code).toBe(
      'not-claimed-by-you',
    );
    expect(refused(applyCommand(request, checkCode(true, root), NOW)).code).toBe(
      'not-claimed-by-you',
    );
  });
});

describe('the agent’s word and a mailed-code check', () => {
  it('verify refuses to record a mailed-code check, pointing to Send code', () => {
    const error = refused(
      applyCommand(
        claimed(),
        { type: 'verify', actor: alice, checkId: 'mailed', note: 'trust me', policy: POLICY },
        NOW,
      ),
    );
    expect(error.code).toBe('forbidden');
    expect(error.message).toContain('Send code');
  });

  it('unverify removes a server-verified record (the agent may change their mind)', () => {
    const verified = accepted(
      applyCommand(claimed({ mailedCode: outstanding() }), checkCode(true), NOW),
    );
    const after = accepted(
      applyCommand(
        verified,
        { type: 'unverify', actor: alice, checkId: 'mailed', policy: POLICY },
        NOW,
      ),
    );
    expect(after.state).toBe('claimed');
    expect(after.verification).toEqual([attested('callback')]);
  });
});

describe('the outstanding code ends with the holder’s part', () => {
  it('release clears it with the verification', () => {
    const after = accepted(
      applyCommand(claimed({ mailedCode: outstanding() }), { type: 'release', actor: alice }, NOW),
    );
    expect(after.state).toBe('queued');
    expect(codeOf(after)).toBeUndefined();
  });

  it('take-over clears it: the new holder sends their own', () => {
    const after = accepted(
      applyCommand(claimed({ mailedCode: outstanding() }), { type: 'take-over', actor: root }, NOW),
    );
    expect(codeOf(after)).toBeUndefined();
    expect(after.verification).toEqual([attested('callback')]);
  });

  it('reveal drops a code still outstanding, and so does closing the request', () => {
    const ready = claimed({
      state: 'verified' as 'claimed',
      verification: [attested('callback'), attested('employee-id')],
      mailedCode: outstanding(),
    });
    const policy: VerificationPolicy = { ...POLICY, required: [] };
    const issued = accepted(
      applyCommand(
        ready,
        {
          type: 'reveal',
          actor: alice,
          otpHash: HASH_B,
          otpExpiresAt: NOW + MINUTE,
          policy,
          riskPolicy: defaultRiskPolicy(),
        },
        NOW,
      ),
    );
    expect(issued.state).toBe('otp-issued');
    expect(codeOf(issued)).toBeUndefined();
    const denied = accepted(
      applyCommand(
        claimed({ mailedCode: outstanding() }),
        { type: 'deny', actor: alice, reason: 'Could not verify' },
        NOW,
      ),
    );
    expect(denied.state).toBe('denied');
    expect(codeOf(denied)).toBeUndefined();
  });
});
