// Specification of one-time passcodes: RFC 4226 values, generation, and the keyed hash.
import { describe, expect, it } from 'vitest';
import {
  OTP_SECRET_BYTES,
  generateOtp,
  generateVerificationCode,
  hashOtp,
  hashVerificationCode,
  hotp,
  otpMatches,
  verificationCodeMatches,
} from '../../../server/security/otp';

const bytes = (text: string) => new TextEncoder().encode(text);
const KEY = bytes('server-otp-key-0123456789abcdef!');
const OTHER_KEY = bytes('server-otp-key-0123456789abcdef?');
const REQUEST_ID = 'req-0123456789abcdef';

describe('hotp', () => {
  // RFC 4226, Appendix D: HMAC-SHA-1 over the ASCII secret "12345678901234567890".
  const RFC_SECRET = bytes('12345678901234567890');
  const RFC_VALUES = [
    '755224',
    '287082',
    '359152',
    '969429',
    '338314',
    '254676',
    '287922',
    '162583',
    '399871',
    '520489',
  ];

  it.each(RFC_VALUES.map((value, counter) => [counter, value]))(
    'gives the RFC 4226 test value at counter %i: %s',
    (counter, value) => {
      expect(hotp(RFC_SECRET, counter, 6)).toBe(value);
    },
  );
});

describe('generateOtp', () => {
  it.each([6, 7, 8, 9, 10])('returns exactly %i digits', (digits) => {
    for (let i = 0; i < 50; i++)
      expect(generateOtp(digits)).toMatch(new RegExp(`^\\d{${digits}}$`));
  });

  it('is HOTP at counter 0 over the secret it is given', () => {
    const secret = bytes('12345678901234567890');
    expect(generateOtp(6, secret)).toBe('755224');
  });

  it('rejects a secret shorter than 20 bytes', () => {
    expect(OTP_SECRET_BYTES).toBe(20);
    expect(() => generateOtp(8, new Uint8Array(19))).toThrow(RangeError);
    expect(() => generateOtp(8, new Uint8Array(0))).toThrow(RangeError);
  });

  it('accepts a secret of 20 bytes or more', () => {
    expect(generateOtp(8, new Uint8Array(20).fill(7))).toMatch(/^\d{8}$/);
    expect(generateOtp(8, new Uint8Array(32).fill(7))).toMatch(/^\d{8}$/);
  });

  it('gives a different code each call (50 calls, more than 45 distinct)', () => {
    const codes = new Set(Array.from({ length: 50 }, () => generateOtp(8)));
    expect(codes.size).toBeGreaterThan(45);
  });
});

describe('hashOtp', () => {
  it('is 64 lower-case hex characters and the same for the same inputs', () => {
    const hash = hashOtp(KEY, REQUEST_ID, '12345678');
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hashOtp(KEY, REQUEST_ID, '12345678')).toBe(hash);
  });

  it('differs per request id, per key and per code', () => {
    const hash = hashOtp(KEY, REQUEST_ID, '12345678');
    expect(hashOtp(KEY, 'req-fedcba9876543210', '12345678')).not.toBe(hash);
    expect(hashOtp(OTHER_KEY, REQUEST_ID, '12345678')).not.toBe(hash);
    expect(hashOtp(KEY, REQUEST_ID, '12345679')).not.toBe(hash);
  });

  it('keeps request id and code apart, so shifting a digit between them changes the hash', () => {
    expect(hashOtp(KEY, 'req-1', '23456789')).not.toBe(hashOtp(KEY, 'req-12', '3456789'));
  });

  it('never contains the passcode', () => {
    for (const otp of ['12345678', '000000', '9876543210', generateOtp(8)]) {
      expect(hashOtp(KEY, REQUEST_ID, otp)).not.toContain(otp);
    }
  });
});

describe('otpMatches', () => {
  const OTP = '12345678';
  const stored = hashOtp(KEY, REQUEST_ID, OTP);

  it('accepts the right code', () => {
    expect(otpMatches(KEY, REQUEST_ID, stored, OTP)).toBe(true);
  });

  it.each(['1234 5678', '1234-5678', ' 12345678 ', '1234\u20125678', '1234.5678', '12 34 56 78'])(
    'accepts the right code typed as "%s"',
    (typed) => {
      expect(otpMatches(KEY, REQUEST_ID, stored, typed)).toBe(true);
    },
  );

  it('rejects a wrong code', () => {
    expect(otpMatches(KEY, REQUEST_ID, stored, '12345679')).toBe(false);
    expect(otpMatches(KEY, REQUEST_ID, stored, '87654321')).toBe(false);
  });

  it('rejects the right code for another request', () => {
    expect(otpMatches(KEY, 'req-fedcba9876543210', stored, OTP)).toBe(false);
  });

  it('rejects the right code under another key', () => {
    expect(otpMatches(OTHER_KEY, REQUEST_ID, stored, OTP)).toBe(false);
  });

  it('rejects an empty string', () => {
    expect(otpMatches(KEY, REQUEST_ID, stored, '')).toBe(false);
    expect(otpMatches(KEY, REQUEST_ID, stored, '   ')).toBe(false);
  });

  it('rejects a code of a different length', () => {
    expect(otpMatches(KEY, REQUEST_ID, stored, '1234567')).toBe(false);
    expect(otpMatches(KEY, REQUEST_ID, stored, '123456789')).toBe(false);
  });

  it('rejects anything when the stored hash is not a hash (no throw)', () => {
    expect(otpMatches(KEY, REQUEST_ID, '', OTP)).toBe(false);
    expect(otpMatches(KEY, REQUEST_ID, 'not-hex', OTP)).toBe(false);
  });
});

describe('mailed verification codes', () => {
  const CODE = '042137';
  const stored = hashVerificationCode(KEY, REQUEST_ID, CODE);

  it('are six random digits, leading zeros kept', () => {
    const codes = Array.from({ length: 200 }, () => generateVerificationCode(6));
    for (const code of codes) expect(code).toMatch(/^\d{6}$/);
    expect(new Set(codes).size).toBeGreaterThan(150);
  });

  it('match the code sent for this request, under this key, only', () => {
    expect(verificationCodeMatches(KEY, REQUEST_ID, stored, CODE)).toBe(true);
    expect(verificationCodeMatches(KEY, REQUEST_ID, stored, ` ${CODE} `)).toBe(true);
    expect(verificationCodeMatches(KEY, REQUEST_ID, stored, '042138')).toBe(false);
    expect(verificationCodeMatches(KEY, 'req-fedcba9876543210', stored, CODE)).toBe(false);
    expect(verificationCodeMatches(OTHER_KEY, REQUEST_ID, stored, CODE)).toBe(false);
    expect(verificationCodeMatches(KEY, REQUEST_ID, 'not-hex', CODE)).toBe(false);
  });

  it('hash apart from passcodes: the same digits on the same request never share a hash', () => {
    expect(hashVerificationCode(KEY, REQUEST_ID, CODE)).not.toBe(hashOtp(KEY, REQUEST_ID, CODE));
    expect(otpMatches(KEY, REQUEST_ID, stored, CODE)).toBe(false);
    expect(verificationCodeMatches(KEY, REQUEST_ID, hashOtp(KEY, REQUEST_ID, CODE), CODE)).toBe(
      false,
    );
  });
});
