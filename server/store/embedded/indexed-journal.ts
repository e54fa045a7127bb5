// A journal that tells an index where each appended record lands, once it is on disk, so the index
// can read it back by position later without keeping it.
import type { Journal } from './journal';
import type { LineSpan } from './journal-lines';

/** What follows a journal's appends. */
export interface AppendListener<T> {
  /** The record is on disk at `span`; called in append order. */
  appended(record: T, span: LineSpan): void;
  /** An append failed: the file and the positions no longer agree. */
  failed(error: Error): void;
}

/**
 * Wraps `journal`, whose file holds `size` bytes now (complete lines only): each record appended
 * through the wrapper is reported with its byte position once its append resolves. The journal
 * writes records in call order as `JSON.stringify(record)` and a newline, so positions are known
 * when the call is made.
 */
export function indexedJournal<T>(
  journal: Journal<T>,
  size: number,
  listener: AppendListener<T>,
): Journal<T> {
  let next = size;
  return {
    append(records: T[] | T): Promise<void> {
      const list = Array.isArray(records) ? records : [records];
      const spans = list.map((record) => {
        const length = Buffer.byteLength(JSON.stringify(record), 'utf8');
        const span = { offset: next, length };
        next += length + 1;
        return span;
      });
      return journal.append(list).then(
        () => list.forEach((record, i) => listener.appended(record, spans[i]!)),
        (error: unknown) => {
          listener.failed(
            new Error(
              `An append failed (${String(error)}), so the index no longer matches the file; restart the server.`,
              { cause: error },
            ),
          );
          throw error;
        },
      );
    },
    get count() {
      return journal.count;
    },
    get last() {
      return journal.last;
    },
    flush: () => journal.flush(),
    sync: () => journal.sync(),
    close: () => journal.close(),
  };
}
