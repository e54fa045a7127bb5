// Opens the embedded store: every lowdb document and journal of the data dir, behind one lock, as
// the repositories the services use. The one entry point into the embedded store.
import path from 'node:path';
import { RealmConfigSchema, defaultRealmConfig } from '../../contract/realm-config';
import { AuditEntrySchema } from '../../audit/audit-chain';
import { HelpRequestSchema } from '../../domain/help-request';
import { assertAuditTail, readAuditJournal, verifyAuditLog } from './audit-journal';
import { AuditIndex } from './audit-index';
import { HistoryIndex } from './history-index';
import { indexedJournal } from './indexed-journal';
import { acquireDataDirLock } from './data-dir-lock';
import { openDocument, readDocument } from './document';
import {
  agentRepository,
  directoryUserRepository,
  keyRepository,
  methodBlockRepository,
  outboxRepository,
  persistentTokenRepository,
  realmRepository,
  sessionRepository,
  usedLinkRepository,
  activityRepository,
  signInHistoryRepository,
  exportCursorRepository,
} from './document-repositories';
import {
  AgentsDocumentSchema,
  BlocksDocumentSchema,
  DirectoryDocumentSchema,
  KeysDocumentSchema,
  OutboxDocumentSchema,
  PersistentTokensDocumentSchema,
  SessionsDocumentSchema,
  UsedLinksDocumentSchema,
  ActivityDocumentSchema,
  SignInsDocumentSchema,
  ExportCursorsDocumentSchema,
  newKeys,
} from './documents';
import { StorageError } from './errors';
import { inspectJournal, openJournal } from './journal';
import { RequestsCheckpointSchema, loadOpenRequests } from './open-requests';
import type { AuditLog, Store } from '../repositories';

// What the CLI that checks the audit chain, and the entry point reporting a refused start, need.
export { verifyAuditLog };
export { StorageError } from './errors';

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
export async function openEmbeddedStore(dataDir: string): Promise<Store> {
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
    // Added after the first releases: optional, created when missing, checked like the rest.
    const [outboxData, blocksData, usedLinksData, activityData, signInsData, cursorsData] =
      await Promise.all([
        readDocument(file('outbox.json'), OutboxDocumentSchema),
        readDocument(file('blocks.json'), BlocksDocumentSchema),
        readDocument(file('used-links.json'), UsedLinksDocumentSchema),
        readDocument(file('activity.json'), ActivityDocumentSchema),
        readDocument(file('sign-ins.json'), SignInsDocumentSchema),
        readDocument(file('export-cursors.json'), ExportCursorsDocumentSchema),
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
      openDocument(file('keys.json'), KeysDocumentSchema, newKeys, keysData ?? null),
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
    // Searching the history and the log: indexes built in the background from the journals as
    // they are now, then kept current by every append (those the log recovers below included).
    const historyIndex = new HistoryIndex(found.closed.file, found.closed.size);
    const auditIndex = new AuditIndex(found.audit.file, found.audit.size);
    const requests = await loaded.open({
      audit: indexedJournal(auditJournal, found.audit.size, auditIndex),
      closed: indexedJournal(closedRequests, found.closed.size, historyIndex),
    });
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
      entries: () => readAuditJournal(found.audit.file),
      search: (query) => auditIndex.search(query),
      select: (filter) => auditIndex.select(filter),
      async verify() {
        await auditJournal.flush();
        return verifyAuditLog(found.audit.file);
      },
    };
    const [outbox, blocks, usedLinks, activity, signIns, exportCursors] = await Promise.all([
      openDocument(
        file('outbox.json'),
        OutboxDocumentSchema,
        () => ({ messages: [] }),
        outboxData ?? null,
      ),
      openDocument(
        file('blocks.json'),
        BlocksDocumentSchema,
        () => ({ blocks: [] }),
        blocksData ?? null,
      ),
      openDocument(
        file('used-links.json'),
        UsedLinksDocumentSchema,
        () => ({ used: {} }),
        usedLinksData ?? null,
      ),
      openDocument(
        file('activity.json'),
        ActivityDocumentSchema,
        () => ({ times: {} }),
        activityData ?? null,
      ),
      openDocument(
        file('sign-ins.json'),
        SignInsDocumentSchema,
        () => ({ users: {} }),
        signInsData ?? null,
      ),
      openDocument(
        file('export-cursors.json'),
        ExportCursorsDocumentSchema,
        () => ({ cursors: {} }),
        cursorsData ?? null,
      ),
    ]);
    const documents = [
      realm,
      agents,
      sessions,
      directory,
      keys,
      persistentTokens,
      outbox,
      blocks,
      usedLinks,
      activity,
      signIns,
      exportCursors,
    ];
    return {
      requests,
      audit,
      history: historyIndex,
      agents: agentRepository(agents),
      sessions: sessionRepository(sessions),
      directory: directoryUserRepository(directory),
      realm: realmRepository(realm),
      keys: keyRepository(keys),
      persistentTokens: persistentTokenRepository(persistentTokens),
      outbox: outboxRepository(outbox),
      blocks: methodBlockRepository(blocks),
      usedLinks: usedLinkRepository(usedLinks),
      activity: activityRepository(activity),
      signIns: signInHistoryRepository(signIns),
      exportCursors: exportCursorRepository(exportCursors),
      firstRun,
      health() {
        // After a failed log write the store acknowledges nothing more.
        const failed = requests.failure !== undefined;
        return {
          kind: 'embedded',
          status: failed ? 'failed' : 'ok',
          openRequests: requests.size,
          closedRequests: requests.closedCount,
          auditEntries: requests.auditChain.lastSeq,
        };
      },
      async close() {
        await Promise.all([
          ...documents.map((d) => d.flush()),
          requests.close(),
          historyIndex.close(),
          auditIndex.close(),
        ]);
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
