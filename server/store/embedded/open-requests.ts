// Open requests and the store's commit log: an in-memory map backed by an append-only log
// (`requests-wal-N.jsonl`, one small fsync'd line per change) folded into the `requests.json`
// checkpoint every few thousand changes. Every audit entry travels in that log, in the same line
// as the request change it describes, so a change and its audit entry reach disk as one append.
// The audit journal and the closed-request history are projections written after that append and
// rebuilt from the log after a crash; the checkpoint remembers how long they were, so a journal
// that was emptied or cut short is noticed.
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { AuditEntry } from '../../audit/audit-chain';
import { AuditEntrySchema, GENESIS_HASH } from '../../audit/audit-chain';
import type { HelpRequest, OpenRequest } from '../../domain/help-request';
import { HelpRequestSchema, isOpen } from '../../domain/help-request';
import { AuditChain } from './audit-journal';
import { readDocument } from './document';
import { writeFileDurably } from './durable-file';
import { corruptFileError } from './errors';
import type { Journal, JournalInspection } from './journal';
import {
  inspectJournal,
  keepTornTailAside,
  openJournal,
  readJournal,
  readJournalTail,
} from './journal';
import { PerKeyQueue } from './per-key-queue';
import type { AuditRecordInput, RequestCommit, RequestRepository } from '../repositories';

const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);

export const RequestsCheckpointSchema = z
  .object({
    open: z.array(HelpRequestSchema),
    /** Times (ms) of wrong passcodes per username, pruned to the last 24 hours. */
    userFailures: z.record(z.string(), z.array(z.number())),
    /** Every log entry up to this sequence number is contained in this checkpoint. */
    walSeq: z.number().int().min(0).default(0),
    /** The audit journal's last entry when the checkpoint was taken (absent in older data dirs). */
    audit: z
      .object({ seq: z.number().int().min(0), hash: Sha256Hex })
      .strict()
      .optional(),
    /** How many closed requests the history journal held when the checkpoint was taken. */
    closed: z
      .object({ count: z.number().int().min(0) })
      .strict()
      .optional(),
  })
  .strict();
export type RequestsCheckpoint = z.infer<typeof RequestsCheckpointSchema>;

const auditField = { audit: z.array(AuditEntrySchema).optional() };

/** Log entries set state (never adjust it), so replaying one already in the checkpoint is harmless. */
const WalEntrySchema = z.discriminatedUnion('op', [
  z
    .object({
      seq: z.number().int().min(1),
      op: z.literal('put'),
      request: HelpRequestSchema,
      ...auditField,
    })
    .strict(),
  z
    .object({
      seq: z.number().int().min(1),
      op: z.literal('remove'),
      id: z.string(),
      /** The closed record and its line number in the history journal. */
      closed: z.object({ index: z.number().int().min(1), request: HelpRequestSchema }).optional(),
      ...auditField,
    })
    .strict(),
  z
    .object({
      seq: z.number().int().min(1),
      op: z.literal('failures'),
      username: z.string(),
      times: z.array(z.number()),
      ...auditField,
    })
    .strict(),
  z
    .object({
      seq: z.number().int().min(1),
      op: z.literal('audit'),
      audit: z.array(AuditEntrySchema),
    })
    .strict(),
]);
type WalEntry = z.infer<typeof WalEntrySchema>;
type WalChange = WalEntry extends infer E ? (E extends WalEntry ? Omit<E, 'seq'> : never) : never;

const WAL_PATTERN = /^requests-wal-(\d+)\.jsonl$/;
/** A checkpoint is taken after this many logged changes (and the log starts afresh). */
const CHECKPOINT_EVERY = 2_000;

export interface OpenRequestStore extends RequestRepository {
  readonly size: number;
  readonly userFailures: Readonly<Record<string, readonly number[]>>;
  /** Appends an audit entry that changes no request; resolves with it once durable. */
  recordAudit(input: AuditRecordInput): Promise<AuditEntry>;
  readonly auditChain: AuditChain;
  /** How many closed requests the history holds, including those still being written. */
  readonly closedCount: number;
  /** Adds or replaces a request without an audit entry (tests, repairs). */
  put(request: HelpRequest): Promise<void>;
  remove(id: string): Promise<void>;
  /** Writes a checkpoint and starts a new log (done on its own every few thousand changes). */
  checkpoint(): Promise<void>;
  close(): Promise<void>;
}

/** The journals the log projects into: entries are appended there once their log line is durable. */
export interface Projections {
  audit: Journal<AuditEntry>;
  closed: Journal<HelpRequest>;
}

