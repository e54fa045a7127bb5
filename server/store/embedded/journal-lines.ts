// A journal's lines by byte position: a scan that hands over each line with where it starts (giving
// the event loop a turn between chunks), and a read of chosen lines, for indexes that keep only positions.
import fs from 'node:fs/promises';
import { unreadableFileError } from './errors';

/** Small enough that indexing one chunk's lines keeps the event loop free within milliseconds. */
const CHUNK_BYTES = 64 * 1024;
const NEWLINE = 0x0a;
/** Adjacent lines are read together up to this many bytes. */
const RUN_BYTES = 1024 * 1024;

/** Lets timers, sockets and other callers run before the next slice of work. */
export const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Where a line is: its first byte and its length without the newline. */
export interface LineSpan {
  offset: number;
  length: number;
}

/**
 * Calls `onLine` for every complete line in bytes [0, end) of the file, in order, with its bytes
 * (valid only during the call), its first byte and its 1-based number. Reads a chunk at a time and
 * yields to the event loop between chunks; stops early when `stopped()` says so.
 */
export async function scanLines(
  file: string,
  end: number,
  onLine: (bytes: Buffer, offset: number, line: number) => void,
  stopped: () => boolean = () => false,
): Promise<void> {
  if (end === 0) return;
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, 'r');
  } catch (error) {
    throw unreadableFileError(file, error);
  }
  try {
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    let position = 0;
    let line = 0;
    let carry: Buffer | undefined;
    let carryOffset = 0;
    while (position < end && !stopped()) {
      let bytesRead: number;
      try {
        ({ bytesRead } = await handle.read(
          buffer,
          0,
          Math.min(buffer.length, end - position),
          position,
        ));
      } catch (error) {
        throw unreadableFileError(file, error);
      }
      if (bytesRead === 0) break;
      const chunk = buffer.subarray(0, bytesRead);
      let start = 0;
      for (let at = chunk.indexOf(NEWLINE); at !== -1; at = chunk.indexOf(NEWLINE, start)) {
        line += 1;
        if (carry !== undefined) {
          onLine(Buffer.concat([carry, chunk.subarray(0, at)]), carryOffset, line);
          carry = undefined;
        } else onLine(chunk.subarray(start, at), position + start, line);
        start = at + 1;
      }
      if (start < chunk.length) {
        // Copied: `buffer` is reused for the next read.
        const rest = Buffer.from(chunk.subarray(start));
        if (carry === undefined) carryOffset = position + start;
        carry = carry === undefined ? rest : Buffer.concat([carry, rest]);
      }
      position += bytesRead;
      await nextTurn();
    }
  } finally {
    await handle.close();
  }
}

/**
 * The text of each span, in the order given. They are read in file order, and spans that follow
 * each other in the file are read together (an export of a long run is a few large reads, a page
 * of rows a few small ones).
 */
export async function readLines(file: string, spans: readonly LineSpan[]): Promise<string[]> {
  if (spans.length === 0) return [];
  const order = spans.map((_, i) => i).sort((a, b) => spans[a]!.offset - spans[b]!.offset);
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, 'r');
  } catch (error) {
    throw unreadableFileError(file, error);
  }
  try {
    const texts = new Array<string>(spans.length);
    for (let i = 0; i < order.length;) {
      const first = spans[order[i]!]!;
      let j = i + 1;
      let runEnd = first.offset + first.length + 1;
      while (j < order.length) {
        const next = spans[order[j]!]!;
        if (next.offset !== runEnd || next.offset + next.length + 1 - first.offset > RUN_BYTES)
          break;
        runEnd = next.offset + next.length + 1;
        j += 1;
      }
      const bytes = Buffer.allocUnsafe(runEnd - first.offset);
      let done = 0;
      while (done < bytes.length) {
        const { bytesRead } = await handle.read(
          bytes,
          done,
          bytes.length - done,
          first.offset + done,
        );
        if (bytesRead === 0)
          throw unreadableFileError(file, new Error('the file is shorter than its index'));
        done += bytesRead;
      }
      for (let k = i; k < j; k += 1) {
        const span = spans[order[k]!]!;
        const at = span.offset - first.offset;
        texts[order[k]!] = bytes.toString('utf8', at, at + span.length);
      }
      i = j;
    }
    return texts;
  } finally {
    await handle.close();
  }
}
