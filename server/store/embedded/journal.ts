// Append-only JSONL journal: fast open (line count + last record), group-committed durable appends, streaming reads.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { z } from 'zod';
import { parseJsonText, syncDirectory, writeFileDurably } from './durable-file';
import {
  corruptFileError,
  describeSchemaIssue,
  errnoCode,
  StorageError,
  unreadableFileError,
} from './errors';

export interface Journal<T> {
  /**
   * Appends records in call order; resolves once their bytes are fsync'd. If a write fails, its
   * records and every record appended after them are rejected (they may depend on the lost ones),
   * and `count`/`last` fall back to what is on disk.
   */
  append(records: T[] | T): Promise<void>;
  /** Records appended so far, including those whose write is still in flight. */
  readonly count: number;
  /** The last record appended, including one whose write is still in flight. */
  readonly last: T | undefined;
  /** Resolves when no append is queued or in flight. */
  flush(): Promise<void>;
  /** Flushes, then makes sure everything written is on stable storage (for `sync: 'deferred'`). */
  sync(): Promise<void>;
  /** Flushes, then closes the file; later appends reject. */
  close(): Promise<void>;
}

export interface JournalOptions<T = unknown> {
  /** Where the one-line warning about a torn final line goes; defaults to stderr. */
  warn?: (message: string) => void;
  /** What `inspectJournal` found, when the caller inspected the file before deciding to open it. */
  inspection?: JournalInspection<T>;
  /** Where the bytes of a torn final line are kept (default: a `torn` folder beside the file). */
  asideDir?: string;
  /**
   * 'each-write' (default): an append resolves once its bytes are fsync'd. 'deferred': once they
   * are written; `sync()` makes them durable. For journals that can be rebuilt from another log.
   */
  sync?: 'each-write' | 'deferred';
  /**
   * Called synchronously after each batch is on disk, with its records in order, before the
   * appends resolve (e.g. to project them into other journals in exactly this order).
   */
  onDurable?: (records: readonly T[]) => void;
}

/** What a journal holds, read without changing it. */
export interface JournalInspection<T> {
  file: string;
  exists: boolean;
  /** Complete lines. */
  count: number;
  /** The last complete line's record. */
  last: T | undefined;
  /** Bytes up to and including the last newline. */
  size: number;
  /** An unfinished last line (a torn write) that opening will cut off: bytes [start, end). */
  torn: { start: number; end: number } | undefined;
}

const CHUNK_BYTES = 4 * 1024 * 1024;
const NEWLINE = 0x0a;
/**
 * No record is longer than this (appends refuse longer ones), so a torn final line is never
 * longer either: an unterminated tail beyond it is damage, not a write cut short.
 */
const MAX_RECORD_BYTES = 1024 * 1024;

interface PendingAppend<T> {
  text: string;
  records: T[];
  resolve(): void;
  reject(error: unknown): void;
}

type JournalTail<T> = {
  count: number;
  last: T | undefined;
  size: number;
};

/**
 * Opens (creating if missing) the journal at `file`. Reads only what it must: it counts lines by
 * scanning for newlines and parses just the last complete line. A short final line without a
 * newline is a write torn by a crash (never acknowledged): it is moved aside with a warning.
 * Anything else that is wrong is a 'corrupt' StorageError, with the file left as it was.
 */
export async function openJournal<T>(
  file: string,
  schema: z.ZodType<T>,
  options: JournalOptions<T> = {},
): Promise<Journal<T>> {
  const absolute = path.resolve(file);
  const warn = options.warn ?? warnOnStderr;
  const found = options.inspection ?? (await inspectJournal(absolute, schema));
  let handle: fs.FileHandle;
  try {
    if (!found.exists) {
      await fs.mkdir(path.dirname(absolute), { recursive: true });
      handle = await fs.open(absolute, 'a', 0o600);
      await syncDirectory(path.dirname(absolute));
    } else {
      if (found.torn) await keepTornTailAside(found, options.asideDir, warn);
      handle = await fs.open(absolute, 'a');
    }
  } catch (error) {
    throw error instanceof StorageError ? error : unreadableFileError(absolute, error);
  }
  return new AppendOnlyJournal(
    absolute,
    schema,
    handle,
    { count: found.count, last: found.last, size: found.size },
    options,
  );
}

