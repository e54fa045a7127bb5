// Open requests: a lowdb checkpoint plus an append-only write-ahead log, so a change costs one
// small fsync'd append however many requests are open (rewriting the whole document did not).
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { HelpRequest } from '../domain/help-request';
import { HelpRequestSchema } from '../domain/help-request';
import { openDocument } from './document';
import { writeFileDurably } from './durable-file';
import type { Journal } from './journal';
import { openJournal, readJournal } from './journal';

export const RequestsCheckpointSchema = z
  .object({
    open: z.array(HelpRequestSchema),
    /** Times (ms) of wrong passcodes per username, pruned to the last 24 hours. */
    userFailures: z.record(z.string(), z.array(z.number())),
    /** Every log entry up to this sequence number is contained in this checkpoint. */
    walSeq: z.number().int().min(0).default(0),
  })
  .strict();
export type RequestsCheckpoint = z.infer<typeof RequestsCheckpointSchema>;

/** Log entries set state (never adjust it), so replaying one already in the checkpoint is harmless. */
const WalEntrySchema = z.discriminatedUnion('op', [
  z
    .object({ seq: z.number().int().min(1), op: z.literal('put'), request: HelpRequestSchema })
    .strict(),
  z.object({ seq: z.number().int().min(1), op: z.literal('remove'), id: z.string() }).strict(),
  z
    .object({
      seq: z.number().int().min(1),
      op: z.literal('failures'),
      username: z.string(),
      times: z.array(z.number()),
    })
    .strict(),
]);
type WalEntry = z.infer<typeof WalEntrySchema>;
type WalChange = WalEntry extends infer E ? (E extends WalEntry ? Omit<E, 'seq'> : never) : never;

const WAL_PATTERN = /^requests-wal-(\d+)\.jsonl$/;
/** A checkpoint is taken after this many logged changes (and the log starts afresh). */
const CHECKPOINT_EVERY = 2_000;

export interface OpenRequestStore {
  /** Open requests, oldest first. */
  readonly all: readonly HelpRequest[];
  readonly size: number;
  get(id: string): HelpRequest | undefined;
  /** The open requests of one user (at most one, normally). */
  ofUser(username: string): HelpRequest[];
  hasReference(reference: string): boolean;
  readonly userFailures: Readonly<Record<string, readonly number[]>>;
  /** Adds or replaces a request; resolves once the change is on disk. */
  put(request: HelpRequest): Promise<void>;
  remove(id: string): Promise<void>;
  setFailures(username: string, times: number[]): Promise<void>;
  /** Writes a checkpoint and starts a new log (done on its own every few thousand changes). */
  checkpoint(): Promise<void>;
  close(): Promise<void>;
}

export async function openOpenRequests(dir: string): Promise<OpenRequestStore> {
  const doc = await openDocument(path.join(dir, 'requests.json'), RequestsCheckpointSchema, () => ({
    open: [],
    userFailures: {},
    walSeq: 0,
  }));
  const requests = new Map(doc.data.open.map((r) => [r.id, r]));
  const failures = new Map(Object.entries(doc.data.userFailures));
  let seq = doc.data.walSeq;
  const logs = (await fs.readdir(dir))
    .map((name) => ({ name, index: Number(WAL_PATTERN.exec(name)?.[1] ?? NaN) }))
    .filter((f) => Number.isInteger(f.index))
    .sort((a, b) => a.index - b.index);
  for (const log of logs) {
    for await (const { record } of readJournal(path.join(dir, log.name), WalEntrySchema)) {
      if (record.seq <= doc.data.walSeq) continue;
      apply(requests, failures, record);
      seq = Math.max(seq, record.seq);
    }
  }
  const store = new WalOpenRequests(
    dir,
    { file: path.join(dir, 'requests.json') },
    requests,
    failures,
    seq,
    (logs.at(-1)?.index ?? 0) + 1,
  );
  // Start from a checkpoint of everything replayed, then drop the logs it contains.
  await store.checkpoint();
  await Promise.all(logs.map((log) => fs.rm(path.join(dir, log.name), { force: true })));
  return store;
}

