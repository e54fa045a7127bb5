// The audit log: a hash-chained JSONL journal, appended in call order, verified by streaming it.
import path from 'node:path';
import { corruptFileError, StorageError } from '../store/errors';
import { openJournal, readJournal } from '../store/journal';
import type { JournalOptions } from '../store/journal';
import { AuditEntrySchema, chainEntry, computeEntryHash, GENESIS_HASH } from './audit-chain';
import type { AuditEntry } from './audit-chain';

export interface AuditRecordInput {
  actor: string;
  action: string;
  requestId?: string;
  /** Never OTPs, secrets, passwords or tokens: `record` rejects keys that name them. */
  details?: Record<string, unknown>;
  /** Defaults to now. */
  at?: Date;
}

export interface AuditLog {
  /**
   * Chains the entry synchronously (so concurrent callers get consecutive seqs in call order) and
   * resolves with it once it is on disk.
   */
  record(input: AuditRecordInput): Promise<AuditEntry>;
  /** Seq of the last entry recorded (0 when empty), including one still being written. */
  readonly lastSeq: number;
  readonly lastHash: string;
  flush(): Promise<void>;
  close(): Promise<void>;
}

export type AuditVerification =
  | { ok: true; entries: number; lastHash: string }
  | { ok: false; entries: number; seq: number; line: number; reason: string };

/**
 * Opens (creating if missing) the audit log. Cheap tamper checks on the tail stop start-up with a
 * 'corrupt' StorageError; the full chain is checked by `verifyAuditLog`.
 */
export async function openAuditLog(file: string, options: JournalOptions = {}): Promise<AuditLog> {
  const absolute = path.resolve(file);
  const journal = await openJournal(absolute, AuditEntrySchema, options);
  const last = journal.last;
  const problem =
    last === undefined
      ? undefined
      : computeEntryHash(last) !== last.hash
        ? `its last entry (seq ${last.seq}) does not match its hash, so it was altered`
        : last.seq !== journal.count
          ? `it has ${journal.count} lines but its last entry is seq ${last.seq}, so entries were removed or inserted`
          : undefined;
  if (problem !== undefined) {
    await journal.close();
    throw corruptFileError(absolute, `${problem} (run "npm run audit:verify" for details)`, {
      line: journal.count,
    });
  }

  return {
    async record(input: AuditRecordInput): Promise<AuditEntry> {
      // Everything up to `append` runs synchronously, so the chain follows call order.
      const entry = chainEntry(journal.last, {
        at: (input.at ?? new Date()).toISOString(),
        actor: input.actor,
        action: input.action,
        ...(input.requestId === undefined ? {} : { requestId: input.requestId }),
        details: input.details ?? {},
      });
      await journal.append(entry);
      return entry;
    },
    get lastSeq() {
      return journal.last?.seq ?? 0;
    },
    get lastHash() {
      return journal.last?.hash ?? GENESIS_HASH;
    },
    flush: () => journal.flush(),
    close: () => journal.close(),
  };
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
