// Append-only JSONL journal: fast open (line count + last record), group-committed durable appends, streaming reads.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { z } from 'zod';
import { parseJsonText, syncDirectory } from './durable-file';
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
  /** Flushes, then closes the file; later appends reject. */
  close(): Promise<void>;
}

export interface JournalOptions {
  /** Where the one-line warning about a torn final line goes; defaults to stderr. */
  warn?: (message: string) => void;
}

const CHUNK_BYTES = 4 * 1024 * 1024;
const NEWLINE = 0x0a;

interface PendingAppend<T> {
  text: string;
  records: T[];
  resolve(): void;
  reject(error: unknown): void;
}

interface JournalTail<T> {
  count: number;
  last: T | undefined;
  size: number;
}

/**
 * Opens (creating if missing) the journal at `file`. Reads only what it must: it counts lines by
 * scanning for newlines and parses just the last complete line. A final line without a newline is
 * a write torn by a crash (never acknowledged) and is cut off with a warning.
 */
export async function openJournal<T>(
  file: string,
  schema: z.ZodType<T>,
  options: JournalOptions = {},
): Promise<Journal<T>> {
  const absolute = path.resolve(file);
  const warn = options.warn ?? ((message: string) => void process.stderr.write(`${message}\n`));
  let tail = await readTail(absolute, schema, warn);
  let handle: fs.FileHandle;
  try {
    if (tail === undefined) {
      await fs.mkdir(path.dirname(absolute), { recursive: true });
      handle = await fs.open(absolute, 'a', 0o600);
      await syncDirectory(path.dirname(absolute));
      tail = { count: 0, last: undefined, size: 0 };
    } else {
      handle = await fs.open(absolute, 'a');
    }
  } catch (error) {
    throw unreadableFileError(absolute, error);
  }
  return new AppendOnlyJournal(absolute, schema, handle, tail);
}

/** Counts lines and validates the last one; undefined if the file does not exist. */
async function readTail<T>(
  file: string,
  schema: z.ZodType<T>,
  warn: (message: string) => void,
): Promise<JournalTail<T> | undefined> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, 'r+');
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
    if (size > goodSize) {
      // Validated the last complete line first, so a corrupt file is left exactly as it was.
      await handle.truncate(goodSize);
      await handle.sync();
      warn(
        `warning: dropped ${size - goodSize} bytes from the end of ${file}: an unfinished last line ` +
          '(a write cut short by a crash or power loss; it was never acknowledged).',
      );
    }
    return { count, last, size: goodSize };
  } catch (error) {
    throw error instanceof StorageError ? error : unreadableFileError(file, error);
  } finally {
    await handle.close();
  }
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

  constructor(file: string, schema: z.ZodType<T>, handle: fs.FileHandle, tail: JournalTail<T>) {
    this.#file = file;
    this.#schema = schema;
    this.#handle = handle;
    this.#count = tail.count;
    this.#last = tail.last;
    this.#durable = { ...tail };
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
      text += `${JSON.stringify(record)}\n`;
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

  close(): Promise<void> {
    this.#closed = true;
    this.#closing ??= this.flush().then(() => this.#handle.close());
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
      await this.#handle.datasync();
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