const warnOnStderr = (message: string) => void process.stderr.write(`${message}\n`);

/**
 * Copies a torn final line (as found by `inspectJournal`) to the aside folder, durably, then cuts
 * it off the journal, with a warning naming the file and the byte range.
 */
export async function keepTornTailAside(
  found: JournalInspection<unknown>,
  asideDir?: string,
  warn: (message: string) => void = warnOnStderr,
): Promise<void> {
  const { file } = found;
  const torn = found.torn!;
  const dir = asideDir ?? path.join(path.dirname(file), 'torn');
  const aside = path.join(dir, `${path.basename(file)}.${torn.start}-${torn.end}`);
  const handle = await fs.open(file, 'r+');
  try {
    const bytes = Buffer.alloc(torn.end - torn.start);
    await readExactly(handle, bytes, torn.start);
    await fs.mkdir(dir, { recursive: true });
    await writeFileDurably(aside, bytes);
    await handle.truncate(torn.start);
    await handle.sync();
  } finally {
    await handle.close();
  }
  warn(
    `warning: dropped bytes ${torn.start}-${torn.end} (${torn.end - torn.start} bytes) from the end of ${file}: ` +
      `an unfinished last line (a write cut short by a crash or power loss; it was never acknowledged). ` +
      `They are kept in ${aside}.`,
  );
}

/**
 * Reads a journal without changing it: counts lines, validates the last complete one and judges
 * what follows it. A file that does not exist is reported as such (`exists: false`).
 */
export async function inspectJournal<T>(
  file: string,
  schema: z.ZodType<T>,
): Promise<JournalInspection<T>> {
  const absolute = path.resolve(file);
  const tail = await readTail(absolute, schema);
  if (tail === undefined)
    return { file: absolute, exists: false, count: 0, last: undefined, size: 0, torn: undefined };
  return { file: absolute, exists: true, ...tail };
}

/** Counts lines, validates the last one and judges a tail without newline; undefined if the file does not exist. */
async function readTail<T>(
  file: string,
  schema: z.ZodType<T>,
): Promise<(JournalTail<T> & { torn: JournalInspection<T>['torn'] }) | undefined> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, 'r');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined;
    throw unreadableFileError(file, error);
  }
  try {
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    let size = 0;
    let count = 0;
    let lastNewline = -1;
    let newlineBeforeLast = -1;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, size);
      if (bytesRead === 0) break;
      const chunk = buffer.subarray(0, bytesRead);
      for (let at = chunk.indexOf(NEWLINE); at !== -1; at = chunk.indexOf(NEWLINE, at + 1)) {
        count += 1;
        newlineBeforeLast = lastNewline;
        lastNewline = size + at;
      }
      size += bytesRead;
    }

    let last: T | undefined;
    if (count > 0) {
      const start = newlineBeforeLast + 1;
      const bytes = Buffer.alloc(lastNewline - start);
      await readExactly(handle, bytes, start);
      last = parseJournalLine(file, schema, bytes.toString('utf8'), count);
    }

    const goodSize = lastNewline + 1;
    let torn: JournalInspection<T>['torn'];
    if (size > goodSize) {
      const tailBytes = Buffer.alloc(Math.min(size - goodSize, MAX_RECORD_BYTES + 1));
      await readExactly(handle, tailBytes, goodSize);
      const problem = tornTailProblem(tailBytes, size - goodSize);
      if (problem !== undefined)
        throw corruptFileError(
          file,
          `${problem} after its last complete line (bytes ${goodSize}-${size}), which is not a write cut short`,
          { line: count + 1 },
        );
      torn = { start: goodSize, end: size };
    }
    return { count, last, size: goodSize, torn };
  } catch (error) {
    throw error instanceof StorageError ? error : unreadableFileError(file, error);
  } finally {
    await handle.close();
  }
}

/** Why the bytes after the last newline cannot be a torn append of ours, or undefined if they can. */
function tornTailProblem(bytes: Buffer, length: number): string | undefined {
  if (length > MAX_RECORD_BYTES) return `it has ${length} bytes without a newline`;
  if (bytes.includes(0)) return 'it has NUL bytes';
  if (bytes[0] !== 0x7b) return 'it has bytes that do not start a record';
  return undefined;
}

