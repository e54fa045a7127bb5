// Opens the embedded store: every document and journal of the data dir, behind one lock.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';
import type { RealmConfig } from '../contract/realm-config';
import { RealmConfigSchema, defaultRealmConfig } from '../contract/realm-config';
import type { AgentsDocument, SessionsDocument } from '../agents/agent-record';
import { AgentsDocumentSchema, SessionsDocumentSchema } from '../agents/agent-record';
import type { DirectoryDocument } from '../directory/embedded-directory';
import { DirectoryDocumentSchema } from '../directory/embedded-directory';
import type { AuditLog, AuditRecordInput } from '../audit/audit-log';
import { openAuditLog } from '../audit/audit-log';
import type { HelpRequest } from '../domain/help-request';
import { HelpRequestSchema, isOpen } from '../domain/help-request';
import { acquireDataDirLock } from './data-dir-lock';
import type { DocumentStore } from './document';
import { openDocument } from './document';
import type { Journal } from './journal';
import { openJournal, readJournalTail } from './journal';
import type { OpenRequestStore } from './open-requests';
import { openOpenRequests } from './open-requests';

export const KeysDocumentSchema = z
  .object({
    /** HMAC key for passcode hashes (hex, 256 bits). */
    otpKey: z.string().regex(/^[0-9a-f]{64}$/),
    /** HMAC key for end-user cookies and CSRF tokens (hex, 256 bits). */
    cookieKey: z.string().regex(/^[0-9a-f]{64}$/),
    /** ES256 private key (JWK) signing sign-in assertions; data dirs from before it get one on first use. */
    assertionKey: z
      .object({
        kty: z.literal('EC'),
        crv: z.literal('P-256'),
        x: z.string(),
        y: z.string(),
        d: z.string(),
      })
      .strict()
      .optional(),
  })
  .strict();
export type KeysDocument = z.infer<typeof KeysDocumentSchema>;
export type AssertionKeyJwk = NonNullable<KeysDocument['assertionKey']>;

/** A new P-256 key pair for sign-in assertions, as a private JWK. */
export function newAssertionKey(): AssertionKeyJwk {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const { x, y, d } = privateKey.export({ format: 'jwk' });
  return { kty: 'EC', crv: 'P-256', x: String(x), y: String(y), d: String(d) };
}

export const PersistentTokensDocumentSchema = z
  .object({
    /** Per username: persistent tokens issued at or before this time (ms) are revoked. */
    notBefore: z.record(z.string(), z.number()),
  })
  .strict();
export type PersistentTokensDocument = z.infer<typeof PersistentTokensDocumentSchema>;

/** Open requests, with the one write that records a request's change and its audit entry together. */
export interface RequestStore extends OpenRequestStore {
  /**
   * Puts an open request (or moves a closed one to the history) and appends its audit entry;
   * resolves once both are durable.
   */
  commit(request: HelpRequest, audit: AuditRecordInput): Promise<void>;
}

export interface Storage {
  readonly dataDir: string;
  readonly realm: DocumentStore<RealmConfig>;
  readonly agents: DocumentStore<AgentsDocument>;
  readonly sessions: DocumentStore<SessionsDocument>;
  readonly directory: DocumentStore<DirectoryDocument>;
  readonly requests: RequestStore;
  readonly keys: DocumentStore<KeysDocument>;
  readonly persistentTokens: DocumentStore<PersistentTokensDocument>;
  readonly closedRequests: Journal<HelpRequest>;
  readonly audit: AuditLog;
  /** True when this start created the data dir's realm (first run). */
  readonly firstRun: boolean;
  close(): Promise<void>;
}

export async function openStorage(dataDir: string): Promise<Storage> {
  const dir = path.resolve(dataDir);
  const lock = await acquireDataDirLock(dir);
  try {
    let firstRun = false;
    const file = (name: string) => path.join(dir, name);
    const realm = await openDocument(file('realm.json'), RealmConfigSchema, () => {
      firstRun = true;
      return defaultRealmConfig();
    });
    const [agents, sessions, directory, requests, keys, persistentTokens, closedRequests, audit] =
      await Promise.all([
        openDocument(file('agents.json'), AgentsDocumentSchema, () => ({ agents: [] })),
        openDocument(file('sessions.json'), SessionsDocumentSchema, () => ({ sessions: [] })),
        openDocument(file('directory.json'), DirectoryDocumentSchema, () => ({ users: [] })),
        openOpenRequests(dir),
        openDocument(file('keys.json'), KeysDocumentSchema, () => ({
          otpKey: randomBytes(32).toString('hex'),
          cookieKey: randomBytes(32).toString('hex'),
          assertionKey: newAssertionKey(),
        })),
        openDocument(file('persistent-tokens.json'), PersistentTokensDocumentSchema, () => ({
          notBefore: {},
        })),
        openJournal(file('closed-requests.jsonl'), HelpRequestSchema),
        openAuditLog(file('audit.jsonl')),
      ]);
    await settleInterruptedCloses(requests, file('closed-requests.jsonl'));
    const documents = [realm, agents, sessions, directory, keys, persistentTokens];
    const requestStore: RequestStore = Object.assign(requests, {
      async commit(request: HelpRequest, entry: AuditRecordInput): Promise<void> {
        const writes: Promise<unknown>[] = [audit.record(entry)];
        if (isOpen(request)) writes.push(requests.put(request));
        else writes.push(closedRequests.append(request), requests.remove(request.id));
        await Promise.all(writes);
      },
    });
    return {
      dataDir: dir,
      realm,
      agents,
      sessions,
      directory,
      requests: requestStore,
      keys,
      persistentTokens,
      closedRequests,
      audit,
      firstRun,
      async close() {
        await Promise.all([...documents.map((d) => d.flush()), requests.close()]);
        await closedRequests.close();
        await audit.close();
        await lock.release();
      },
    };
  } catch (error) {
    await lock.release();
    throw error;
  }
}

/**
 * A request closes by appending to the journal and dropping it from the open document; a crash
 * between the two leaves it in both. The journal is the truth: drop such requests from the document.
 * Only the last few closes can be affected, so the journal's tail is enough.
 */
async function settleInterruptedCloses(
  requests: OpenRequestStore,
  journalFile: string,
): Promise<void> {
  if (requests.size === 0) return;
  const recent = await readJournalTail(journalFile, HelpRequestSchema, 4 * 1024 * 1024);
  await Promise.all(recent.filter((r) => requests.get(r.id)).map((r) => requests.remove(r.id)));
}
