// Pure hash-chain rules for audit entries: schema, canonical JSON, entry hashing, chaining, secret guard.
import { createHash } from 'node:crypto';
import { z } from 'zod';

const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits');

/** Strict: an extra key smuggled into a line would not be covered by the hash, so it is rejected. */
export const AuditEntrySchema = z.strictObject({
  seq: z.number().int().min(1),
  at: z.iso.datetime(),
  actor: z.string().min(1),
  action: z.string().min(1),
  requestId: z.string().min(1).optional(),
  details: z.record(z.string(), z.unknown()),
  prevHash: Sha256Hex,
  hash: Sha256Hex,
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

export type UnhashedAuditEntry = Omit<AuditEntry, 'hash'>;

export interface AuditInput {
  /** ISO 8601 UTC timestamp, e.g. `new Date().toISOString()`. */
  at: string;
  actor: string;
  action: string;
  requestId?: string;
  details: Record<string, unknown>;
}

export const GENESIS_HASH = '0'.repeat(64);

/** JSON with object keys sorted at every depth, so equal values always hash the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    const text = JSON.stringify(value);
    if (text === undefined) throw new TypeError(`canonicalJson cannot represent ${typeof value}`);
    return text;
  }
  if (Array.isArray(value))
    return `[${value.map((item) => canonicalJson(item ?? null)).join(',')}]`;
  const record = value as Record<string, unknown>;
  const members = Object.keys(record)
    .filter((key) => record[key] !== undefined)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`);
  return `{${members.join(',')}}`;
}

/** sha256 hex over `prevHash + '\n' + canonicalJson(entry without hash)`. */
export function computeEntryHash(entry: UnhashedAuditEntry): string {
  // Accepts a full entry too (as read back from the file): its own hash is never part of the input.
  const unhashed: Record<string, unknown> = { ...entry };
  delete unhashed.hash;
  return createHash('sha256')
    .update(`${entry.prevHash}\n${canonicalJson(unhashed)}`, 'utf8')
    .digest('hex');
}

/** The entry that follows `prev` (or starts the chain). Throws if `details` holds a secret. */
export function chainEntry(
  prev: { seq: number; hash: string } | undefined,
  input: AuditInput,
): AuditEntry {
  assertNoSecrets(input.details);
  // Round-trip through JSON so the hashed value is exactly what a reader of the file gets back
  // (no Dates, undefined members or other values JSON would change).
  const details = JSON.parse(JSON.stringify(input.details)) as Record<string, unknown>;
  const unhashed: UnhashedAuditEntry = {
    seq: prev === undefined ? 1 : prev.seq + 1,
    at: input.at,
    actor: input.actor,
    action: input.action,
    ...(input.requestId === undefined ? {} : { requestId: input.requestId }),
    details,
    prevHash: prev === undefined ? GENESIS_HASH : prev.hash,
  };
  return { ...unhashed, hash: computeEntryHash(unhashed) };
}

/** Keys that name an OTP, secret, password or token. */
const SECRET_KEY = /^(otp|secret|password|passwordHash|token|sessionToken|totpSecret)$/i;

/**
 * Throws if any key, at any depth, names an OTP, secret, password or token: the audit log must
 * never hold one. The error names the key path, never the value.
 */
export function assertNoSecrets(details: unknown, where = 'details'): void {
  if (details === null || typeof details !== 'object') return;
  if (Array.isArray(details)) {
    details.forEach((item, index) => assertNoSecrets(item, `${where}[${index}]`));
    return;
  }
  for (const [key, value] of Object.entries(details)) {
    const keyPath = `${where}.${key}`;
    if (SECRET_KEY.test(key)) {
      throw new Error(
        `Audit details must not contain secrets, but ${keyPath} names an OTP, secret, password or token. ` +
          'Leave it out, or record only that it was issued or changed.',
      );
    }
    assertNoSecrets(value, keyPath);
  }
}