async function readExactly(handle: fs.FileHandle, into: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < into.length) {
    const { bytesRead } = await handle.read(into, done, into.length - done, position + done);
    if (bytesRead === 0) throw new Error('file shrank while being read');
    done += bytesRead;
  }
}

function parseJournalLine<T>(file: string, schema: z.ZodType<T>, text: string, line: number): T {
  if (text.trim() === '') throw corruptFileError(file, 'the line is empty', { line });
  const parsed = schema.safeParse(parseJsonText(file, text, line));
  if (!parsed.success)
    throw corruptFileError(file, describeSchemaIssue(parsed.error), { line, cause: parsed.error });
  return parsed.data;
}

class AppendOnlyJournal<T> implements Journal<T> {
  readonly #file: string;
  readonly #schema: z.ZodType<T>;
  readonly #handle: fs.FileHandle;
  #count: number;
  #last: T | undefined;
  /** What is known to be on disk; the fallback after a failed write. */
  #durable: JournalTail<T>;
  #queue: PendingAppend<T>[] = [];
  /** Set while the write loop runs; cleared in the same synchronous step that finds the queue empty. */
  #draining: Promise<void> | undefined;
  #closed = false;
  #closing: Promise<void> | undefined;
  /** Set when a failed write could not be undone; the file is no longer safe to append to. */
  #broken: Error | undefined;
  readonly #deferSync: boolean;
  readonly #onDurable: ((records: readonly T[]) => void) | undefined;
  /** Bytes written without an fsync yet (deferred journals). */
  #unsynced = false;

  constructor(
    file: string,
    schema: z.ZodType<T>,
    handle: fs.FileHandle,
    tail: JournalTail<T>,
    options: JournalOptions<T>,
  ) {
    this.#file = file;
    this.#schema = schema;
    this.#handle = handle;
    this.#count = tail.count;
    this.#last = tail.last;
    this.#durable = { ...tail };
    this.#deferSync = options.sync === 'deferred';
    this.#onDurable = options.onDurable;
  }

  get count(): number {
    return this.#count;
  }

  get last(): T | undefined {
    return this.#last;
  }

