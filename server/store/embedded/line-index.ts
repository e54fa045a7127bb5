// What the journal indexes share: built in the background from the file as it was at open (a chunk
// at a time, so start-up and the live queue do not wait for it), kept current from appends (those
// made while it builds wait their turn), answering once built, and stopped at close.
import type { AppendListener } from './indexed-journal';
import type { LineSpan } from './journal-lines';
import { scanLines } from './journal-lines';

export abstract class LineIndex<T> implements AppendListener<T> {
  readonly #file: string;
  /** Appends reported while the build runs, applied after it in order. */
  #waiting: { record: T; span: LineSpan }[] | undefined = [];
  #failure: Error | undefined;
  #stopped = false;
  readonly #built: Promise<void>;

  /** Starts building from the `size` bytes the file holds now (complete lines). */
  constructor(file: string, size: number) {
    this.#file = file;
    // The first line is indexed after an await, so the subclass's fields are set up by then.
    this.#built = this.#build(size);
    // Answered through `ready()`; a failure here must not be an unhandled rejection.
    this.#built.catch(() => undefined);
  }

  get file(): string {
    return this.#file;
  }

  /** Indexes one line of the file as it was at open; throws a StorageError naming the line if it cannot. */
  protected abstract indexLine(bytes: Buffer, span: LineSpan, line: number): void;
  /** Indexes one record appended since. */
  protected abstract indexRecord(record: T, span: LineSpan): void;
  /** Called once the file as it was at open is indexed (e.g. to give back room grown while building). */
  protected abstract built(): void;

  appended(record: T, span: LineSpan): void {
    if (this.#waiting) this.#waiting.push({ record, span });
    else if (!this.#failure) this.indexRecord(record, span);
  }

  failed(error: Error): void {
    this.#failure ??= error;
  }

  /** Resolves once the index answers; rejects with why it cannot. */
  protected async ready(): Promise<void> {
    await this.#built;
    if (this.#failure) throw this.#failure;
  }

  /** Stops a build still running; nothing is answered after it. */
  async close(): Promise<void> {
    this.#stopped = true;
    this.#failure ??= new Error('The store is closed.');
    await this.#built.catch(() => undefined);
  }

  async #build(size: number): Promise<void> {
    try {
      await scanLines(
        this.#file,
        size,
        (bytes, offset, line) => this.indexLine(bytes, { offset, length: bytes.length }, line),
        () => this.#stopped,
      );
      this.built();
      for (const { record, span } of this.#waiting ?? []) this.indexRecord(record, span);
    } catch (error) {
      this.#failure ??= error instanceof Error ? error : new Error(String(error));
      throw this.#failure;
    } finally {
      this.#waiting = undefined;
    }
  }
}
