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
import type { AuditLog } from '../audit/audit-log';
import { assertAuditTail } from '../audit/audit-log';
import { AuditEntrySchema } from '../audit/audit-chain';
import type { HelpRequest } from '../domain/help-request';
import { HelpRequestSchema } from '../domain/help-request';
import { acquireDataDirLock } from './data-dir-lock';
import type { DocumentStore } from './document';
import { openDocument, readDocument } from './document';
import { StorageError } from './errors';
import type { Journal } from './journal';
import { inspectJournal, openJournal } from './journal';
import type { OpenRequestStore } from './open-requests';
import { RequestsCheckpointSchema, loadOpenRequests } from './open-requests';

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

/** Open requests, and the log every request change and audit entry is committed through. */
export type RequestStore = OpenRequestStore;

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

/** The documents beside realm.json: once the realm exists, every one of them must. */
const DOCUMENT_FILES = [
  'agents.json',
  'sessions.json',
  'directory.json',
  'keys.json',
  'persistent-tokens.json',
  'requests.json',
] as const;

/**
 * Opens the data dir in two steps: first every file is read and checked against the others,
 * writing nothing (a refused start leaves the data dir exactly as it was); then torn tails are set
 * aside, what the journals lack is recovered from the log, and missing files of a first run are
 * created.
 */
export async function openStorage(dataDir: string): Promise<Storage> {
  const dir = path.resolve(dataDir);
  const lock = await acquireDataDirLock(dir);
  try {
    const file = (name: string) => path.join(dir, name);
    // ── read and check, writing nothing ──
    const [realmData, agentsData, sessionsData, directoryData, keysData, tokensData, checkpoint] =
      await Promise.all([
        readDocument(file('realm.json'), RealmConfigSchema),
        readDocument(file('agents.json'), AgentsDocumentSchema),
        readDocument(file('sessions.json'), SessionsDocumentSchema),
        readDocument(file('directory.json'), DirectoryDocumentSchema),
        readDocument(file('keys.json'), KeysDocumentSchema),
        readDocument(file('persistent-tokens.json'), PersistentTokensDocumentSchema),
        readDocument(file('requests.json'), RequestsCheckpointSchema),
      ]);
    const found = {
      audit: await inspectJournal(file('audit.jsonl'), AuditEntrySchema),
      closed: await inspectJournal(file('closed-requests.jsonl'), HelpRequestSchema),
    };
    const firstRun = realmData === undefined;
    if (firstRun) {
      // A realm that vanished from a data dir with history is not a first run. (Documents without
      // history may be left by a first run that stopped before it wrote the realm.)
      const journal = [found.audit, found.closed].find((j) => j.count > 0);
      if (journal !== undefined)
        throw missingFileError(
          file('realm.json'),
          `the data dir has history (${path.basename(journal.file)})`,
        );
    } else {
      const read = [agentsData, sessionsData, directoryData, keysData, tokensData, checkpoint];
      DOCUMENT_FILES.forEach((name, i) => {
        if (read[i] === undefined) throw missingFileError(file(name), 'the realm exists');
      });
    }
    assertAuditTail(found.audit);
    const loaded = await loadOpenRequests(dir, found);

    // ── repair and create ──
    const [agents, sessions, directory, keys, persistentTokens] = await Promise.all([
      openDocument(
        file('agents.json'),
        AgentsDocumentSchema,
        () => ({ agents: [] }),
        agentsData ?? null,
      ),
      openDocument(
        file('sessions.json'),
        SessionsDocumentSchema,
        () => ({ sessions: [] }),
        sessionsData ?? null,
      ),
      openDocument(
        file('directory.json'),
        DirectoryDocumentSchema,
        () => ({ users: [] }),
        directoryData ?? null,
      ),
      openDocument(
        file('keys.json'),
        KeysDocumentSchema,
        () => ({
          otpKey: randomBytes(32).toString('hex'),
          cookieKey: randomBytes(32).toString('hex'),
          assertionKey: newAssertionKey(),
        }),
        keysData ?? null,
      ),
      openDocument(
        file('persistent-tokens.json'),
        PersistentTokensDocumentSchema,
        () => ({ notBefore: {} }),
        tokensData ?? null,
      ),
    ]);
    const closedRequests = await openJournal(found.closed.file, HelpRequestSchema, {
      inspection: found.closed,
      sync: 'deferred',
    });
    const auditJournal = await openJournal(found.audit.file, AuditEntrySchema, {
      inspection: found.audit,
      sync: 'deferred',
    });
    const requests = await loaded.open({ audit: auditJournal, closed: closedRequests });
    // The realm last: a data dir is a first run until its realm exists.
    const realm = await openDocument(
      file('realm.json'),
      RealmConfigSchema,
      defaultRealmConfig,
      realmData ?? null,
    );
    const audit: AuditLog = {
      record: (input) => requests.recordAudit(input),
      get lastSeq() {
        return requests.auditChain.lastSeq;
      },
      get lastHash() {
        return requests.auditChain.lastHash;
      },
      flush: () => auditJournal.flush(),
      close: () => auditJournal.close(),
    };
    const documents = [realm, agents, sessions, directory, keys, persistentTokens];
    return {
      dataDir: dir,
      realm,
      agents,
      sessions,
      directory,
      requests,
      keys,
      persistentTokens,
      closedRequests,
      audit,
      firstRun,
      async close() {
        await Promise.all([...documents.map((d) => d.flush()), requests.close()]);
        await closedRequests.close();
        await auditJournal.close();
        await lock.release();
      },
    };
  } catch (error) {
    await lock.release();
    throw error;
  }
}

function missingFileError(file: string, why: string): StorageError {
  return new StorageError(
    'corrupt',
    file,
    `Data file ${file} is missing, but ${why}. Restore it from a backup; ` +
      'the server will not start without it (nothing was reset).',
    { detail: `missing while ${why}` },
  );
}