function apply(
  requests: Map<string, HelpRequest>,
  failures: Map<string, number[]>,
  entry: WalChange,
): void {
  if (entry.op === 'put') requests.set(entry.request.id, entry.request);
  else if (entry.op === 'remove') requests.delete(entry.id);
  else if (entry.times.length === 0) failures.delete(entry.username);
  else failures.set(entry.username, entry.times);
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
  #cachedAll: HelpRequest[] | undefined;
  #index: RequestIndex;
  #log: Promise<Journal<WalEntry>>;
  #logIndex: number;
  #sinceCheckpoint = 0;
  #checkpointing: Promise<void> | undefined;

  constructor(
    private readonly dir: string,
    private readonly doc: { file: string },
    private readonly requests: Map<string, HelpRequest>,
    private readonly failures: Map<string, number[]>,
    private seq: number,
    logIndex: number,
  ) {
    this.#logIndex = logIndex;
    this.#index = new RequestIndex(requests.values());
    this.#log = openJournal(this.#logFile(logIndex), WalEntrySchema);
  }

  #logFile(index: number): string {
    return path.join(this.dir, `requests-wal-${index}.jsonl`);
  }

  get all(): readonly HelpRequest[] {
    return (this.#cachedAll ??= [...this.requests.values()]);
  }

  get size(): number {
    return this.requests.size;
  }

  get(id: string): HelpRequest | undefined {
    return this.requests.get(id);
  }

  ofUser(username: string): HelpRequest[] {
    return [...(this.#index.byUsername.get(username) ?? [])].map((id) => this.requests.get(id)!);
  }

  hasReference(reference: string): boolean {
    return this.#index.byReference.has(reference);
  }

  get userFailures(): Readonly<Record<string, readonly number[]>> {
    return Object.fromEntries(this.failures);
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

  /** Applies in memory at once (so callers see it in order), then logs it durably. */
  #change(change: WalChange): Promise<void> {
    const before =
      change.op === 'put'
        ? this.requests.get(change.request.id)
        : change.op === 'remove'
          ? this.requests.get(change.id)
          : undefined;
    if (before) this.#index.delete(before);
    apply(this.requests, this.failures, change);
    if (change.op === 'put') this.#index.add(change.request);
    if (change.op !== 'failures') this.#cachedAll = undefined;
    const entry = { ...change, seq: ++this.seq } as WalEntry;
    const written = this.#log.then((log) => log.append(entry));
    if (++this.#sinceCheckpoint >= CHECKPOINT_EVERY && !this.#checkpointing) {
      this.#checkpointing = this.checkpoint().finally(() => (this.#checkpointing = undefined));
    }
    return written;
  }

  async checkpoint(): Promise<void> {
    this.#sinceCheckpoint = 0;
    const walSeq = this.seq;
    const previous = this.#log;
    const previousFile = this.#logFile(this.#logIndex);
    // New changes go to a fresh log, but only once the old one's writes are all on disk, so the
    // logs on disk never have a gap.
    this.#logIndex += 1;
    const nextFile = this.#logFile(this.#logIndex);
    this.#log = previous
      .then((log) => log.flush())
      .then(() => openJournal(nextFile, WalEntrySchema));
    // A consistent snapshot costs only copying references (records are never mutated in place);
    // turning thousands of them into JSON happens in slices, so the event loop never stalls on it.
    const open = [...this.requests.values()];
    const userFailures = Object.fromEntries(this.failures);
    await writeFileDurably(this.doc.file, await serializeInSlices(open, userFailures, walSeq));
    await (await previous).close();
    await fs.rm(previousFile, { force: true });
  }

  async close(): Promise<void> {
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
  return `{"open":[${parts.join(',')}],"userFailures":${JSON.stringify(userFailures)},"walSeq":${walSeq}}`;
}
