// The embedded audit journal: the chain's head in memory, tail checks on open, a stand-alone
// journal, and a streaming check of the whole chain.
import path from 'node:path';
import {
  AuditEntrySchema,
  chainEntry,
  computeEntryHash,
  GENESIS_HASH,
} from '../../audit/audit-chain';
import type { AuditEntry } from '../../audit/audit-chain';
import { corruptFileError, StorageError } from './errors';
import { inspectJournal, openJournal, readJournal } from './journal';
import type { JournalInspection, JournalOptions } from './journal';
import { auditEntryMatches } from '../audit-query';
import type {
  AuditFilter,
  AuditLog,
  AuditQuery,
  AuditRecordInput,
  AuditVerification,
} from '../repositories';

/** An audit log on a journal of its own, which its owner flushes and closes. */
export interface StandaloneAuditLog extends AuditLog {
  flush(): Promise<void>;
  close(): Promise<void>;
}

export type { AuditVerification };

/**
 * The chain's head in memory: each new entry is chained to it synchronously, so concurrent
 * callers get consecutive seqs in call order, whatever log then carries the entry to disk.
 */
export class AuditChain {
  #last: { seq: number; hash: string } | undefined;

  constructor(last: { seq: number; hash: string } | undefined) {
    this.#last = last;
  }

  next(input: AuditRecordInput): AuditEntry {
    const entry = chainEntry(this.#last, {
      at: (input.at ?? new Date()).toISOString(),
      actor: input.actor,
      action: input.action,
      ...(input.requestId === undefined ? {} : { requestId: input.requestId }),
      details: input.details ?? {},
    });
    this.#last = { seq: entry.seq, hash: entry.hash };
    return entry;
  }

  get lastSeq(): number {
    return this.#last?.seq ?? 0;
  }

  get lastHash(): string {
    return this.#last?.hash ?? GENESIS_HASH;
  }
}

/** Cheap tamper checks on an audit journal's tail; throws a 'corrupt' StorageError. */
export function assertAuditTail(found: JournalInspection<AuditEntry>): void {
  const last = found.last;
  const problem =
    last === undefined
      ? undefined
      : computeEntryHash(last) !== last.hash
        ? `its last entry (seq ${last.seq}) does not match its hash, so it was altered`
        : last.seq !== found.count
          ? `it has ${found.count} lines but its last entry is seq ${last.seq}, so entries were removed or inserted`
          : undefined;
  if (problem !== undefined) {
    throw corruptFileError(found.file, `${problem} (run "npm run audit:verify" for details)`, {
      line: found.count,
    });
  }
}

/**
 * Opens (creating if missing) a stand-alone audit log whose entries are fsync'd to `file` itself.
 * Cheap tamper checks on the tail stop it with a 'corrupt' StorageError; the full chain is checked
 * by `verifyAuditLog`. (The server's store carries entries through its commit log instead.)
 */
export async function openAuditLog(
  file: string,
  options: JournalOptions = {},
): Promise<StandaloneAuditLog> {
  const absolute = path.resolve(file);
  const found = await inspectJournal(absolute, AuditEntrySchema);
  assertAuditTail(found);
  const journal = await openJournal(absolute, AuditEntrySchema, {
    ...options,
    inspection: found,
  });
  const chain = new AuditChain(journal.last);
  return {
    async record(input: AuditRecordInput): Promise<AuditEntry> {
      // Chained synchronously, so the chain follows call order.
      const entry = chain.next(input);
      await journal.append(entry);
      return entry;
    },
    get lastSeq() {
      return chain.lastSeq;
    },
    get lastHash() {
      return chain.lastHash;
    },
    entries: () => readAuditJournal(absolute),
    // A stand-alone log (tests, tools) is searched by reading it through; the store's is indexed.
    search: (query) => searchByReading(readAuditJournal(absolute), query),
    select: (filter) => selectByReading(readAuditJournal(absolute), filter),
    verify: async () => {
      await journal.flush();
      return verifyAuditLog(absolute);
    },
    flush: () => journal.flush(),
    close: () => journal.close(),
  };
}

/** `AuditLog.search` by reading every entry (for logs without an index). */
export async function searchByReading(
  entries: AsyncIterable<AuditEntry>,
  query: AuditQuery,
): Promise<{ entries: AuditEntry[]; total: number }> {
  const matching: AuditEntry[] = [];
  for await (const entry of selectByReading(entries, query)) matching.push(entry);
  matching.reverse();
  return {
    entries: matching.slice(query.offset, query.offset + query.limit),
    total: matching.length,
  };
}

/** `AuditLog.select` by reading every entry (for logs without an index). */
export async function* selectByReading(
  entries: AsyncIterable<AuditEntry>,
  filter: AuditFilter,
): AsyncGenerator<AuditEntry> {
  for await (const entry of entries) if (auditEntryMatches(entry, filter)) yield entry;
}

/** The entries of an audit journal file, in order. */
export async function* readAuditJournal(file: string): AsyncGenerator<AuditEntry> {
  for await (const { record } of readJournal(file, AuditEntrySchema)) yield record;
}

/** Streams the whole log and checks seq continuity, each prevHash link and each entry's hash. */
export async function verifyAuditLog(file: string): Promise<AuditVerification> {
  const absolute = path.resolve(file);
  let entries = 0;
  let prevHash = GENESIS_HASH;
  try {
    for await (const { line, record } of readJournal(absolute, AuditEntrySchema)) {
      const expectedSeq = entries + 1;
      const broken = (reason: string): AuditVerification => ({
        ok: false,
        entries,
        seq: record.seq,
        line,
        reason,
      });
      if (record.seq !== expectedSeq) {
        return broken(
          `expected seq ${expectedSeq} but found seq ${record.seq}: entries were removed, inserted or reordered`,
        );
      }
      if (record.prevHash !== prevHash) {
        return broken(
          expectedSeq === 1
            ? 'the first entry does not start from the genesis hash: entries before it were removed'
            : `its prevHash does not match the hash of seq ${expectedSeq - 1}: an entry was altered, removed or inserted`,
        );
      }
      if (computeEntryHash(record) !== record.hash) {
        return broken('its content does not match its hash: the entry was altered');
      }
      entries += 1;
      prevHash = record.hash;
    }
  } catch (error) {
    if (error instanceof StorageError && error.code === 'corrupt' && error.line !== undefined) {
      return {
        ok: false,
        entries,
        seq: entries + 1,
        line: error.line,
        reason: `the line is not a valid audit entry (${error.detail ?? error.message})`,
      };
    }
    throw error;
  }
  return { ok: true, entries, lastHash: prevHash };
}
