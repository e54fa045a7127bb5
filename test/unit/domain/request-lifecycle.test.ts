// Specification of the request lifecycle: every state against every command, then each command in detail.
import type { RiskPolicy } from '../../../server/contract/risk';
import { defaultRiskPolicy } from '../../../server/contract/risk';
import { describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../../server/contract/errors';
import type { VerificationPolicy } from '../../../server/contract/realm-config';
import type {
  AgentRef,
  HelpRequest,
  VerificationRecord,
} from '../../../server/domain/help-request';
import { HelpRequestSchema, isOpen } from '../../../server/domain/help-request';
import type { RequestState } from '../../../server/domain/request-states';
import type {
  Actor,
  AgentCommandType,
  LifecycleCommand,
  LifecycleError,
  RequestStanding,
  TransitionResult,
} from '../../../server/domain/request-lifecycle';
import {
  AGENT_COMMAND_TYPES,
  agentRefusal,
  allowedCommands,
  applyCommand,
  deadlineOf,
} from '../../../server/domain/request-lifecycle';

// ---------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------

const MINUTE = 60_000;
const T0 = Date.UTC(2025, 0, 6, 9, 0, 0);
/** The moment every command in the matrix is applied: after all fixture events, before any deadline. */
const NOW = T0 + 5 * MINUTE;
const REQUEST_EXPIRES_AT = T0 + 30 * MINUTE;
const OTP_ISSUED_AT = T0 + 4 * MINUTE;
const OTP_EXPIRES_AT = T0 + 14 * MINUTE;
const OLD_HASH = 'a'.repeat(64);
const NEW_HASH = 'b'.repeat(64);

const ALICE: AgentRef = { id: 'agent-alice', username: 'alice' };
const BOB: AgentRef = { id: 'agent-bob', username: 'bob' };
const ROOT: AgentRef = { id: 'agent-root', username: 'root' };
/** The agent holding every held fixture. */
const alice: Actor = { ref: ALICE, isAdmin: false };
/** Another plain agent. */
const bob: Actor = { ref: BOB, isAdmin: false };
/** An admin who holds nothing. */
const root: Actor = { ref: ROOT, isAdmin: true };

/** Callback is required, and two checks in all. */
const POLICY: VerificationPolicy = {
  checks: [
    { kind: 'attestation', id: 'callback', label: 'Called back the number on file', help: '' },
    { kind: 'attestation', id: 'employee-id', label: 'Stated the employee ID', help: '' },
    { kind: 'attestation', id: 'manager', label: 'Manager confirmed', help: '' },
  ],
  required: ['callback'],
  minimumChecks: 2,
  maskedFields: [],
  notesRequired: 'none',
};
/** The default risk policy: nothing in these fixtures needs a second approver. */
const RISK: RiskPolicy = defaultRiskPolicy();
const POLICIES = { policy: POLICY, riskPolicy: RISK };

/** Freezes a value and everything reachable from it, so any mutation by the code under test throws. */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

type Req<S extends RequestState> = Extract<HelpRequest, { state: S }>;

const record = (checkId: string, note = `${checkId} done`): VerificationRecord => ({
  checkId,
  note,
  by: ALICE,
  at: T0 + 2 * MINUTE,
  method: 'attested',
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
  expiresAt: REQUEST_EXPIRES_AT,
  failedAttempts: 0,
  riskSignals: [],
  origin: { ip: '203.0.113.7', userAgent: 'Mozilla/5.0 (X11; Linux x86_64)' },
};
const closedAt = T0 + 4 * MINUTE;

const queued: Req<'queued'> = deepFreeze({ ...base, verification: [], state: 'queued' });
/** Held by alice; callback recorded, so one more check meets the policy. */
const claimed: Req<'claimed'> = deepFreeze({
  ...base,
  verification: [record('callback')],
  state: 'claimed',
  claimedBy: ALICE,
});
/** Held by alice; callback and employee ID recorded: the policy is met. */
const verified: Req<'verified'> = deepFreeze({
  ...base,
  verification: [record('callback'), record('employee-id')],
  state: 'verified',
  claimedBy: ALICE,
});
const otpIssued: Req<'otp-issued'> = deepFreeze({
  ...base,
  verification: [record('callback'), record('employee-id')],
  state: 'otp-issued',
  claimedBy: ALICE,
  otp: { hash: OLD_HASH, issuedAt: OTP_ISSUED_AT, expiresAt: OTP_EXPIRES_AT, revealCount: 1 },
});
const completed: Req<'completed'> = deepFreeze({
  ...base,
  verification: [record('callback'), record('employee-id')],
  state: 'completed',
  claimedBy: ALICE,
  closedAt,
  closedReason: 'Signed in with the passcode.',
});
const denied: Req<'denied'> = deepFreeze({
  ...base,
  verification: [record('employee-id')],
  state: 'denied',
  claimedBy: ALICE,
  closedAt,
  closedReason: 'Caller hung up on the callback',
  closedBy: ALICE,
});
const cancelled: Req<'cancelled'> = deepFreeze({
  ...base,
  verification: [],
  state: 'cancelled',
  closedAt,
  closedReason: 'Superseded by a newer request',
});
const expired: Req<'expired'> = deepFreeze({
  ...base,
  verification: [],
  state: 'expired',
  closedAt,
  closedReason: 'Nobody completed it in time.',
});
const locked: Req<'locked'> = deepFreeze({
  ...base,
  verification: [record('callback'), record('employee-id')],
  failedAttempts: 5,
  state: 'locked',
  claimedBy: ALICE,
  closedAt,
  closedReason: 'Too many wrong passcodes.',
});

const FIXTURES: Record<RequestState, HelpRequest> = {
  queued,
  claimed,
  verified,
  'otp-issued': otpIssued,
  completed,
  denied,
  cancelled,
  expired,
  locked,
};

/** A deep-frozen copy of a fixture with some fields replaced. */
function variant<R extends HelpRequest>(request: R, patch: Partial<R>): R {
  return deepFreeze({ ...structuredClone(request), ...patch });
}

// Command builders
const claim = (actor: Actor): LifecycleCommand => ({ type: 'claim', actor });
const release = (actor: Actor): LifecycleCommand => ({ type: 'release', actor });
const takeOver = (actor: Actor): LifecycleCommand => ({ type: 'take-over', actor });
const verify = (
  actor: Actor,
  checkId: string,
  note = `${checkId} confirmed`,
  policy: VerificationPolicy = POLICY,
): LifecycleCommand => ({ type: 'verify', actor, checkId, note, policy });
const unverify = (
  actor: Actor,
  checkId: string,
  policy: VerificationPolicy = POLICY,
): LifecycleCommand => ({
  type: 'unverify',
  actor,
  checkId,
  policy,
});
const reveal = (
  actor: Actor,
  otpHash = NEW_HASH,
  otpExpiresAt = NOW + 10 * MINUTE,
  policy: VerificationPolicy = POLICY,
): LifecycleCommand => ({
  type: 'reveal',
  actor,
  otpHash,
  otpExpiresAt,
  policy,
  riskPolicy: RISK,
});
const deny = (actor: Actor, reason = 'Caller could not be verified'): LifecycleCommand => ({
  type: 'deny',
  actor,
  reason,
});
const cancel = (reason = 'The user cancelled'): LifecycleCommand => ({ type: 'cancel', reason });
const denyBySystem = (reason = 'The account is disabled in the directory.'): LifecycleCommand => ({
  type: 'deny-by-system',
  reason,
});
const submitOtp = (valid: boolean, maxAttempts = 5): LifecycleCommand => ({
  type: 'submit-otp',
  valid,
  maxAttempts,
});
const expire = (): LifecycleCommand => ({ type: 'expire' });

/** Applies a command, checking that the input request came out untouched. */
function apply(request: HelpRequest, command: LifecycleCommand, now = NOW): TransitionResult {
  const before = structuredClone(request);
  const result = applyCommand(request, command, now);
  expect(request).toEqual(before);
  return result;
}

/** The new request of an accepted command; it must be a possible request stamped with `now`. */
function accepted(result: TransitionResult, now = NOW): HelpRequest {
  if (!result.ok)
    throw new Error(`expected success, got ${result.error.code}: ${result.error.message}`);
  expect(HelpRequestSchema.safeParse(result.request).error?.issues).toBeUndefined();
  expect(result.request.updatedAt).toBe(now);
  return result.request;
}

/** The refusal of a refused command; it carries a message a person can read. */
function refused(result: TransitionResult): LifecycleError {
  if (result.ok) throw new Error(`expected a refusal, got state ${result.request.state}`);
  expect(result.error.message).toMatch(/\S/);
  return result.error;
}

// ---------------------------------------------------------------------------------------------
// The matrix: every state × every command, with the expected outcome written out.
// ---------------------------------------------------------------------------------------------

const COMMANDS = {
  /** By bob, who holds nothing. */
  claim: claim(bob),
  /** By alice, the holder. */
  release: release(alice),
  /** By root, an admin who does not hold it. */
  'take-over': takeOver(root),
  /** Alice records the manager check. */
  verify: verify(alice, 'manager'),
  /** Alice removes the employee-ID check. */
  unverify: unverify(alice, 'employee-id'),
  reveal: reveal(alice),
  deny: deny(alice),
  cancel: cancel(),
  'deny-by-system': denyBySystem(),
  'submit-otp valid': submitOtp(true),
  'submit-otp invalid': submitOtp(false),
  /** At NOW, before every open fixture's deadline. */
  expire: expire(),
} satisfies Record<string, LifecycleCommand>;
type Column = keyof typeof COMMANDS;

type Outcome = { state: RequestState } | { error: ErrorCode };
const to = (state: RequestState): Outcome => ({ state });
const no = (error: ErrorCode): Outcome => ({ error });

const CLOSED_ROW: Record<Column, Outcome> = {
  claim: no('invalid-state'),
  release: no('invalid-state'),
  'take-over': no('invalid-state'),
  verify: no('invalid-state'),
  unverify: no('invalid-state'),
  reveal: no('invalid-state'),
  deny: no('invalid-state'),
  cancel: no('invalid-state'),
  'deny-by-system': no('invalid-state'),
  'submit-otp valid': no('invalid-state'),
  'submit-otp invalid': no('invalid-state'),
  expire: no('invalid-state'),
};

const SPEC: Record<RequestState, Record<Column, Outcome>> = {
  queued: {
    claim: to('claimed'),
    release: no('invalid-state'),
    'take-over': no('invalid-state'),
    verify: no('invalid-state'),
    unverify: no('invalid-state'),
    reveal: no('invalid-state'),
    deny: no('invalid-state'),
    cancel: to('cancelled'),
    'deny-by-system': to('denied'),
    'submit-otp valid': no('invalid-state'),
    'submit-otp invalid': no('invalid-state'),
    expire: no('not-due'),
  },
  claimed: {
    claim: no('already-claimed'),
    release: to('queued'),
    'take-over': to('claimed'),
    verify: to('verified'),
    unverify: to('claimed'),
    reveal: no('verification-incomplete'),
    deny: to('denied'),
    cancel: to('cancelled'),
    'deny-by-system': to('denied'),
    'submit-otp valid': no('invalid-state'),
    'submit-otp invalid': no('invalid-state'),
    expire: no('not-due'),
  },
  verified: {
    claim: no('already-claimed'),
    release: to('queued'),
    'take-over': to('verified'),
    verify: to('verified'),
    unverify: to('claimed'),
    reveal: to('otp-issued'),
    deny: to('denied'),
    cancel: to('cancelled'),
    'deny-by-system': to('denied'),
    'submit-otp valid': no('invalid-state'),
    'submit-otp invalid': no('invalid-state'),
    expire: no('not-due'),
  },
  'otp-issued': {
    claim: no('already-claimed'),
    release: no('invalid-state'),
    'take-over': to('otp-issued'),
    verify: no('invalid-state'),
    unverify: no('invalid-state'),
    reveal: to('otp-issued'),
    deny: to('denied'),
    cancel: to('cancelled'),
    'deny-by-system': to('denied'),
    'submit-otp valid': to('completed'),
    'submit-otp invalid': to('otp-issued'),
    expire: no('not-due'),
  },
  completed: CLOSED_ROW,
  denied: CLOSED_ROW,
  cancelled: CLOSED_ROW,
  expired: CLOSED_ROW,
  locked: CLOSED_ROW,
};

const MATRIX = (Object.keys(SPEC) as RequestState[]).flatMap((state) =>
  (Object.keys(COMMANDS) as Column[]).map((column) => {
    const outcome = SPEC[state][column];
    const label = 'state' in outcome ? outcome.state : `refused: ${outcome.error}`;
    return [state, column, label, outcome] as const;
  }),
);

describe('applyCommand: every state × every command', () => {
  it('covers all 9 states and 12 commands', () => {
    expect(MATRIX).toHaveLength(108);
  });

  it.each(MATRIX)('%s + %s → %s', (state, column, _label, outcome) => {
    const result = apply(FIXTURES[state], COMMANDS[column]);
    if ('state' in outcome) {
      const request = accepted(result);
      expect(request.state).toBe(outcome.state);
      expect(request.id).toBe(FIXTURES[state].id);
    } else {
      expect(refused(result).code).toBe(outcome.error);
    }
  });
});

describe('test fixtures', () => {
  it.each(Object.entries(FIXTURES))(
    'the %s fixture is a valid, deep-frozen request',
    (state, request) => {
      expect(HelpRequestSchema.safeParse(request).error?.issues).toBeUndefined();
      expect(request.state).toBe(state);
      expect(Object.isFrozen(request)).toBe(true);
      expect(Object.isFrozen(request.origin)).toBe(true);
      expect(Object.isFrozen(request.verification)).toBe(true);
      for (const r of request.verification) expect(Object.isFrozen(r.by)).toBe(true);
      if (request.state === 'otp-issued') expect(Object.isFrozen(request.otp)).toBe(true);
    },
  );

  it('a frozen fixture throws on mutation, so a mutating transition cannot pass unnoticed', () => {
    expect(() => {
      (otpIssued.otp as { revealCount: number }).revealCount = 2;
    }).toThrow(TypeError);
    expect(() => {
      (claimed.verification as VerificationRecord[]).push(record('manager'));
    }).toThrow(TypeError);
  });
});

// ---------------------------------------------------------------------------------------------
// Each command in detail
// ---------------------------------------------------------------------------------------------

const HELD = { claimed, verified, 'otp-issued': otpIssued } as const;
const HELD_ENTRIES = Object.entries(HELD);
const OPEN_ENTRIES = Object.entries({ queued, ...HELD });
const CLOSED_ENTRIES = Object.entries({ completed, denied, cancelled, expired, locked });

describe('closed requests', () => {
  const everyCommand: LifecycleCommand[] = [
    claim(alice),
    claim(root),
    release(alice),
    takeOver(root),
    verify(alice, 'callback'),
    unverify(alice, 'callback'),
    reveal(alice),
    deny(alice),
    cancel(),
    denyBySystem(),
    submitOtp(true),
    submitOtp(false),
    expire(),
  ];
  it.each(CLOSED_ENTRIES)(
    'a %s request refuses every command, even long after its deadline',
    (_s, request) => {
      for (const command of everyCommand) {
        expect(refused(apply(request, command, T0 + 24 * 60 * MINUTE)).code).toBe('invalid-state');
      }
    },
  );

  it('the refusal says what state the request is already in', () => {
    expect(refused(apply(completed, claim(bob))).message).toContain('completed');
  });
});

describe('claim', () => {
  it('turns a queued request into one claimed by the claiming agent, changing nothing else', () => {
    const request = accepted(apply(queued, claim(bob)));
    expect(request).toEqual({ ...queued, state: 'claimed', claimedBy: BOB, updatedAt: NOW });
  });

  it.each(HELD_ENTRIES)(
    'refuses a %s request its holder claims again with invalid-state',
    (_s, request) => {
      expect(refused(apply(request, claim(alice))).code).toBe('invalid-state');
    },
  );

  it.each(HELD_ENTRIES)(
    'refuses a %s request held by another agent with already-claimed',
    (_s, request) => {
      const error = refused(apply(request, claim(bob)));
      expect(error.code).toBe('already-claimed');
      expect(error.message).toContain('alice');
    },
  );

  it('does not let an admin take a held request by claiming it (that is take-over)', () => {
    expect(refused(apply(claimed, claim(root))).code).toBe('already-claimed');
  });
});

describe('release', () => {
  it.each([
    ['claimed', claimed],
    ['verified', verified],
  ] as const)(
    'by the holder puts a %s request back in the queue, verification cleared',
    (_s, request) => {
      const result = accepted(apply(request, release(alice)));
      const { claimedBy: _holder, ...rest } = request;
      expect(result).toEqual({ ...rest, state: 'queued', verification: [], updatedAt: NOW });
      expect(result).not.toHaveProperty('claimedBy');
    },
  );

  it('is refused with invalid-state once a passcode is out', () => {
    expect(refused(apply(otpIssued, release(alice))).code).toBe('invalid-state');
  });

  it.each(HELD_ENTRIES)(
    'by someone other than the holder of a %s request: not-claimed-by-you',
    (_s, request) => {
      expect(refused(apply(request, release(bob))).code).toBe('not-claimed-by-you');
      expect(refused(apply(request, release(root))).code).toBe('not-claimed-by-you');
    },
  );

  it('of a queued request is refused with invalid-state', () => {
    expect(refused(apply(queued, release(alice))).code).toBe('invalid-state');
  });
});

describe('take-over', () => {
  it.each(OPEN_ENTRIES)('by a non-admin on a %s request is forbidden', (_s, request) => {
    expect(refused(apply(request, takeOver(bob))).code).toBe('forbidden');
    expect(refused(apply(request, takeOver(alice))).code).toBe('forbidden');
  });

  it('by an admin on a queued request is refused with invalid-state (claim it instead)', () => {
    expect(refused(apply(queued, takeOver(root))).code).toBe('invalid-state');
  });

  it.each(HELD_ENTRIES)(
    'by an admin keeps a %s request as it is, now held by the admin',
    (_s, request) => {
      const result = accepted(apply(request, takeOver(root)));
      expect(result).toEqual({ ...request, claimedBy: ROOT, updatedAt: NOW });
    },
  );

  it('by the admin who already holds the request is refused with invalid-state', () => {
    const heldByRoot = variant(claimed, { claimedBy: ROOT });
    expect(refused(apply(heldByRoot, takeOver(root))).code).toBe('invalid-state');
  });

  it('lets the new holder act and shuts the old one out', () => {
    const taken = accepted(apply(verified, takeOver(root)));
    expect(refused(apply(taken, reveal(alice))).code).toBe('not-claimed-by-you');
    expect(accepted(apply(taken, reveal(root))).state).toBe('otp-issued');
  });
});

describe('verify', () => {
  it('records the check with its note, the agent and the time', () => {
    const result = accepted(
      apply(claimed, verify(alice, 'manager', 'Manager Kim confirmed on Teams')),
    );
    expect(result.verification).toEqual([
      record('callback'),
      {
        checkId: 'manager',
        note: 'Manager Kim confirmed on Teams',
        by: ALICE,
        at: NOW,
        method: 'attested',
      },
    ]);
  });

  it('replaces an earlier record of the same check instead of adding a second one', () => {
    const result = accepted(apply(verified, verify(alice, 'callback', 'Called back again')));
    expect(result.verification).toEqual([
      record('employee-id'),
      { checkId: 'callback', note: 'Called back again', by: ALICE, at: NOW, method: 'attested' },
    ]);
    expect(result.state).toBe('verified');
  });

  const start = (checks: string[]) =>
    variant(claimed, { verification: checks.map((c) => record(c)) });
  it.each([
    { have: [], add: 'callback', state: 'claimed', why: 'the minimum of two is not reached' },
    { have: [], add: 'employee-id', state: 'claimed', why: 'the required callback is missing' },
    {
      have: ['employee-id'],
      add: 'manager',
      state: 'claimed',
      why: 'two checks, but not callback',
    },
    {
      have: ['callback'],
      add: 'callback',
      state: 'claimed',
      why: 'the same check twice counts once',
    },
    { have: ['callback'], add: 'employee-id', state: 'verified', why: 'callback and one more' },
    { have: ['employee-id'], add: 'callback', state: 'verified', why: 'the required one last' },
  ] as const)('$have + $add → $state ($why)', ({ have, add, state }) => {
    expect(accepted(apply(start([...have]), verify(alice, add))).state).toBe(state);
  });

  it('follows the policy it is given: one required check and a minimum of one', () => {
    const lenient: VerificationPolicy = { ...POLICY, required: ['callback'], minimumChecks: 1 };
    const empty = variant(claimed, { verification: [] });
    expect(accepted(apply(empty, verify(alice, 'callback', 'ok', lenient))).state).toBe('verified');
  });

  it('refuses a check the policy does not define with unknown-check', () => {
    expect(refused(apply(claimed, verify(alice, 'ssn'))).code).toBe('unknown-check');
    expect(refused(apply(verified, verify(alice, 'ssn'))).code).toBe('unknown-check');
  });

  it('is refused with invalid-state once a passcode is out', () => {
    expect(refused(apply(otpIssued, verify(alice, 'manager'))).code).toBe('invalid-state');
  });

  it('is refused for someone other than the holder and for a queued request', () => {
    expect(refused(apply(claimed, verify(bob, 'manager'))).code).toBe('not-claimed-by-you');
    expect(refused(apply(claimed, verify(root, 'manager'))).code).toBe('not-claimed-by-you');
    expect(refused(apply(queued, verify(alice, 'callback'))).code).toBe('invalid-state');
  });
});

describe('unverify', () => {
  it('drops a verified request back to claimed when the policy is no longer met', () => {
    const result = accepted(apply(verified, unverify(alice, 'callback')));
    expect(result).toEqual({
      ...verified,
      state: 'claimed',
      verification: [record('employee-id')],
      updatedAt: NOW,
    });
  });

  it('keeps a request verified while the remaining checks still meet the policy', () => {
    const three = variant(verified, {
      verification: [record('callback'), record('employee-id'), record('manager')],
    });
    const result = accepted(apply(three, unverify(alice, 'manager')));
    expect(result.state).toBe('verified');
    expect(result.verification.map((r) => r.checkId)).toEqual(['callback', 'employee-id']);
  });

  it('of a check that was never recorded leaves the records as they are', () => {
    const result = accepted(apply(claimed, unverify(alice, 'manager')));
    expect(result.verification).toEqual(claimed.verification);
    expect(result.state).toBe('claimed');
  });

  it('refuses an unknown check, an issued passcode and a non-holder', () => {
    expect(refused(apply(verified, unverify(alice, 'ssn'))).code).toBe('unknown-check');
    expect(refused(apply(otpIssued, unverify(alice, 'callback'))).code).toBe('invalid-state');
    expect(refused(apply(verified, unverify(bob, 'callback'))).code).toBe('not-claimed-by-you');
  });
});

describe('reveal', () => {
  it('issues the passcode once the policy is met: otp-issued with the hash, expiry and a count of 1', () => {
    const result = accepted(apply(verified, reveal(alice, NEW_HASH, NOW + 10 * MINUTE)));
    expect(result).toEqual({
      ...verified,
      state: 'otp-issued',
      otp: { hash: NEW_HASH, issuedAt: NOW, expiresAt: NOW + 10 * MINUTE, revealCount: 1 },
      updatedAt: NOW,
    });
  });

  it('again from otp-issued replaces the code and counts the second reveal', () => {
    const result = accepted(apply(otpIssued, reveal(alice, NEW_HASH, NOW + 7 * MINUTE)));
    if (result.state !== 'otp-issued') throw new Error(`expected otp-issued, got ${result.state}`);
    expect(result.otp).toEqual({
      hash: NEW_HASH,
      issuedAt: NOW,
      expiresAt: NOW + 7 * MINUTE,
      revealCount: 2,
    });
    expect(result.claimedBy).toEqual(ALICE);
    expect(result.verification).toEqual(otpIssued.verification);
  });

  it('is refused for a user who is not an active directory user, even when verified', () => {
    const stranger = { ...verified, inDirectory: false };
    expect(refused(apply(stranger, reveal(alice, NEW_HASH, NOW + MINUTE))).code).toBe('forbidden');
    expect(
      refused(apply({ ...otpIssued, inDirectory: false }, reveal(alice, NEW_HASH, NOW + MINUTE)))
        .code,
    ).toBe('forbidden');
  });

  it('works from claimed when the recorded checks already meet the policy it is given', () => {
    const lenient: VerificationPolicy = { ...POLICY, minimumChecks: 1 };
    expect(accepted(apply(claimed, reveal(alice, NEW_HASH, NOW + MINUTE, lenient))).state).toBe(
      'otp-issued',
    );
  });

  it('is refused with verification-incomplete naming the missing required check', () => {
    const noCallback = variant(claimed, {
      verification: [record('employee-id'), record('manager')],
    });
    const error = refused(apply(noCallback, reveal(alice)));
    expect(error.code).toBe('verification-incomplete');
    expect(error.message).toContain('callback');
  });

  it('is refused with verification-incomplete saying how many more checks are needed', () => {
    const error = refused(apply(claimed, reveal(alice)));
    expect(error.code).toBe('verification-incomplete');
    expect(error.message).toContain('1 more');
  });

  it('is refused for someone other than the holder and for a queued request', () => {
    expect(refused(apply(verified, reveal(bob))).code).toBe('not-claimed-by-you');
    expect(refused(apply(otpIssued, reveal(root))).code).toBe('not-claimed-by-you');
    expect(refused(apply(queued, reveal(alice))).code).toBe('invalid-state');
  });
});

describe('deny', () => {
  it.each(HELD_ENTRIES)(
    'by the holder closes a %s request as denied, with reason and agent',
    (_s, request) => {
      const result = accepted(apply(request, deny(alice, 'Callback reached someone else')));
      const { otp: _otp, ...rest } = request as HelpRequest & { otp?: unknown };
      expect(result).toEqual({
        ...rest,
        state: 'denied',
        closedAt: NOW,
        closedReason: 'Callback reached someone else',
        closedBy: ALICE,
        updatedAt: NOW,
      });
      expect(result).not.toHaveProperty('otp');
    },
  );

  it.each(HELD_ENTRIES)(
    'by someone other than the holder of a %s request: not-claimed-by-you',
    (_s, request) => {
      expect(refused(apply(request, deny(bob))).code).toBe('not-claimed-by-you');
    },
  );

  it('of a queued request is refused with invalid-state', () => {
    expect(refused(apply(queued, deny(alice))).code).toBe('invalid-state');
  });
});

describe('cancel', () => {
  it.each(OPEN_ENTRIES)(
    'closes a %s request as cancelled with the reason and no agent',
    (_s, request) => {
      const result = accepted(apply(request, cancel('Superseded by a newer request')));
      expect(result).toMatchObject({
        state: 'cancelled',
        closedAt: NOW,
        closedReason: 'Superseded by a newer request',
      });
      expect(result).not.toHaveProperty('closedBy');
      expect(result).not.toHaveProperty('otp');
      expect(result.verification).toEqual(request.verification);
    },
  );
});

describe('deny-by-system', () => {
  it.each(OPEN_ENTRIES)(
    'closes a %s request as denied with the reason and no agent, even one held by someone',
    (_s, request) => {
      const result = accepted(apply(request, denyBySystem('The account is disabled.')));
      expect(result).toMatchObject({
        state: 'denied',
        closedAt: NOW,
        closedReason: 'The account is disabled.',
      });
      expect(result).not.toHaveProperty('closedBy');
      expect(result).not.toHaveProperty('otp');
      expect(result.verification).toEqual(request.verification);
      expect(result.failedAttempts).toBe(request.failedAttempts);
      if ('claimedBy' in request) expect(result).toMatchObject({ claimedBy: request.claimedBy });
    },
  );

  it('works after the deadline too: the refusal does not wait for the sweep', () => {
    const late = accepted(
      apply(otpIssued, denyBySystem(), OTP_EXPIRES_AT + MINUTE),
      OTP_EXPIRES_AT + MINUTE,
    );
    expect(late.state).toBe('denied');
  });

  it('a passcode sent after it no longer signs in: the request is closed', () => {
    const denied = accepted(apply(otpIssued, denyBySystem()));
    expect(refused(apply(denied, submitOtp(true))).code).toBe('invalid-state');
  });
});

describe('submit-otp', () => {
  it.each(Object.entries({ queued, claimed, verified }))(
    'on a %s request is refused with invalid-state, right or wrong',
    (_s, request) => {
      expect(refused(apply(request, submitOtp(true))).code).toBe('invalid-state');
      expect(refused(apply(request, submitOtp(false))).code).toBe('invalid-state');
    },
  );

  it('with the right code before the passcode expires completes the request', () => {
    const result = accepted(
      apply(otpIssued, submitOtp(true), OTP_EXPIRES_AT - 1),
      OTP_EXPIRES_AT - 1,
    );
    const { otp: _otp, ...rest } = otpIssued;
    expect(result).toEqual({
      ...rest,
      state: 'completed',
      closedAt: OTP_EXPIRES_AT - 1,
      closedReason: expect.any(String),
      updatedAt: OTP_EXPIRES_AT - 1,
    });
  });

  it.each([
    ['at', OTP_EXPIRES_AT],
    ['after', OTP_EXPIRES_AT + 1],
  ])('with the right code %s the passcode expiry expires the request instead', (_w, now) => {
    const result = accepted(apply(otpIssued, submitOtp(true), now), now);
    expect(result.state).toBe('expired');
    expect(result).not.toHaveProperty('otp');
  });

  it('with a wrong code after expiry also expires it, without counting the attempt', () => {
    const result = accepted(apply(otpIssued, submitOtp(false), OTP_EXPIRES_AT), OTP_EXPIRES_AT);
    expect(result.state).toBe('expired');
    expect(result.failedAttempts).toBe(0);
  });

  it('with a wrong code counts the attempt and leaves the passcode in force', () => {
    const result = accepted(apply(otpIssued, submitOtp(false)));
    expect(result).toEqual({ ...otpIssued, failedAttempts: 1, updatedAt: NOW });
  });

  it('locks the request when the wrong attempts reach maxAttempts', () => {
    const fourWrong = variant(otpIssued, { failedAttempts: 4 });
    const result = accepted(apply(fourWrong, submitOtp(false, 5)));
    expect(result).toMatchObject({ state: 'locked', failedAttempts: 5, closedAt: NOW });
    expect(result).not.toHaveProperty('otp');
  });

  it('does not lock one attempt before the limit', () => {
    const threeWrong = variant(otpIssued, { failedAttempts: 3 });
    expect(accepted(apply(threeWrong, submitOtp(false, 5)))).toMatchObject({
      state: 'otp-issued',
      failedAttempts: 4,
    });
  });

  it('locks at the first wrong code when maxAttempts is 1', () => {
    expect(accepted(apply(otpIssued, submitOtp(false, 1))).state).toBe('locked');
  });

  it('five wrong codes in a row with maxAttempts 5 lock the request on the fifth', () => {
    let request: HelpRequest = otpIssued;
    const states: string[] = [];
    for (let i = 1; i <= 5; i++) {
      request = accepted(apply(request, submitOtp(false, 5), NOW + i), NOW + i);
      states.push(`${request.state}:${request.failedAttempts}`);
    }
    expect(states).toEqual([
      'otp-issued:1',
      'otp-issued:2',
      'otp-issued:3',
      'otp-issued:4',
      'locked:5',
    ]);
  });

  it('the right code after some wrong ones still completes the request', () => {
    const twoWrong = variant(otpIssued, { failedAttempts: 2 });
    expect(accepted(apply(twoWrong, submitOtp(true)))).toMatchObject({
      state: 'completed',
      failedAttempts: 2,
    });
  });
});

describe('expire and deadlineOf', () => {
  it.each(Object.entries({ queued, claimed, verified }))(
    'the deadline of a %s request is its own expiresAt',
    (_s, request) => {
      expect(deadlineOf(request)).toBe(REQUEST_EXPIRES_AT);
    },
  );

  it('the deadline of an otp-issued request is the passcode expiry, even when it is later', () => {
    expect(deadlineOf(otpIssued)).toBe(OTP_EXPIRES_AT);
    const late = variant(otpIssued, {
      otp: { ...otpIssued.otp, expiresAt: REQUEST_EXPIRES_AT + MINUTE },
    });
    expect(deadlineOf(late)).toBe(REQUEST_EXPIRES_AT + MINUTE);
  });

  it.each(Object.entries({ queued, claimed, verified }))(
    'a %s request is not due a millisecond before expiresAt and expires at and after it',
    (_s, request) => {
      expect(refused(apply(request, expire(), REQUEST_EXPIRES_AT - 1)).code).toBe('not-due');
      for (const now of [REQUEST_EXPIRES_AT, REQUEST_EXPIRES_AT + MINUTE]) {
        const result = accepted(apply(request, expire(), now), now);
        expect(result).toMatchObject({
          state: 'expired',
          closedAt: now,
          closedReason: expect.any(String),
        });
        expect(result).not.toHaveProperty('closedBy');
      }
    },
  );

  it('an otp-issued request expires at the passcode expiry, before the request’s own', () => {
    expect(refused(apply(otpIssued, expire(), OTP_EXPIRES_AT - 1)).code).toBe('not-due');
    const result = accepted(apply(otpIssued, expire(), OTP_EXPIRES_AT), OTP_EXPIRES_AT);
    expect(result.state).toBe('expired');
    expect(result).not.toHaveProperty('otp');
  });

  it('an otp-issued request whose passcode outlives the request is not due until the passcode expires', () => {
    const late = variant(otpIssued, {
      otp: { ...otpIssued.otp, expiresAt: REQUEST_EXPIRES_AT + MINUTE },
    });
    expect(refused(apply(late, expire(), REQUEST_EXPIRES_AT)).code).toBe('not-due');
    expect(
      accepted(apply(late, expire(), REQUEST_EXPIRES_AT + MINUTE), REQUEST_EXPIRES_AT + MINUTE)
        .state,
    ).toBe('expired');
  });
});

// ---------------------------------------------------------------------------------------------
// Who may act: the same rule, asked before acting (the console) and applied (the lifecycle)
// ---------------------------------------------------------------------------------------------

describe('allowedCommands and agentRefusal', () => {
  /** POLICY with a mailed-code check besides, for the code commands. */
  const WITH_MAILED: VerificationPolicy = {
    ...POLICY,
    checks: [
      ...POLICY.checks,
      { kind: 'mailed-code', id: 'mailed', label: 'Read back the mailed code', help: '' },
    ],
  };
  const agentCommand = (type: AgentCommandType, actor: Actor): LifecycleCommand =>
    (
      ({
        claim: claim(actor),
        release: release(actor),
        'take-over': takeOver(actor),
        verify: verify(actor, 'manager'),
        unverify: unverify(actor, 'callback'),
        reveal: reveal(actor),
        deny: deny(actor),
        'send-code': {
          type: 'send-code',
          actor,
          checkId: 'mailed',
          codeHash: NEW_HASH,
          sentTo: 'jdoe@example.com',
          expiresAt: NOW + 10 * MINUTE,
          policy: WITH_MAILED,
        },
        'check-code': { type: 'check-code', actor, valid: true, policy: WITH_MAILED },
        'ask-approval': {
          type: 'ask-approval',
          actor,
          note: '',
          policy: POLICY,
          riskPolicy: RISK,
        },
        approve: { type: 'approve', actor, note: 'Looks right' },
        'refuse-approval': { type: 'refuse-approval', actor, note: 'Not convinced' },
        suspicious: { type: 'suspicious', actor, description: 'Caller pressed hard for speed' },
      }) satisfies Record<AgentCommandType, LifecycleCommand>
    )[type];
  /**
   * Whether a code is outstanding is judged by the command itself (as an unknown check is for
   * verify): the rule of who may act is compared on the request with one outstanding.
   */
  const withOutstandingCode = (request: HelpRequest): HelpRequest =>
    isOpen(request)
      ? variant(request, {
          mailedCode: {
            checkId: 'mailed',
            hash: OLD_HASH,
            sentTo: 'jdoe@example.com',
            sentAt: T0,
            expiresAt: NOW + MINUTE,
            sends: 1,
            wrong: 0,
          },
        })
      : request;

  const CASES = (Object.keys(FIXTURES) as RequestState[]).flatMap((state) =>
    Object.entries({ alice, bob, root }).flatMap(([who, actor]) =>
      AGENT_COMMAND_TYPES.map((type) => [state, who, type, actor] as const),
    ),
  );

  it.each(CASES)(
    '%s, %s, %s: allowed exactly when the lifecycle accepts it, refused for the same reason',
    (state, _who, type, actor) => {
      const request = FIXTURES[state];
      const result = apply(
        type === 'check-code' ? withOutstandingCode(request) : request,
        agentCommand(type, actor),
      );
      expect(allowedCommands(request, actor, POLICIES).has(type)).toBe(result.ok);
      const attempt =
        type === 'reveal' || type === 'ask-approval' ? { type, ...POLICIES } : { type };
      expect(agentRefusal(request, actor, attempt)).toEqual(result.ok ? undefined : result.error);
    },
  );

  it('judges the console’s view of a request (nobody holding it is null there)', () => {
    const waiting: RequestStanding = {
      state: 'queued',
      claimedBy: null,
      inDirectory: true,
      verification: [],
      username: 'jdoe',
      riskSignals: [],
    };
    expect([...allowedCommands(waiting, bob, POLICIES)]).toEqual(['claim']);
    expect([...allowedCommands(waiting, root, POLICIES)]).toEqual(['claim']);

    const held: RequestStanding = {
      state: 'verified',
      claimedBy: ALICE,
      inDirectory: true,
      verification: [{ checkId: 'callback' }, { checkId: 'employee-id' }],
      username: 'jdoe',
      riskSignals: [],
    };
    expect([...allowedCommands(held, alice, POLICIES)]).toEqual([
      'release',
      'verify',
      'unverify',
      'reveal',
      'deny',
      'send-code',
      'check-code',
      'suspicious',
    ]);
    expect([...allowedCommands(held, bob, POLICIES)]).toEqual([]);
    expect([...allowedCommands(held, root, POLICIES)]).toEqual(['take-over']);
  });

  it('reveal follows the policy in force, not the state recorded under an older one', () => {
    const stricter: VerificationPolicy = { ...POLICY, required: ['callback', 'manager'] };
    const policies = { policy: stricter, riskPolicy: RISK };
    expect(allowedCommands(verified, alice, policies).has('reveal')).toBe(false);
    expect(agentRefusal(verified, alice, { type: 'reveal', ...policies })).toEqual({
      code: 'verification-incomplete',
      message: 'Verify the caller first (required checks missing: manager).',
    });
  });

  it('offers no reveal for a user who is not an active directory user', () => {
    const unknown = variant(verified, { inDirectory: false });
    expect(allowedCommands(unknown, alice, POLICIES).has('reveal')).toBe(false);
    expect(agentRefusal(unknown, alice, { type: 'reveal', ...POLICIES })?.code).toBe('forbidden');
    expect(allowedCommands(unknown, alice, POLICIES).has('deny')).toBe(true);
  });

  it('offers no reveal while the policy is not known yet', () => {
    expect(allowedCommands(verified, alice, null).has('reveal')).toBe(false);
    expect(allowedCommands(verified, alice, null).has('deny')).toBe(true);
  });
});
