// Pure helpers: passcode groups for reading aloud, ages and countdowns, verification progress in words.
import { describe, expect, it } from 'vitest';
import { defaultRealmConfig } from '../../server/contract/realm-config';
import { verificationProgress } from '../../server/domain/verification-policy';
import { progressText } from '../../renderer/src/features/request/progress-text';
import { formatAge, formatCountdown, groupOtp } from '../../renderer/src/lib/otp-format';

describe('groupOtp', () => {
  it.each([
    ['123456', ['123', '456']],
    ['1234567', ['123', '4567']],
    ['12345678', ['1234', '5678']],
    ['123456789', ['123', '456', '789']],
    ['1234567890', ['123', '456', '7890']],
  ])('%s reads as %j', (otp, groups) => {
    expect(groupOtp(otp)).toEqual(groups);
  });

  it.each([6, 7, 8, 9, 10])('reads %i digits in groups of 3 or 4', (digits) => {
    const groups = groupOtp('1234567890'.slice(0, digits));
    expect(groups.join('')).toBe('1234567890'.slice(0, digits));
    for (const group of groups) expect([3, 4]).toContain(group.length);
  });

  it('never loses a digit on lengths the policy does not allow', () => {
    for (let n = 1; n <= 16; n++) expect(groupOtp('9'.repeat(n)).join('')).toHaveLength(n);
  });
});

describe('ages and countdowns', () => {
  it('formats ages short', () => {
    expect(formatAge(42_000)).toBe('42 s');
    expect(formatAge(5 * 60_000 + 10_000)).toBe('5 min');
    expect(formatAge(130 * 60_000)).toBe('2 h 10 min');
    expect(formatAge(3 * 86_400_000)).toBe('3 d');
    expect(formatAge(-5)).toBe('0 s');
  });

  it('counts down in minutes and seconds, never below zero', () => {
    expect(formatCountdown(605)).toBe('10:05');
    expect(formatCountdown(59.2)).toBe('1:00');
    expect(formatCountdown(-3)).toBe('0:00');
  });
});

describe('verification progress in words (progress from the domain)', () => {
  const policy = defaultRealmConfig().verificationPolicy; // callback required, two checks in all
  const record = (checkId: string) => ({
    checkId,
    note: '',
    by: { id: 'a', username: 'a' },
    at: 0,
  });

  it('says which required check is missing and how many others are needed', () => {
    const progress = verificationProgress(policy, []);
    expect(progress).toEqual({ met: false, missingRequired: ['callback'], moreNeeded: 2 });
    expect(progressText(policy, progress)).toBe(
      'Called back the phone number on file required; 1 more check needed',
    );
  });

  it('counts any other check towards the minimum', () => {
    expect(progressText(policy, verificationProgress(policy, [record('callback')]))).toBe(
      '1 more check needed before reveal',
    );
    expect(progressText(policy, verificationProgress(policy, [record('manager')]))).toBe(
      'Called back the phone number on file required',
    );
  });

  it('is met with the required check and one more, and ignores unknown check ids', () => {
    expect(verificationProgress(policy, [record('callback'), record('ghost')]).met).toBe(false);
    const met = verificationProgress(policy, [record('callback'), record('photo-id')]);
    expect(met.met).toBe(true);
    expect(progressText(policy, met)).toMatch(/complete/);
  });
});
