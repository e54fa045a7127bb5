// Specification of the audit hash chain rules: canonical hashing, chaining, and the no-secrets guard.
import { describe, expect, it } from 'vitest';
import {
  assertNoSecrets,
  AuditEntrySchema,
  canonicalJson,
  chainEntry,
  computeEntryHash,
  GENESIS_HASH,
} from '../../../server/audit/audit-chain';

const input = {
  at: '2024-05-01T08:00:00.000Z',
  actor: 'agent:alice',
  action: 'request.claimed',
  requestId: 'req_1',
  details: { desk: '1', reference: 'K7M-4QX' },
};

describe('canonicalJson', () => {
  it('gives the same text whatever the key order, at every depth', () => {
    const a = { b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } };
    const b = { a: { c: null, d: [1, { x: 1, y: 2 }] }, b: 1 };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(canonicalJson(a)).toBe('{"a":{"c":null,"d":[1,{"x":1,"y":2}]},"b":1}');
  });

  it('leaves out undefined members, as JSON does', () => {
    expect(canonicalJson({ a: undefined, b: 'x' })).toBe('{"b":"x"}');
  });
});

describe('chainEntry', () => {
  it('starts the chain at seq 1 from the genesis hash', () => {
    const entry = chainEntry(undefined, input);
    expect(entry.seq).toBe(1);
    expect(entry.prevHash).toBe(GENESIS_HASH);
    expect(GENESIS_HASH).toBe('0'.repeat(64));
    expect(AuditEntrySchema.parse(entry)).toEqual(entry);
  });

  it('links each entry to the hash of the one before', () => {
    const first = chainEntry(undefined, input);
    const second = chainEntry(first, { ...input, action: 'request.verified' });
    expect(second.seq).toBe(2);
    expect(second.prevHash).toBe(first.hash);
    expect(second.hash).toBe(computeEntryHash(second));
  });

  it('gives an entry a hash that changes when any field changes', () => {
    const entry = chainEntry(undefined, input);
    expect(computeEntryHash({ ...entry, details: { desk: '2', reference: 'K7M-4QX' } })).not.toBe(
      entry.hash,
    );
    expect(computeEntryHash({ ...entry, actor: 'agent:mallory' })).not.toBe(entry.hash);
    expect(computeEntryHash({ ...entry, prevHash: 'f'.repeat(64) })).not.toBe(entry.hash);
  });

  it('hashes details exactly as they read back from the file', () => {
    const entry = chainEntry(undefined, {
      ...input,
      details: { when: new Date(0), gone: undefined },
    });
    const readBack = AuditEntrySchema.parse(JSON.parse(JSON.stringify(entry)));
    expect(computeEntryHash(readBack)).toBe(entry.hash);
  });

  it('refuses details holding a secret', () => {
    expect(() => chainEntry(undefined, { ...input, details: { otp: '12345678' } })).toThrow(
      /details\.otp/,
    );
  });
});

describe('AuditEntrySchema', () => {
  it('rejects keys the hash does not cover', () => {
    const entry = chainEntry(undefined, input);
    expect(AuditEntrySchema.safeParse({ ...entry, note: 'added later' }).success).toBe(false);
  });

  it('rejects a timestamp that is not ISO UTC', () => {
    const entry = chainEntry(undefined, input);
    expect(AuditEntrySchema.safeParse({ ...entry, at: 'yesterday' }).success).toBe(false);
  });
});

describe('assertNoSecrets', () => {
  it('rejects an OTP', () => {
    expect(() => assertNoSecrets({ otp: '123' })).toThrow(/otp/);
  });

  it('rejects a token nested at any depth, naming its path but not its value', () => {
    expect(() => assertNoSecrets({ details: { token: 'x-secret-value' } })).toThrow(
      /details\.details\.token/,
    );
    expect(() => assertNoSecrets({ details: { token: 'x-secret-value' } })).not.toThrow(
      /x-secret-value/,
    );
    expect(() => assertNoSecrets({ list: [{ sessionToken: 'x' }] })).toThrow(
      /list\[0\]\.sessionToken/,
    );
  });

  it('rejects passwords, password hashes and TOTP secrets whatever their case', () => {
    for (const key of ['password', 'passwordHash', 'PASSWORD', 'secret', 'totpSecret']) {
      expect(() => assertNoSecrets({ [key]: 'x' })).toThrow();
    }
  });

  it('accepts ordinary details such as the reference code', () => {
    expect(() =>
      assertNoSecrets({
        reference: 'K7M-4QX',
        desk: '1',
        checks: ['callback'],
        persistentToken: { lifetimeDays: 30 },
      }),
    ).not.toThrow();
  });
});
