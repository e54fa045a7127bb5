// Crash-safe file primitives: atomic durable replace, directory fsync, JSON read with clear errors.
import fs from 'node:fs/promises';
import path from 'node:path';
import { corruptFileError, errnoCode, unreadableFileError } from './errors';

let tempCounter = 0;

/**
 * Replaces `file` with `data` so that after a crash it holds either the old or the new content,
 * never a mix: write a sibling temp file, fsync it, rename it over the target, fsync the directory.
 */
export async function writeFileDurably(file: string, data: string | Uint8Array): Promise<void> {
  tempCounter += 1;
  const temp = `${file}.tmp-${process.pid}-${tempCounter}`;
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(temp, 'w', 0o600);
    await handle.writeFile(data, 'utf8');
    await handle.sync();
    await handle.close();
    handle = undefined;
    await fs.rename(temp, file);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await fs.rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
  await syncDirectory(path.dirname(file));
}

/** Makes a rename or file creation in `dir` durable. */
export async function syncDirectory(dir: string): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(dir, 'r');
    await handle.sync();
  } catch (error) {
    // Windows cannot open or fsync a directory; NTFS journals the rename itself.
    const code = errnoCode(error);
    if (!(
      process.platform === 'win32' &&
      (code === 'EISDIR' || code === 'EPERM' || code === 'EACCES')
    ))
      throw error;
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/** Removes `<file>.tmp-<pid>-<n>` leftovers of writes interrupted by a crash. Caller must own the data dir. */
export async function removeStaleTempFiles(file: string): Promise<void> {
  const dir = path.dirname(file);
  const prefix = `${path.basename(file)}.tmp-`;
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return;
  }
  await Promise.all(
    names
      .filter((name) => name.startsWith(prefix) && /^\d+-\d+$/.test(name.slice(prefix.length)))
      .map((name) => fs.rm(path.join(dir, name), { force: true }).catch(() => undefined)),
  );
}

/** Parsed JSON content of `file`, or undefined if it does not exist. Never returns a default for bad content. */
export async function readJsonFile(file: string): Promise<unknown | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined;
    throw unreadableFileError(file, error);
  }
  return parseJsonText(file, text);
}

/** JSON.parse with the parse error turned into a 'corrupt' StorageError naming the file and position. */
export function parseJsonText(file: string, text: string, line?: number): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const problem =
      error instanceof Error
        ? describeJsonError(error.message, text, line === undefined)
        : String(error);
    throw corruptFileError(
      file,
      problem,
      line === undefined ? { cause: error } : { line, cause: error },
    );
  }
}

/** Rewrites V8's "at position N" as "at line L, column C", which a person can find in an editor. */
function describeJsonError(message: string, text: string, multiline: boolean): string {
  if (text.trim() === '') return 'it is empty (not valid JSON)';
  const match = /^(.*?) in JSON at position (\d+)/s.exec(message);
  if (!match) return message;
  const detail = match[1] ?? message;
  const position = Number(match[2]);
  if (!multiline) return `${detail} at column ${position + 1}`;
  const before = text.slice(0, position);
  const lineNumber = before.split('\n').length;
  const column = position - before.lastIndexOf('\n');
  return `${detail} at line ${lineNumber}, column ${column}`;
}