  append(records: T[] | T): Promise<void> {
    if (this.#closed) return Promise.reject(new Error(`Journal ${this.#file} is closed.`));
    if (this.#broken) return Promise.reject(this.#broken);
    const list = Array.isArray(records) ? records : [records];
    if (list.length === 0) return Promise.resolve();
    let text = '';
    for (const record of list) {
      // A record that would not read back would make the journal unopenable; refuse it here instead.
      const checked = this.#schema.safeParse(record);
      if (!checked.success) {
        return Promise.reject(
          new Error(
            `Refusing to append to ${this.#file} a record that fails its schema: ${describeSchemaIssue(checked.error)}`,
          ),
        );
      }
      const line = JSON.stringify(record);
      if (line.length > MAX_RECORD_BYTES)
        return Promise.reject(
          new Error(`Refusing to append to ${this.#file} a record of ${line.length} bytes.`),
        );
      text += `${line}\n`;
    }
    const written = new Promise<void>((resolve, reject) => {
      this.#queue.push({ text, records: list, resolve, reject });
    });
    this.#count += list.length;
    this.#last = list[list.length - 1];
    if (this.#draining === undefined) this.#draining = this.#drain();
    return written;
  }

  async flush(): Promise<void> {
    while (this.#draining !== undefined) await this.#draining;
  }

  async sync(): Promise<void> {
    await this.flush();
    if (!this.#unsynced) return;
    this.#unsynced = false;
    await this.#handle.datasync();
  }

  close(): Promise<void> {
    this.#closed = true;
    this.#closing ??= this.sync().then(() => this.#handle.close());
    return this.#closing;
  }

  async #drain(): Promise<void> {
    // Let appends made in the same tick join the first write.
    await Promise.resolve();
    while (this.#queue.length > 0) {
      const batch = this.#queue;
      this.#queue = [];
      await this.#writeBatch(batch);
    }
    this.#draining = undefined;
  }

  async #writeBatch(batch: PendingAppend<T>[]): Promise<void> {
    const bytes = Buffer.from(batch.map((pending) => pending.text).join(''), 'utf8');
    try {
      if (this.#broken) throw this.#broken;
      await this.#handle.writeFile(bytes);
      if (this.#deferSync) this.#unsynced = true;
      else await this.#handle.datasync();
    } catch (error) {
      await this.#recoverFromFailedWrite(batch, error);
      return;
    }
    let added = 0;
    for (const pending of batch) added += pending.records.length;
    const lastPending = batch[batch.length - 1];
    this.#durable = {
      count: this.#durable.count + added,
      last:
        lastPending === undefined
          ? this.#durable.last
          : lastPending.records[lastPending.records.length - 1],
      size: this.#durable.size + bytes.length,
    };
    if (this.#onDurable) for (const pending of batch) this.#onDurable(pending.records);
    for (const pending of batch) pending.resolve();
  }

  async #recoverFromFailedWrite(batch: PendingAppend<T>[], error: unknown): Promise<void> {
    // Everything queued behind the failed batch was appended after it (e.g. chained on it): fail it too.
    const dropped = [...batch, ...this.#queue];
    this.#queue = [];
    this.#count = this.#durable.count;
    this.#last = this.#durable.last;
    for (const pending of dropped) pending.reject(error);
    if (this.#broken) return;
    try {
      // Cut off whatever part of the batch reached the file, so the next append starts on a clean line.
      await this.#handle.truncate(this.#durable.size);
      await this.#handle.datasync();
    } catch (truncateError) {
      this.#broken = new Error(
        `Journal ${this.#file} can no longer be appended to safely: a write failed (${String(error)}) and ` +
          `its partial bytes could not be removed (${String(truncateError)}). Restart the server.`,
        { cause: truncateError },
      );
    }
  }
}

/**
 * Streams every complete line of the journal, validated by `schema`. A bad line throws a 'corrupt'
 * StorageError naming the file and line. A final line without a newline (a torn write, never
 * acknowledged) is not yielded.
 */
export async function* readJournal<T>(
  file: string,
  schema: z.ZodType<T>,
): AsyncGenerator<{ line: number; record: T }> {
  const absolute = path.resolve(file);
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(absolute, 'r');
  } catch (error) {
    throw unreadableFileError(absolute, error);
  }
  try {
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    let position = 0;
    let line = 0;
    let carry: Buffer | undefined;
    for (;;) {
      let bytesRead: number;
      try {
        ({ bytesRead } = await handle.read(buffer, 0, buffer.length, position));
      } catch (error) {
        throw unreadableFileError(absolute, error);
      }
      if (bytesRead === 0) break;
      position += bytesRead;
      const chunk = buffer.subarray(0, bytesRead);
      let start = 0;
      for (let at = chunk.indexOf(NEWLINE); at !== -1; at = chunk.indexOf(NEWLINE, start)) {
        let bytes = chunk.subarray(start, at);
        if (carry !== undefined) {
          bytes = Buffer.concat([carry, bytes]);
          carry = undefined;
        }
        start = at + 1;
        line += 1;
        yield { line, record: parseJournalLine(absolute, schema, bytes.toString('utf8'), line) };
      }
      if (start < chunk.length) {
        // Copy: `buffer` is reused for the next read.
        const rest = Buffer.from(chunk.subarray(start));
        carry = carry === undefined ? rest : Buffer.concat([carry, rest]);
      }
    }
  } finally {
    await handle.close();
  }
}

/**
 * The complete records within the last `maxBytes` of the journal (oldest first), for start-up
 * checks that only concern recent history. The first, possibly partial, line of the window is skipped.
 */
export async function readJournalTail<T>(
  file: string,
  schema: z.ZodType<T>,
  maxBytes: number,
): Promise<T[]> {
  const absolute = path.resolve(file);
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(absolute, 'r');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return [];
    throw unreadableFileError(absolute, error);
  }
  try {
    const { size } = await handle.stat();
    const start = Math.max(0, size - maxBytes);
    const bytes = Buffer.alloc(size - start);
    await readExactly(handle, bytes, start);
    const text = bytes.toString('utf8');
    const lines = text.split('\n');
    lines.pop(); // after the last newline: empty, or a torn line
    if (start > 0) lines.shift();
    return lines.map((line) => parseJournalLine(absolute, schema, line, 0));
  } finally {
    await handle.close();
  }
}
