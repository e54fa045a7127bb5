// One-time passcodes (otplib RFC 4226 HOTP over a fresh secret) and mailed verification codes, each kept only as a keyed hash.
import { createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { generateSync } from 'otplib';
import { normalizeOtpInput } from '../domain/otp';

/** RFC 4226 asks for at least 128 bits of shared secret and recommends 160; we use 160. */
export const OTP_SECRET_BYTES = 20;

/** The HOTP value for a secret and counter, through the same otplib call the product uses. */
export function hotp(secret: Uint8Array, counter: number, digits: number): string {
  return generateSync({ secret, strategy: 'hotp', counter, digits, algorithm: 'sha1' });
}

/** A new passcode: HOTP at counter 0 over a secret used once and then forgotten. */
export function generateOtp(
  digits: number,
  secret: Uint8Array = randomBytes(OTP_SECRET_BYTES),
): string {
  if (secret.length < OTP_SECRET_BYTES)
    throw new RangeError('OTP secret must be at least 20 bytes');
  return hotp(secret, 0, digits);
}

/** The only form in which a passcode is stored: HMAC-SHA256 keyed by the server, bound to its request. */
export function hashOtp(key: Uint8Array, requestId: string, otp: string): string {
  return createHmac('sha256', key).update(`${requestId}\n${otp}`).digest('hex');
}

/** Constant-time check of what the user typed against the stored hash. */
export function otpMatches(
  key: Uint8Array,
  requestId: string,
  storedHash: string,
  typed: string,
): boolean {
  const candidate = Buffer.from(hashOtp(key, requestId, normalizeOtpInput(typed)), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return candidate.length === stored.length && timingSafeEqual(candidate, stored);
}

/**
 * The only form in which a mailed verification code is stored: HMAC-SHA256 under the passcode key,
 * bound to its request, in its own domain (a code's hash can never stand for a passcode's).
 */
export function hashVerificationCode(key: Uint8Array, requestId: string, code: string): string {
  return createHmac('sha256', key).update(`mailed-code\n${requestId}\n${code}`).digest('hex');
}

/** Constant-time check of the code the caller read back against the stored hash. */
export function verificationCodeMatches(
  key: Uint8Array,
  requestId: string,
  storedHash: string,
  typed: string,
): boolean {
  const candidate = Buffer.from(hashVerificationCode(key, requestId, typed.trim()), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return candidate.length === stored.length && timingSafeEqual(candidate, stored);
}

/** A new mailed verification code: `digits` uniformly random decimal digits. */
export function generateVerificationCode(digits: number): string {
  return String(randomInt(0, 10 ** digits)).padStart(digits, '0');
}
