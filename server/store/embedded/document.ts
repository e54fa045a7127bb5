// A lowdb JSON document: validated with zod on open, changed in memory, written durably with group commit.
import fs from 'node:fs/promises';
import path from 'node:path';
import { Low } from 'lowdb';
import type { Adapter } from 'lowdb';
import type { z } from 'zod';
import { removeStaleTempFiles, readJsonFile, writeFileDurably } from './durable-file';
import { corruptFileError, describeSchemaIssue, StorageError, unreadableFileError } from './errors';

export interface DocumentStore<T> {
  /** The current in-memory state, including changes whose write is still in flight. */
  readonly data: T;
  /**
   * Applies `mutate` to the data at once (synchronously, in call order) and resolves with its result
   * once a write containing the change is on disk. `mutate` must be synchronous and should check
   * everything before it changes anything: a throw rejects the update but cannot undo a half-made change.
   */
  update<R>(mutate: (draft: T) => R): Promise<R>;
  /** Resolves when everything changed so far is on disk (retrying a write that failed). */
  flush(): Promise<void>;
}

/** lowdb adapter over durable-file.ts: validated reads, atomic fsync'd writes. */
class DurableJsonAdapter<T> implements Adapter<T> {
  readonly #file: string;
  readonly #schema: z.ZodType<T>;

  constructor(file: string, schema: z.ZodType<T>) {
    this.#file = file;
    this.#schema = schema;
  }

  async read(): Promise<T | null> {
    const raw = await readJsonFile(this.#file);
    if (raw === undefined) return null;
    const parsed = this.#schema.safeParse(raw);
    if (!parsed.success)
      throw corruptFileError(this.#file, describeSchemaIssue(parsed.error), {
        cause: parsed.error,
      });
    return parsed.data;
  }

  /** Serialises synchronously, so the write holds exactly the changes made before it was called. */
  write(data: T): Promise<void> {
    const text = JSON.stringify(data);
    return writeFileDurably(this.#file, text);
  }
}

interface Waiter {
  resolve(): void;
  reject(error: unknown): void;
}

class GroupCommitDocument<T> implements DocumentStore<T> {
  readonly #low: Low<T>;
  /** Changes made in memory that no started write contains yet. */
  #waiting: Waiter[] = [];
  /** Set while a write loop runs; cleared in the same synchronous step that finds nothing left to write. */
  #draining: Promise<void> | undefined;
  /** A write failed and no later write has been started, so memory is ahead of the disk. */
  #unsaved = false;

  constructor(low: Low<T>) {
    this.#low = low;
  }

  get data(): T {
    return this.#low.data;
  }

  update<R>(mutate: (draft: T) => R): Promise<R> {
    let result: R;
    try {
      result = mutate(this.#low.data);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<R>((resolve, reject) => {
      this.#waiting.push({ resolve: () => resolve(result), reject });
      this.#schedule();
    });
  }

  async flush(): Promise<void> {
    for (;;) {
      if (this.#waiting.length > 0 || (this.#unsaved && this.#draining === undefined)) {
        // Ride along with the next write (or start one to retry a failed write).
        await new Promise<void>((resolve, reject) => {
          this.#waiting.push({ resolve, reject });
          this.#schedule();
        });
      } else if (this.#draining !== undefined) {
        await this.#draining;
      } else {
        return;
      }
    }
  }

  #schedule(): void {
    if (this.#draining === undefined) this.#draining = this.#drain();
  }

  async #drain(): Promise<void> {
    // Let updates made in the same tick join the first write.
    await Promise.resolve();
    while (this.#waiting.length > 0) {
      const batch = this.#waiting;
      this.#waiting = [];
      this.#unsaved = false;
      try {
        await this.#low.write();
        for (const waiter of batch) waiter.resolve();
      } catch (error) {
        // The changes stay in memory; the next write (next update or flush) carries them again.
        this.#unsaved = true;
        for (const waiter of batch) waiter.reject(error);
      }
    }
    this.#draining = undefined;
  }
}

/** The document at `file`, validated, or undefined when it does not exist; never writes. */
export async function readDocument<T>(file: string, schema: z.ZodType<T>): Promise<T | undefined> {
  const data = await new DurableJsonAdapter(path.resolve(file), schema).read();
  return data ?? undefined;
}

/**
 * Opens the JSON document at `file`. A missing file is created from `init()`; an existing one must
 * parse and match `schema`, or a 'corrupt' StorageError is thrown (it is never replaced by defaults).
 * The caller must hold the data directory lock.
 */
export async function openDocument<T>(
  file: string,
  schema: z.ZodType<T>,
  init: () => T,
  /** What `readDocument` already read (null: it does not exist), so the file is not read twice. */
  preloaded?: T | null,
): Promise<DocumentStore<T>> {
  const absolute = path.resolve(file);
  const adapter = new DurableJsonAdapter(absolute, schema);
  await removeStaleTempFiles(absolute);
  // A document is a JSON object, never a thenable, so awaiting it leaves its type unchanged.
  let data = preloaded !== undefined ? preloaded : ((await adapter.read()) as T | null);
  if (data === null) {
    const initial = schema.safeParse(init());
    if (!initial.success) {
      throw new Error(
        `The initial content for ${absolute} does not match its schema: ${describeSchemaIssue(initial.error)}`,
      );
    }
    data = initial.data;
    try {
      await fs.mkdir(path.dirname(absolute), { recursive: true });
      await adapter.write(data);
    } catch (error) {
      throw error instanceof StorageError ? error : unreadableFileError(absolute, error);
    }
  }
  return new GroupCommitDocument(new Low<T>(adapter, data));
}
