// Specification of typed passcodes: the separators people type are dropped, nothing else is.
import { describe, expect, it } from 'vitest';
import { normalizeOtpInput } from '../../../server/domain/otp';

describe('normalizeOtpInput', () => {
  it.each([
    ['1234 5678', '12345678'],
    ['1234-5678', '12345678'],
    ['123 456 789', '123456789'],
    ['\t123-456\n', '123456'],
    ['123\u2013456', '123456'],
    ['123\u00a0456', '123456'],
    ['123.456', '123456'],
  ])('turns "%s" into "%s"', (typed, normal) => {
    expect(normalizeOtpInput(typed)).toBe(normal);
  });

  it('leaves letters and other characters alone, so they cannot match', () => {
    expect(normalizeOtpInput('12a4_5678')).toBe('12a4_5678');
  });
});