export interface LoadedOpenRequests {
  /** The audit chain's head once the log's entries are projected. */
  readonly auditHead: { seq: number; hash: string } | undefined;
  /** Opens the log for writing: repairs torn tails, projects what the journals lack, checkpoints. */
  open(projections: Projections, warn?: (message: string) => void): Promise<OpenRequestStore>;
}

interface LogFile {
  name: string;
  index: number;
  found: JournalInspection<WalEntry>;
}

/**
 * Reads the checkpoint and every log without writing anything, replays the log and checks it
 * against the audit and history journals as they are on disk. Throws a 'corrupt' StorageError
 * naming the file when they disagree in a way a crash cannot explain.
 */
export async function loadOpenRequests(
  dir: string,
  journals: { audit: JournalInspection<AuditEntry>; closed: JournalInspection<HelpRequest> },
): Promise<LoadedOpenRequests> {
  const checkpointFile = path.join(dir, 'requests.json');
  const checkpoint = await readDocument(checkpointFile, RequestsCheckpointSchema);
  const requests = new Map((checkpoint?.open ?? []).map((r) => [r.id, r]));
  const failures = new Map(Object.entries(checkpoint?.userFailures ?? {}));
  const walSeq = checkpoint?.walSeq ?? 0;

  const auditTail = {
    seq: journals.audit.last?.seq ?? 0,
    hash: journals.audit.last?.hash ?? GENESIS_HASH,
  };
  const closedCount = journals.closed.count;
  if (checkpoint?.audit) checkProjectionLength(journals.audit, auditTail.seq, checkpoint.audit.seq);
  if (
    checkpoint?.audit &&
    auditTail.seq === checkpoint.audit.seq &&
    auditTail.hash !== checkpoint.audit.hash
  )
    throw corruptFileError(
      journals.audit.file,
      `its last entry (seq ${auditTail.seq}) is not the one recorded at the last checkpoint, so it was replaced`,
    );
  if (checkpoint?.closed)
    checkProjectionLength(journals.closed, closedCount, checkpoint.closed.count);

  const names = await fs.readdir(dir);
  const logs: LogFile[] = [];
  for (const name of names) {
    const index = Number(WAL_PATTERN.exec(name)?.[1] ?? NaN);
    if (!Number.isInteger(index)) continue;
    logs.push({ name, index, found: await inspectJournal(path.join(dir, name), WalEntrySchema) });
  }
  logs.sort((a, b) => a.index - b.index);

  // Audit entries and closed records the journals lack, in order.
  const missingAudit: AuditEntry[] = [];
  const missingClosed: HelpRequest[] = [];
  let auditHead = auditTail.seq > 0 ? { ...auditTail } : undefined;
  let logAuditSeq = checkpoint?.audit?.seq ?? 0;
  let logClosedCount = checkpoint?.closed?.count ?? 0;
  let seq = walSeq;
  for (const log of logs) {
    const file = path.join(dir, log.name);
    for await (const { line, record } of readJournal(file, WalEntrySchema)) {
      for (const entry of record.audit ?? []) {
        logAuditSeq = Math.max(logAuditSeq, entry.seq);
        if (entry.seq <= (auditHead?.seq ?? 0)) continue;
        const expected = (auditHead?.seq ?? 0) + 1;
        if (entry.seq !== expected || entry.prevHash !== (auditHead?.hash ?? GENESIS_HASH))
          throw corruptFileError(
            file,
            `its audit entry seq ${entry.seq} does not follow seq ${expected - 1} of ${journals.audit.file}`,
            { line },
          );
        missingAudit.push(entry);
        auditHead = { seq: entry.seq, hash: entry.hash };
      }
      if (record.op === 'remove' && record.closed) {
        logClosedCount = Math.max(logClosedCount, record.closed.index);
        const expected = closedCount + missingClosed.length + 1;
        if (record.closed.index > expected)
          throw corruptFileError(
            file,
            `its closed request ${record.closed.index} does not follow line ${expected - 1} of ${journals.closed.file}`,
            { line },
          );
        if (record.closed.index === expected) missingClosed.push(record.closed.request);
      }
      if (record.seq <= walSeq) continue;
      apply(requests, failures, record);
      seq = Math.max(seq, record.seq);
    }
  }
  // Every audit entry and closed record is logged before it is projected: a journal ahead of the
  // log means the log lost lines that were acknowledged.
  if (checkpoint?.audit && auditTail.seq > logAuditSeq)
    throw corruptFileError(
      logs.at(-1) ? path.join(dir, logs.at(-1)!.name) : checkpointFile,
      `${journals.audit.file} has entries up to seq ${auditTail.seq} but the log only reaches seq ${logAuditSeq}, so log lines were lost`,
    );
  if (checkpoint?.closed && closedCount > logClosedCount)
    throw corruptFileError(
      logs.at(-1) ? path.join(dir, logs.at(-1)!.name) : checkpointFile,
      `${journals.closed.file} has ${closedCount} requests but the log only accounts for ${logClosedCount}, so log lines were lost`,
    );
  if (!checkpoint?.closed) await settleInterruptedCloses(requests, journals.closed);

  return {
    auditHead,
    async open(projections, warn) {
      for (const log of logs)
        if (log.found.torn) await keepTornTailAside(log.found, undefined, warn);
      if (missingAudit.length > 0) await projections.audit.append(missingAudit);
      if (missingClosed.length > 0) await projections.closed.append(missingClosed);
      const store = new WalOpenRequests(
        dir,
        checkpointFile,
        requests,
        failures,
        seq,
        (logs.at(-1)?.index ?? 0) + 1,
        new AuditChain(auditHead),
        closedCount + missingClosed.length,
        projections,
      );
      // Start from a checkpoint of everything replayed, then drop the logs it contains.
      await store.checkpoint();
      await Promise.all(logs.map((log) => fs.rm(path.join(dir, log.name), { force: true })));
      return store;
    },
  };
}

