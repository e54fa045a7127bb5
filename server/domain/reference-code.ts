// Short reference codes a caller reads out to the help desk: Crockford base32, grouped 3-3 (e.g. K7M-4QX).

/** Crockford's alphabet: no I, L, O or U, so codes survive being read aloud and typed back. */
export const CROCKFORD_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const REFERENCE_LENGTH = 6;
export const REFERENCE_PATTERN = /^[0-9A-HJKMNP-TV-Z]{3}-[0-9A-HJKMNP-TV-Z]{3}$/;

export type ReferenceCode = string & { readonly __brand: 'ReferenceCode' };

/**
 * A new code from six picks over the alphabet. `pick(max)` returns an integer in [0, max): the
 * server passes a cryptographic one (the domain holds no randomness of its own).
 */
export function newReferenceCode(pick: (max: number) => number): ReferenceCode {
  let raw = '';
  for (let i = 0; i < REFERENCE_LENGTH; i++)
    raw += CROCKFORD_ALPHABET[pick(CROCKFORD_ALPHABET.length)];
  return `${raw.slice(0, 3)}-${raw.slice(3)}` as ReferenceCode;
}

/**
 * What a person typed or said, or part of it, in the code's symbols: case-insensitive, separators
 * dropped, and the letters Crockford maps (O→0, I/L→1) corrected. Search matches on this.
 */
export function normaliseReference(input: string): string {
  return input
    .toUpperCase()
    .replace(/[\s\-_.]/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
}

/** Reads a whole code back into its canonical form; undefined when it cannot be one. */
export function parseReferenceCode(input: string): ReferenceCode | undefined {
  const cleaned = normaliseReference(input);
  if (cleaned.length !== REFERENCE_LENGTH) return undefined;
  const code = `${cleaned.slice(0, 3)}-${cleaned.slice(3)}`;
  return REFERENCE_PATTERN.test(code) ? (code as ReferenceCode) : undefined;
}
