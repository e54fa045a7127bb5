// Specification of reference codes: Crockford base32 in two groups of three, read back forgivingly.
import { randomInt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  CROCKFORD_ALPHABET,
  REFERENCE_PATTERN,
  newReferenceCode,
  normaliseReference,
  parseReferenceCode,
} from '../../../server/domain/reference-code';

/** A `pick` that returns the given indexes in turn and remembers the bounds it was asked for. */
function scripted(...indexes: number[]) {
  const bounds: number[] = [];
  const pick = (max: number) => {
    bounds.push(max);
    const next = indexes.shift();
    if (next === undefined) throw new Error('pick called more often than scripted');
    return next;
  };
  return { pick, bounds };
}

describe('CROCKFORD_ALPHABET', () => {
  it('has the 32 symbols of Crockford base32, without I, L, O or U', () => {
    expect(CROCKFORD_ALPHABET).toBe('0123456789ABCDEFGHJKMNPQRSTVWXYZ');
    expect(new Set(CROCKFORD_ALPHABET).size).toBe(32);
    expect(CROCKFORD_ALPHABET).not.toMatch(/[ILOU]/);
  });
});

describe('newReferenceCode', () => {
  it('builds the code from six picks over the 32 symbols, grouped 3-3', () => {
    const { pick, bounds } = scripted(0, 1, 2, 3, 4, 5);
    expect(newReferenceCode(pick)).toBe('012-345');
    expect(bounds).toEqual([32, 32, 32, 32, 32, 32]);
  });

  it('is deterministic for the same picks', () => {
    const script = [19, 7, 20, 4, 23, 29];
    expect(newReferenceCode(scripted(...script).pick)).toBe('K7M-4QX');
    expect(newReferenceCode(scripted(...script).pick)).toBe('K7M-4QX');
  });

  it('uses the first and last symbols at the ends of the range', () => {
    expect(newReferenceCode(() => 0)).toBe('000-000');
    expect(newReferenceCode(() => 31)).toBe('ZZZ-ZZZ');
  });

  it('can produce every symbol of the alphabet', () => {
    const seen = new Set<string>();
    for (let start = 0; start < 32; start += 6) {
      const { pick } = scripted(...[0, 1, 2, 3, 4, 5].map((i) => (start + i) % 32));
      for (const ch of newReferenceCode(pick).replace('-', '')) seen.add(ch);
    }
    expect([...seen].sort().join('')).toBe([...CROCKFORD_ALPHABET].sort().join(''));
  });

  it('with a uniform random pick gives codes of the form XXX-XXX with no I, L, O or U', () => {
    for (let i = 0; i < 1_000; i++) {
      const code = newReferenceCode(randomInt);
      expect(code).toMatch(REFERENCE_PATTERN);
      expect(code).toMatch(/^[0-9A-Z]{3}-[0-9A-Z]{3}$/);
      expect(code).not.toMatch(/[ILOU]/);
    }
  });

  it('rarely repeats: 10,000 codes have more than 9,900 distinct', () => {
    const codes = new Set(Array.from({ length: 10_000 }, () => newReferenceCode(randomInt)));
    expect(codes.size).toBeGreaterThan(9_900);
  });

  it('reads back as itself', () => {
    for (let i = 0; i < 200; i++) {
      const code = newReferenceCode(randomInt);
      expect(parseReferenceCode(code)).toBe(code);
    }
  });
});

describe('parseReferenceCode', () => {
  it.each([
    ['K7M-4QX', 'K7M-4QX'],
    ['k7m-4qx', 'K7M-4QX'],
    ['K7m-4Qx', 'K7M-4QX'],
    ['K7M4QX', 'K7M-4QX'],
    ['k7m 4qx', 'K7M-4QX'],
    ['  K7M - 4QX  ', 'K7M-4QX'],
    ['K-7-M-4-Q-X', 'K7M-4QX'],
    ['OOO-ooo', '000-000'],
    ['III-LLL', '111-111'],
    ['il1-oO0', '111-000'],
  ])('reads "%s" as %s', (input, code) => {
    expect(parseReferenceCode(input)).toBe(code);
  });

  it.each([
    ['too short', 'K7M-4Q'],
    ['too long', 'K7M-4QXX'],
    ['empty', ''],
    ['only separators', ' - - '],
    ['a U', 'K7M-4QU'],
    ['a lower-case u', 'k7m-4qu'],
    ['punctuation', 'K7M-4Q!'],
    ['a non-Latin letter', 'K7M-4QÆ'],
  ])('rejects %s: "%s"', (_why, input) => {
    expect(parseReferenceCode(input)).toBeUndefined();
  });
});

describe('normaliseReference', () => {
  it.each([
    ['k7m', 'K7M'],
    ['k7m 4', 'K7M4'],
    ['K7M-4QX', 'K7M4QX'],
    ['z0z-iii', 'Z0Z111'],
    ['o_l.i', '011'],
  ])('reads part of a code "%s" as %s, for search', (input, normal) => {
    expect(normaliseReference(input)).toBe(normal);
  });

  it('leaves what is not a code symbol, so it cannot match one', () => {
    expect(normaliseReference('ann!')).toBe('ANN!');
  });
});
