// What a data dir holds, for tests that must prove a start-up changed nothing or read the journals directly.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/** The lock is the one file a refused start may touch (it is the process's, not the data's). */
const NOT_DATA = new Set(['server.lock']);

/** Every file below `dir` (relative path, `/`-separated) with the sha256 of its bytes, sorted by path. */
export async function snapshotDataDir(dir: string): Promise<Record<string, string>> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .filter((name) => !NOT_DATA.has(name))
    .sort();
  const snapshot: Record<string, string> = {};
  for (const name of files) {
    const bytes = await readFile(path.join(dir, name));
    snapshot[name.split(path.sep).join('/')] = createHash('sha256').update(bytes).digest('hex');
  }
  return snapshot;
}

/**
 * The complete lines of a JSONL journal, parsed; an unfinished last line (no newline yet) is
 * left out, and a missing file reads as empty.
 */
export async function readJsonLines<T>(file: string): Promise<T[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const lines = text.split('\n');
  lines.pop();
  return lines.map((line) => JSON.parse(line) as T);
}
