// The embedded store's JSON documents: their schemas, and what a first run fills them with.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { AssertionKeyJwk } from '../repositories';
import {
  AgentRecordSchema,
  AssertionKeySchema,
  DirectoryUserSchema,
  MethodBlockSchema,
  SignInRecordSchema,
  OutboxMessageSchema,
  SECRET_NAMES,
  SessionRecordSchema,
} from '../repositories';

export const AgentsDocumentSchema = z.object({ agents: z.array(AgentRecordSchema) }).strict();
export type AgentsDocument = z.infer<typeof AgentsDocumentSchema>;

export const SessionsDocumentSchema = z.object({ sessions: z.array(SessionRecordSchema) }).strict();
export type SessionsDocument = z.infer<typeof SessionsDocumentSchema>;

export const DirectoryDocumentSchema = z.object({ users: z.array(DirectoryUserSchema) }).strict();
export type DirectoryDocument = z.infer<typeof DirectoryDocumentSchema>;

export const KeysDocumentSchema = z
  .object({
    /** HMAC key for passcode hashes (hex, 256 bits). */
    otpKey: z.string().regex(/^[0-9a-f]{64}$/),
    /** HMAC key for end-user cookies and CSRF tokens (hex, 256 bits). */
    cookieKey: z.string().regex(/^[0-9a-f]{64}$/),
    /** Signs sign-in assertions; data dirs from before it get one on first use. */
    assertionKey: AssertionKeySchema.optional(),
    /** Secrets of the realm's connections (the LDAP bind password), by name. */
    secrets: z.partialRecord(z.enum(SECRET_NAMES), z.string()).optional(),
  })
  .strict();
export type KeysDocument = z.infer<typeof KeysDocumentSchema>;

export const PersistentTokensDocumentSchema = z
  .object({
    /** Per username: persistent tokens issued at or before this time (ms) are revoked. */
    notBefore: z.record(z.string(), z.number()),
  })
  .strict();
export type PersistentTokensDocument = z.infer<typeof PersistentTokensDocumentSchema>;

export const OutboxDocumentSchema = z.object({ messages: z.array(OutboxMessageSchema) }).strict();
export type OutboxDocument = z.infer<typeof OutboxDocumentSchema>;

export const BlocksDocumentSchema = z.object({ blocks: z.array(MethodBlockSchema) }).strict();
export type BlocksDocument = z.infer<typeof BlocksDocumentSchema>;

export const UsedLinksDocumentSchema = z
  .object({
    /** Link id → when the link expires (ms); forgotten after that. */
    used: z.record(z.string(), z.number()),
  })
  .strict();
export type UsedLinksDocument = z.infer<typeof UsedLinksDocumentSchema>;

export const ActivityDocumentSchema = z
  .object({
    /** Key (`passcode:<user>`, `reveal:<agent id>`, …) → recent event times (ms), oldest first. */
    times: z.record(z.string(), z.array(z.number())),
  })
  .strict();
export type ActivityDocument = z.infer<typeof ActivityDocumentSchema>;

export const SignInsDocumentSchema = z
  .object({
    /** Username → the last successful sign-ins, newest first. */
    users: z.record(z.string(), z.array(SignInRecordSchema)),
  })
  .strict();
export type SignInsDocument = z.infer<typeof SignInsDocumentSchema>;

export const ExportCursorsDocumentSchema = z
  .object({
    /** Audit export destination → the seq of the last entry it confirmed. */
    cursors: z.record(z.string(), z.number().int().min(0)),
  })
  .strict();
export type ExportCursorsDocument = z.infer<typeof ExportCursorsDocumentSchema>;

/** A new P-256 key pair for sign-in assertions, as a private JWK. */
export function newAssertionKey(): AssertionKeyJwk {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const { x, y, d } = privateKey.export({ format: 'jwk' });
  return { kty: 'EC', crv: 'P-256', x: String(x), y: String(y), d: String(d) };
}

export function newKeys(): KeysDocument {
  return {
    otpKey: randomBytes(32).toString('hex'),
    cookieKey: randomBytes(32).toString('hex'),
    assertionKey: newAssertionKey(),
  };
}
