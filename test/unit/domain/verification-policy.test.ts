// Specification of verification progress: required checks, a minimum count, and what does not count.
import { describe, expect, it } from 'vitest';
import type { VerificationPolicy } from '../../../server/contract/realm-config';
import type { VerificationRecord } from '../../../server/domain/help-request';
import { verificationProgress } from '../../../server/domain/verification-policy';

const CHECKS = ['callback', 'employee-id', 'manager', 'photo-id'].map((id) => ({
  kind: 'attestation' as const,
  id,
  label: `Check ${id}`,
  help: '',
}));

const policy = (required: string[], minimumChecks: number): VerificationPolicy => ({
  checks: CHECKS,
  required,
  minimumChecks,
  maskedFields: [],
  notesRequired: 'none',
});

const records = (...checkIds: string[]): VerificationRecord[] =>
  checkIds.map((checkId, i) => ({
    checkId,
    note: `${checkId} done`,
    by: { id: 'agent-alice', username: 'alice' },
    at: 1_000 + i,
    method: 'attested',
  }));

describe('verificationProgress', () => {
  it.each([
    // required, minimum, recorded → met, missingRequired, moreNeeded
    { required: ['callback'], min: 2, done: [], met: false, missing: ['callback'], more: 2 },
    { required: ['callback'], min: 2, done: ['callback'], met: false, missing: [], more: 1 },
    {
      required: ['callback'],
      min: 2,
      done: ['employee-id', 'manager'],
      met: false,
      missing: ['callback'],
      more: 0,
    },
    {
      required: ['callback'],
      min: 2,
      done: ['callback', 'manager'],
      met: true,
      missing: [],
      more: 0,
    },
    {
      required: ['callback'],
      min: 2,
      done: ['manager', 'photo-id', 'callback'],
      met: true,
      missing: [],
      more: 0,
    },
    { required: [], min: 1, done: [], met: false, missing: [], more: 1 },
    { required: [], min: 1, done: ['photo-id'], met: true, missing: [], more: 0 },
    { required: [], min: 3, done: ['photo-id', 'manager'], met: false, missing: [], more: 1 },
    {
      required: ['callback', 'manager'],
      min: 2,
      done: ['callback', 'employee-id'],
      met: false,
      missing: ['manager'],
      more: 0,
    },
    {
      required: ['callback', 'manager'],
      min: 2,
      done: ['manager', 'callback'],
      met: true,
      missing: [],
      more: 0,
    },
    {
      required: ['callback', 'manager'],
      min: 3,
      done: ['manager', 'callback'],
      met: false,
      missing: [],
      more: 1,
    },
    {
      required: ['callback', 'manager'],
      min: 2,
      done: [],
      met: false,
      missing: ['callback', 'manager'],
      more: 2,
    },
    {
      required: ['callback', 'employee-id', 'manager', 'photo-id'],
      min: 4,
      done: ['photo-id', 'manager', 'employee-id', 'callback'],
      met: true,
      missing: [],
      more: 0,
    },
  ])(
    'required $required, minimum $min, recorded $done → met $met, missing $missing, $more more',
    ({ required, min, done, met, missing, more }) => {
      expect(verificationProgress(policy(required, min), records(...done))).toEqual({
        met,
        missingRequired: missing,
        moreNeeded: more,
      });
    },
  );

  it('does not count records of checks the policy does not define', () => {
    const progress = verificationProgress(
      policy(['callback'], 2),
      records('callback', 'ssn', 'mothers-maiden-name'),
    );
    expect(progress).toEqual({ met: false, missingRequired: [], moreNeeded: 1 });
  });

  it('does not let an unknown record stand in for a required one', () => {
    const progress = verificationProgress(policy([], 1), records('Callback', 'callback '));
    expect(progress.met).toBe(false);
  });

  it('counts a check recorded twice only once', () => {
    const progress = verificationProgress(policy(['callback'], 2), records('callback', 'callback'));
    expect(progress).toEqual({ met: false, missingRequired: [], moreNeeded: 1 });
  });

  it('lists a required check named twice in the policy only once', () => {
    const progress = verificationProgress(policy(['callback', 'callback'], 2), records('manager'));
    expect(progress.missingRequired).toEqual(['callback']);
  });

  it('never asks for a negative number of further checks', () => {
    const progress = verificationProgress(
      policy([], 1),
      records('callback', 'manager', 'photo-id'),
    );
    expect(progress.moreNeeded).toBe(0);
    expect(progress.met).toBe(true);
  });
});