function checkProjectionLength(
  found: JournalInspection<unknown>,
  has: number,
  recorded: number,
): void {
  if (has >= recorded) return;
  const what = !found.exists
    ? 'it is missing'
    : has === 0
      ? 'it is empty'
      : `it ends after ${has} entries`;
  throw corruptFileError(
    found.file,
    `${what}, but it held ${recorded} when the data dir was last checkpointed, so it was truncated, emptied or replaced`,
  );
}

/**
 * Data dirs from before the log carried closed records closed a request by appending to the
 * history and then logging its removal; a crash between the two left it in both. The history is
 * the truth there. Only the last few closes can be affected, so its tail is enough.
 */
async function settleInterruptedCloses(
  requests: Map<string, HelpRequest>,
  closed: JournalInspection<HelpRequest>,
): Promise<void> {
  if (requests.size === 0 || !closed.exists) return;
  const recent = await readJournalTail(closed.file, HelpRequestSchema, 4 * 1024 * 1024);
  for (const r of recent) requests.delete(r.id);
}

/** Opens the open-request store with its projections in `dir` (audit.jsonl, closed-requests.jsonl). */
export async function openOpenRequests(dir: string): Promise<OpenRequestStore> {
  const auditFile = path.join(dir, 'audit.jsonl');
  const closedFile = path.join(dir, 'closed-requests.jsonl');
  const found = {
    audit: await inspectJournal(auditFile, AuditEntrySchema),
    closed: await inspectJournal(closedFile, HelpRequestSchema),
  };
  const loaded = await loadOpenRequests(dir, found);
  const projections: Projections = {
    audit: await openJournal(auditFile, AuditEntrySchema, {
      inspection: found.audit,
      sync: 'deferred',
    }),
    closed: await openJournal(closedFile, HelpRequestSchema, {
      inspection: found.closed,
      sync: 'deferred',
    }),
  };
  const store = await loaded.open(projections);
  const close = store.close.bind(store);
  return Object.assign(store, {
    close: async () => {
      await close();
      await Promise.all([projections.audit.close(), projections.closed.close()]);
    },
  });
}

function apply(
  requests: Map<string, HelpRequest>,
  failures: Map<string, number[]>,
  entry: WalChange,
): void {
  if (entry.op === 'put') requests.set(entry.request.id, entry.request);
  else if (entry.op === 'remove') requests.delete(entry.id);
  else if (entry.op === 'failures') {
    if (entry.times.length === 0) failures.delete(entry.username);
    else failures.set(entry.username, entry.times);
  }
}

/** Open requests by username and by reference code, kept beside the map so look-ups stay O(1). */
class RequestIndex {
  readonly byUsername = new Map<string, Set<string>>();
  readonly byReference = new Map<string, string>();

  constructor(requests: Iterable<HelpRequest>) {
    for (const request of requests) this.add(request);
  }

  add(request: HelpRequest): void {
    let ids = this.byUsername.get(request.username);
    if (!ids) this.byUsername.set(request.username, (ids = new Set()));
    ids.add(request.id);
    this.byReference.set(request.reference, request.id);
  }

  delete(request: HelpRequest): void {
    const ids = this.byUsername.get(request.username);
    ids?.delete(request.id);
    if (ids?.size === 0) this.byUsername.delete(request.username);
    if (this.byReference.get(request.reference) === request.id)
      this.byReference.delete(request.reference);
  }
}

