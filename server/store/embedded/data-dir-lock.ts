// Ensures one server process owns a data directory, with an OS lock (flock) on its `server.lock`.
//
// The kernel drops a flock when its holder's last descriptor closes, which happens as a process
// dies however it dies (SIGKILL, OOM kill, crash; a power cut or a recreated container loses it
// too), before the process is even reaped. So the lock cannot go stale: nothing judges pids or
// host names, and nobody ever deletes the file. The owner record written into the file only
// names the holder in the refusal message.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { flock as FlockFunction } from 'fs-ext';
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
  /** Unlocks and closes the lock file (which stays, see above). Safe to call more than once. */
  release(): Promise<void>;
}

/** Lock files this process holds, so a second acquire in the same process is refused too. */
const heldByThisProcess = new Set<string>();

/** How long to wait for a holder that has just taken the lock to write its owner record. */
const OWNER_RECORD_WAIT_MS = 1_000;

// Raw descriptors, not FileHandles: a FileHandle that is garbage-collected is closed, which
// would silently drop the lock of a running server. libuv opens every file O_CLOEXEC, so a child
// process the server starts never inherits (and so never outlives us holding) the lock.
const open = promisify(fs.open);
const close = promisify(fs.close);
const ftruncate = promisify(fs.ftruncate);
const fsync = promisify(fs.fsync);
const write = (fd: number, text: string) =>
  new Promise<void>((resolve, reject) =>
    fs.write(fd, text, 0, 'utf8', (error) => (error ? reject(error) : resolve())),
  );

export async function acquireDataDirLock(dir: string): Promise<DataDirLock> {
  const dataDir = path.resolve(dir);
  const lockFile = path.join(dataDir, LOCK_FILE_NAME);
  try {
    await fs.promises.mkdir(dataDir, { recursive: true });
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
  // Reserved before the first await, so two acquires racing in this process meet the check above.
  heldByThisProcess.add(lockFile);
  try {
    return await lockAndRecordOwner(dataDir, lockFile);
  } catch (error) {
    heldByThisProcess.delete(lockFile);
    throw error;
  }
}

async function lockAndRecordOwner(dataDir: string, lockFile: string): Promise<DataDirLock> {
  const flock = loadFlock(dataDir);
  let fd: number;
  try {
    // Never truncate on open: until we hold the lock, the record in the file is its holder's.
    fd = await open(lockFile, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644);
  } catch (error) {
    throw new StorageError(
      'unreadable',
      dataDir,
      `Cannot open the lock file ${lockFile}: ${describeSystemError(error)}. ` +
        'Check the permissions of the data directory and of that file, or start the server with a different --data.',
      { cause: error },
    );
  }
  try {
    await flock(fd, 'exnb');
  } catch (error) {
    await close(fd).catch(() => undefined);
    const code = errnoCode(error);
    if (code === 'EAGAIN' || code === 'EWOULDBLOCK') {
      throw new StorageError(
        'locked',
        dataDir,
        `Another server (${await describeHolder(lockFile)}) is using the data directory ${dataDir}. ` +
          'Stop it first, or start this one with a different --data.',
      );
    }
    throw new StorageError(
      'unreadable',
      dataDir,
      `Cannot lock ${lockFile}: ${describeSystemError(error)}. ` +
        'The data directory must be on a file system that supports flock; start the server with a different --data.',
      { cause: error },
    );
  }

  const owner: LockOwner = {
    pid: process.pid,
    host: os.hostname(),
    startedAt: new Date().toISOString(),
  };
  try {
    await ftruncate(fd, 0);
    await write(fd, JSON.stringify(owner));
    await fsync(fd);
  } catch (error) {
    await close(fd).catch(() => undefined); // closing drops the lock
    throw new StorageError(
      'unreadable',
      dataDir,
      `Cannot write the lock file ${lockFile}: ${describeSystemError(error)}. Check the disk and its permissions.`,
      { cause: error },
    );
  }

  let released: Promise<void> | undefined;
  const release = async () => {
    try {
      await flock(fd, 'un');
    } catch {
      // Closing the descriptor below drops the lock anyway.
    }
    await close(fd).catch(() => undefined);
    heldByThisProcess.delete(lockFile);
  };
  // The file is left in place: deleting it would let a server that is waiting on the old file
  // and a new one that creates a fresh file both think they hold the lock.
  return { release: () => (released ??= release()) };
}

type Flock = (fd: number, flags: 'exnb' | 'un') => Promise<void>;

let loadedFlock: Flock | undefined;

/** fs-ext is a native addon built at install; it is loaded only when a lock is first taken. */
function loadFlock(dataDir: string): Flock {
  if (loadedFlock) return loadedFlock;
  let flock: typeof FlockFunction;
  try {
    flock = (createRequire(import.meta.url)('fs-ext') as { flock: typeof FlockFunction }).flock;
  } catch (error) {
    const reason = describeSystemError(error).split('\n')[0];
    throw new StorageError(
      'unreadable',
      dataDir,
      `The data-dir lock needs flock from the fs-ext package, a native addon built at install, and it cannot be loaded (${reason}). ` +
        'Run `npm rebuild fs-ext` (it needs Python and a C++ compiler), then start the server again.',
      { cause: error },
    );
  }
  loadedFlock = (fd, flags) =>
    new Promise((resolve, reject) =>
      flock(fd, flags, (error) => (error ? reject(error) : resolve())),
    );
  return loadedFlock;
}

/** "pid N on host H, started T" from the holder's record, given a moment to write it. */
async function describeHolder(lockFile: string): Promise<string> {
  const deadline = Date.now() + OWNER_RECORD_WAIT_MS;
  for (;;) {
    const owner = await readOwner(lockFile);
    if (owner) return `pid ${owner.pid} on host ${owner.host}, started ${owner.startedAt}`;
    if (Date.now() >= deadline) return `it has not written its pid into ${lockFile}`;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function readOwner(lockFile: string): Promise<LockOwner | undefined> {
  try {
    return LockOwnerSchema.parse(JSON.parse(await fs.promises.readFile(lockFile, 'utf8')));
  } catch {
    return undefined;
  }
}
