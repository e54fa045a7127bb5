// Random bearer secrets and their stored digests: the token is shown once, only its SHA-256 is kept.
import { createHash, randomBytes } from 'node:crypto';

/** 256 random bits, URL-safe. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

export function digestToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Unguessable ids for records that appear in URLs (128 bits). */
export function newId(): string {
  return randomBytes(16).toString('base64url');
}