class WalOpenRequests implements OpenRequestStore {
  #cachedAll: OpenRequest[] | undefined;
  #index: RequestIndex;
  #log: Promise<Journal<WalEntry>>;
  #logIndex: number;
  #sinceCheckpoint = 0;
  #checkpointing: Promise<void> | undefined;
  #closedCount: number;
  #failure: Error | undefined;
  /** Set when `close` starts: a change after it would land in a log the close removes. */
  #closing: Error | undefined;
  /** What each log entry's projection writes are, set when its line is durable. */
  readonly #projected = new WeakMap<WalEntry, Promise<unknown>>();
  /** One process owns the data dir, so holding a user against this process's callers is enough. */
  readonly #users = new PerKeyQueue();

  constructor(
    private readonly dir: string,
    private readonly checkpointFile: string,
    private readonly requests: Map<string, HelpRequest>,
    private readonly failures: Map<string, number[]>,
    private seq: number,
    logIndex: number,
    readonly auditChain: AuditChain,
    closedCount: number,
    private readonly projections: Projections,
  ) {
    this.#logIndex = logIndex;
    this.#closedCount = closedCount;
    this.#index = new RequestIndex(requests.values());
    this.#log = this.#openLog(logIndex);
  }

  #logFile(index: number): string {
    return path.join(this.dir, `requests-wal-${index}.jsonl`);
  }

  #openLog(index: number): Promise<Journal<WalEntry>> {
    return openJournal(this.#logFile(index), WalEntrySchema, {
      // Runs in log order, once each batch is durable: the projections get exactly that order.
      onDurable: (entries) => {
        for (const entry of entries) {
          const writes: Promise<unknown>[] = [];
          if (entry.audit?.length) writes.push(this.projections.audit.append(entry.audit));
          if (entry.op === 'remove' && entry.closed)
            writes.push(this.projections.closed.append(entry.closed.request));
          if (writes.length > 0) this.#projected.set(entry, Promise.all(writes));
        }
      },
    });
  }

  // Only open requests are kept here: a closed one leaves the map when it is committed.
  get all(): readonly OpenRequest[] {
    return (this.#cachedAll ??= [...this.requests.values()] as OpenRequest[]);
  }

  get size(): number {
    return this.requests.size;
  }

  get failure(): Error | undefined {
    return this.#failure;
  }

  /** Why a change cannot be made now (a failed write, or the store closing), if it cannot. */
  get #refusal(): Error | undefined {
    return this.#failure ?? this.#closing;
  }

  get(id: string): OpenRequest | undefined {
    return this.requests.get(id) as OpenRequest | undefined;
  }

  ofUser(username: string): OpenRequest[] {
    return [...(this.#index.byUsername.get(username) ?? [])].map(
      (id) => this.requests.get(id) as OpenRequest,
    );
  }

  hasReference(reference: string): boolean {
    return this.#index.byReference.has(reference);
  }

  get userFailures(): Readonly<Record<string, readonly number[]>> {
    return Object.fromEntries(this.failures);
  }

  failuresOf(username: string): readonly number[] {
    return this.failures.get(username) ?? [];
  }

  get closedCount(): number {
    return this.#closedCount;
  }

  commit(
    request: HelpRequest,
    input: AuditRecordInput | readonly AuditRecordInput[],
  ): Promise<void> {
    if (this.#refusal) return Promise.reject(this.#refusal);
    const inputs: readonly AuditRecordInput[] = Array.isArray(input) ? input : [input];
    const audit = inputs.map((i) => this.auditChain.next(i));
    if (isOpen(request)) return this.#change({ op: 'put', request, audit });
    const closed = { index: ++this.#closedCount, request };
    return this.#change({ op: 'remove', id: request.id, closed, audit });
  }

  // Read, decided and applied in memory in one synchronous step: no other change of the request
  // can come between the read and the write.
  async change(
    id: string,
    decide: (current: OpenRequest | undefined) => RequestCommit | undefined,
  ): Promise<HelpRequest | undefined> {
    if (this.#refusal) throw this.#refusal;
    const next = decide(this.get(id));
    if (!next) return undefined;
    if (next.request.id !== id)
      throw new Error(`A change of request ${id} returned request ${next.request.id}.`);
    await this.commit(next.request, next.audit);
    return next.request;
  }

  exclusive<T>(username: string, work: () => Promise<T>): Promise<T> {
    return this.#users.run(username, work);
  }

  async recordAudit(input: AuditRecordInput): Promise<AuditEntry> {
    if (this.#refusal) throw this.#refusal;
    const entry = this.auditChain.next(input);
    await this.#change({ op: 'audit', audit: [entry] });
    return entry;
  }

  put(request: HelpRequest): Promise<void> {
    return this.#change({ op: 'put', request });
  }

  remove(id: string): Promise<void> {
    return this.#change({ op: 'remove', id });
  }

  setFailures(username: string, times: number[]): Promise<void> {
    return this.#change({ op: 'failures', username, times });
  }

  /**
   * Applies in memory at once (so callers see it in order), logs it durably, then waits for its
   * projections to be written (so a reader of the journals sees what was acknowledged).
   */
  #change(change: WalChange): Promise<void> {
    if (this.#refusal) return Promise.reject(this.#refusal);
    const before =
      change.op === 'put'
        ? this.requests.get(change.request.id)
        : change.op === 'remove'
          ? this.requests.get(change.id)
          : undefined;
    if (before) this.#index.delete(before);
    apply(this.requests, this.failures, change);
    if (change.op === 'put') this.#index.add(change.request);
    if (change.op === 'put' || change.op === 'remove') this.#cachedAll = undefined;
    const entry = { ...change, seq: ++this.seq } as WalEntry;
    const written = this.#log
      .then((log) => log.append(entry))
      .then(
        () => this.#projected.get(entry),
        (error: unknown) => {
          // Memory is now ahead of the disk and the audit chain has a hole: acknowledge nothing
          // more until a restart recovers from what is on disk.
          this.#failure ??= new Error(
            `Writing to the open-request log failed (${String(error)}); restart the server.`,
            { cause: error },
          );
          throw error;
        },
      )
      .then(() => undefined);
    if (++this.#sinceCheckpoint >= CHECKPOINT_EVERY && !this.#checkpointing) {
      this.#checkpointing = this.checkpoint().finally(() => (this.#checkpointing = undefined));
    }
    return written;
  }

  async checkpoint(): Promise<void> {
    this.#sinceCheckpoint = 0;
    const walSeq = this.seq;
    const audit = { seq: this.auditChain.lastSeq, hash: this.auditChain.lastHash };
    const closed = { count: this.#closedCount };
    const previous = this.#log;
    const previousFile = this.#logFile(this.#logIndex);
    // New changes go to a fresh log, but only once the old one's writes are all on disk, so the
    // logs on disk never have a gap and the projections keep the log's order.
    this.#logIndex += 1;
    const nextIndex = this.#logIndex;
    const flushed = previous.then((log) => log.flush());
    this.#log = flushed.then(() => this.#openLog(nextIndex));
    // A consistent snapshot costs only copying references (records are never mutated in place);
    // turning thousands of them into JSON happens in slices, so the event loop never stalls on it.
    const open = [...this.requests.values()];
    const userFailures = Object.fromEntries(this.failures);
    const text = await serializeInSlices(open, userFailures, walSeq, audit, closed);
    // The checkpoint vouches for the projections' length: they must be on disk first.
    await flushed;
    await Promise.all([this.projections.audit.sync(), this.projections.closed.sync()]);
    await writeFileDurably(this.checkpointFile, text);
    await (await previous).close();
    await fs.rm(previousFile, { force: true });
  }

  async close(): Promise<void> {
    // Refused from now on, never acknowledged: the checkpoint below is the last word, and a change
    // logged after it would go with the log the close removes while its audit entry stayed.
    this.#closing ??= new Error('The store is closing; the change was not made.');
    await this.#checkpointing;
    await this.checkpoint();
    await (await this.#log).close();
    await fs.rm(this.#logFile(this.#logIndex), { force: true });
  }
}

/** The checkpoint document's JSON, built a few hundred records per tick. */
async function serializeInSlices(
  open: HelpRequest[],
  userFailures: Record<string, number[]>,
  walSeq: number,
  audit: NonNullable<RequestsCheckpoint['audit']>,
  closed: NonNullable<RequestsCheckpoint['closed']>,
): Promise<string> {
  const SLICE = 500;
  const parts: string[] = [];
  for (let at = 0; at < open.length; at += SLICE) {
    parts.push(
      open
        .slice(at, at + SLICE)
        .map((r) => JSON.stringify(r))
        .join(','),
    );
    if (at + SLICE < open.length) await new Promise((resolve) => setImmediate(resolve));
  }
  return (
    `{"open":[${parts.join(',')}],"userFailures":${JSON.stringify(userFailures)},` +
    `"walSeq":${walSeq},"audit":${JSON.stringify(audit)},"closed":${JSON.stringify(closed)}}`
  );
}
