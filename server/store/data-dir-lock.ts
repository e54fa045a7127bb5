// Ensures one server process owns a data directory, via an exclusive `server.lock` file.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { describeSystemError, errnoCode, StorageError } from './errors';

export const LOCK_FILE_NAME = 'server.lock';

const LockOwnerSchema = z.object({
  pid: z.number().int().positive(),
  host: z.string(),
  startedAt: z.string(),
});
type LockOwner = z.infer<typeof LockOwnerSchema>;

export interface DataDirLock {
  /** Removes the lock file if it is still ours. Safe to call more than once. */
  release(): Promise<void>;
}

/** Lock files this process holds, so a second acquire in the same process is refused too. */
const heldByThisProcess = new Set<string>();

const MAX_ATTEMPTS = 5;
/** How long a lock file may stay empty or half-written before it counts as left by a crash. */
const UNREADABLE_LOCK_GRACE_MS = 2_000;

export async function acquireDataDirLock(dir: string): Promise<DataDirLock> {
  const dataDir = path.resolve(dir);
  const lockFile = path.join(dataDir, LOCK_FILE_NAME);
  try {
    await fs.mkdir(dataDir, { recursive: true });
  } catch (error) {
    throw new StorageError(
      'unreadable',
      dataDir,
      `Cannot create the data directory ${dataDir}: ${describeSystemError(error)}. ` +
        'Check the path and its permissions, or start the server with a different --data.',
      { cause: error },
    );
  }
  if (heldByThisProcess.has(lockFile)) {
    throw new StorageError(
      'locked',
      dataDir,
      `This process already holds the data directory ${dataDir}. Release it before acquiring it again.`,
    );
  }

  const owner: LockOwner = {
    pid: process.pid,
    host: os.hostname(),
    startedAt: new Date().toISOString(),
  };
  const content = JSON.stringify(owner);

  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
    if (await tryCreateLockFile(lockFile, dataDir, content)) {
      heldByThisProcess.add(lockFile);
      return { release: () => releaseLock(lockFile, content) };
    }
    const existing = await readLockFile(lockFile);
    if (existing === 'missing') continue; // the other owner released it meanwhile
    if (existing.kind === 'unparseable') {
      const ageMs = Date.now() - existing.mtimeMs;
      if (ageMs > -UNREADABLE_LOCK_GRACE_MS && ageMs < UNREADABLE_LOCK_GRACE_MS) {
        // Another server may be between creating the file and writing its owner record; this wait
        // does not use up an attempt, and ends because the file's age only grows.
        await delay(100);
        attempt -= 1;
        continue;
      }
    } else {
      assertOwnerIsGone(existing.owner, dataDir, lockFile);
    }
    await removeStaleLock(lockFile, existing.raw);
  }
  throw new StorageError(
    'locked',
    dataDir,
    `Could not take the data directory ${dataDir}: its lock file ${lockFile} kept changing ` +
      '(another server is starting at the same time?). Stop the other server, or start this one with a different --data.',
  );
}

async function tryCreateLockFile(
  lockFile: string,
  dataDir: string,
  content: string,
): Promise<boolean> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(lockFile, 'wx', 0o644);
  } catch (error) {
    if (errnoCode(error) === 'EEXIST') return false;
    throw new StorageError(
      'unreadable',
      dataDir,
      `Cannot create the lock file ${lockFile}: ${describeSystemError(error)}. ` +
        'Check the permissions of the data directory, or start the server with a different --data.',
      { cause: error },
    );
  }
  try {
    await handle.writeFile(content, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  return true;
}

type ExistingLock =
  | { kind: 'owned'; owner: LockOwner; raw: string }
  | { kind: 'unparseable'; raw: string; mtimeMs: number };

async function readLockFile(lockFile: string): Promise<ExistingLock | 'missing'> {
  let raw: string;
  let mtimeMs: number;
  try {
    [raw, { mtimeMs }] = await Promise.all([fs.readFile(lockFile, 'utf8'), fs.stat(lockFile)]);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return 'missing';
    throw new StorageError(
      'unreadable',
      lockFile,
      `Cannot read the lock file ${lockFile}: ${describeSystemError(error)}. Check its permissions.`,
      { cause: error },
    );
  }
  try {
    const owner = LockOwnerSchema.parse(JSON.parse(raw));
    return { kind: 'owned', owner, raw };
  } catch {
    return { kind: 'unparseable', raw, mtimeMs };
  }
}

/** Throws 'locked' unless the lock's owner is known to be gone (dead pid on this host, or our own pid). */
function assertOwnerIsGone(owner: LockOwner, dataDir: string, lockFile: string): void {
  const started = `started ${owner.startedAt}`;
  if (owner.host !== os.hostname()) {
    throw new StorageError(
      'locked',
      dataDir,
      `Another server (pid ${owner.pid} on host ${owner.host}, ${started}) is using the data directory ${dataDir}. ` +
        `Stop it first, or start this one with a different --data. If that server is certainly not running, delete ${lockFile}.`,
    );
  }
  // Our own pid in a lock we do not hold: left by an earlier run that had the same pid (e.g. pid 1 in a container).
  if (owner.pid === process.pid) return;
  if (isProcessAlive(owner.pid)) {
    throw new StorageError(
      'locked',
      dataDir,
      `Another server (pid ${owner.pid}, ${started}) is using the data directory ${dataDir}. ` +
        `Stop it first, or start this one with a different --data. If no server is running, delete ${lockFile}.`,
    );
  }
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return errnoCode(error) !== 'ESRCH';
  }
}

/** Deletes a stale lock, but only if it still holds the content we judged stale. */
async function removeStaleLock(lockFile: string, staleContent: string): Promise<void> {
  const now = await fs.readFile(lockFile, 'utf8').catch(() => undefined);
  if (now !== staleContent) return;
  await fs.rm(lockFile, { force: true });
}

async function releaseLock(lockFile: string, content: string): Promise<void> {
  if (!heldByThisProcess.has(lockFile)) return;
  heldByThisProcess.delete(lockFile);
  const now = await fs.readFile(lockFile, 'utf8').catch(() => undefined);
  if (now === content) await fs.rm(lockFile, { force: true });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
