// Specification of the data directory lock: one server per data directory, and a dead holder's
// lock is free at once, whatever it left in the lock file.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import {
  acquireDataDirLock,
  LOCK_FILE_NAME,
} from '../../../../server/store/embedded/data-dir-lock';
import { StorageError } from '../../../../server/store/embedded/errors';
import { ROOT } from '../../../support/server-process';

const HOLDER = path.join(ROOT, 'test/support/hold-data-dir-lock.ts');

async function tempDir(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hdotp-'));
  onTestFinished(() => fs.rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A pid no process has: above Linux's pid_max, checked to be sure. */
function deadPid(): number {
  for (let pid = 2 ** 22 + 12345; ; pid += 1) {
    try {
      process.kill(pid, 0);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') return pid;
    }
  }
}

async function expectLocked(promise: Promise<unknown>): Promise<StorageError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StorageError);
  expect((error as StorageError).code).toBe('locked');
  return error as StorageError;
}

async function readOwner(dir: string): Promise<{ pid: number; host: string; startedAt: string }> {
  return JSON.parse(await fs.readFile(path.join(dir, LOCK_FILE_NAME), 'utf8'));
}

interface Started {
  child: ChildProcess;
  /** Everything the process printed so far. */
  output: () => string;
  /** Resolves once `pattern` appears in the output; rejects if the process exits first. */
  printed: (pattern: RegExp) => Promise<RegExpExecArray>;
  exited: Promise<number | null>;
}

function start(args: string[]): Started {
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let output = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const printed = (pattern: RegExp) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const check = () => {
        const match = pattern.exec(output);
        if (match) resolve(match);
      };
      listeners.add(check);
      check();
      void exited.then(() => reject(new Error(`exited before printing ${pattern}:\n${output}`)));
    });
  return { child, output: () => output, printed, exited };
}

/** Another process that takes the lock of `dir` and keeps it. */
async function holdInAnotherProcess(dir: string): Promise<Started> {
  const holder = start(['--import', 'tsx', HOLDER, dir]);
  await holder.printed(/^locked$/m);
  return holder;
}

/**
 * A holder whose parent never reaps it, so that once killed it stays a zombie — as a server
 * killed under `npm run server` or in a container does until init gets to it. The parent blocks
 * its event loop for good; its child shares our pipes and prints "locked" there.
 */
async function holdUnderANonReapingParent(dir: string): Promise<{ holderPid: number }> {
  const parent = start([
    '-e',
    `const holder = require('node:child_process').spawn(process.execPath,
       ['--import', 'tsx', ${JSON.stringify(HOLDER)}, ${JSON.stringify(dir)}], { stdio: 'inherit' });
     console.log('holder pid ' + holder.pid);
     Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);`,
  ]);
  const [, pid] = await parent.printed(/^holder pid (\d+)$/m);
  const holderPid = Number(pid);
  onTestFinished(async () => {
    const state = await processState(holderPid);
    if (state !== undefined && state !== 'Z') process.kill(holderPid, 'SIGKILL');
  });
  await parent.printed(/^locked$/m);
  return { holderPid };
}

/** The process state letter from /proc (R, S, Z, …), or undefined once it is reaped. */
async function processState(pid: number): Promise<string | undefined> {
  try {
    const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8');
    return /\) (\S)/.exec(stat)?.[1];
  } catch {
    return undefined;
  }
}

/**
 * Waits until a killed process has died — every thread gone, so the kernel has closed its files —
 * whether or not it has been reaped. Its main thread alone shows 'Z' while other threads are
 * still on their way out.
 */
async function untilDead(pid: number): Promise<void> {
  for (;;) {
    const state = await processState(pid);
    if (state === undefined) return;
    const threads = await fs.readdir(`/proc/${pid}/task`).catch(() => []);
    if (state === 'Z' && threads.length <= 1) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('acquireDataDirLock', () => {
  it('creates the data directory and a lock file naming this process', async () => {
    const dir = path.join(await tempDir(), 'nested', 'data');
    const lock = await acquireDataDirLock(dir);
    const owner = await readOwner(dir);
    expect(owner).toMatchObject({ pid: process.pid, host: os.hostname() });
    expect(Number.isNaN(Date.parse(owner.startedAt))).toBe(false);
    await lock.release();
  });

  it('refuses a second acquire in the same process, naming the directory', async () => {
    const dir = await tempDir();
    const lock = await acquireDataDirLock(dir);
    const error = await expectLocked(acquireDataDirLock(dir));
    expect(error.message).toContain('This process already holds');
    expect(error.message).toContain(dir);
    await lock.release();
  });

  it('refuses one of two acquires started together in the same process', async () => {
    const dir = await tempDir();
    const results = await Promise.allSettled([acquireDataDirLock(dir), acquireDataDirLock(dir)]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    for (const result of results) if (result.status === 'fulfilled') await result.value.release();
  });

  it('refuses a directory held by another process, naming its pid, host and start, and how to proceed', async () => {
    const dir = await tempDir();
    const holder = await holdInAnotherProcess(dir);
    const error = await expectLocked(acquireDataDirLock(dir));
    const owner = await readOwner(dir);
    expect(error.message).toContain(
      `Another server (pid ${holder.child.pid} on host ${os.hostname()}`,
    );
    expect(error.message).toContain(owner.startedAt);
    expect(error.message).toContain(dir);
    expect(error.message).toContain('--data');
    // The lock is never stale, so there is no advice to delete it.
    expect(error.message).not.toMatch(/delete/i);
  });

  it('refuses another process while this one holds the directory, naming this pid', async () => {
    const dir = await tempDir();
    const lock = await acquireDataDirLock(dir);
    const second = start(['--import', 'tsx', HOLDER, dir]);
    expect(await second.exited).toBe(1);
    expect(second.output()).toContain(`Another server (pid ${process.pid} on host`);
    await lock.release();
  });

  it('is free at once after its holder is killed with SIGKILL, while the holder is still a zombie, without deleting the lock file', async () => {
    const dir = await tempDir();
    const lockFile = path.join(dir, LOCK_FILE_NAME);
    for (let round = 1; round <= 5; round += 1) {
      const { holderPid } = await holdUnderANonReapingParent(dir);
      expect((await expectLocked(acquireDataDirLock(dir))).message).toContain(`pid ${holderPid}`);
      const { ino } = await fs.stat(lockFile);

      process.kill(holderPid, 'SIGKILL');
      await untilDead(holderPid);
      // Not reaped: the kind of process a pid check takes for a live owner.
      expect(await processState(holderPid)).toBe('Z');
      const lock = await acquireDataDirLock(dir); // one attempt, no waiting

      expect((await readOwner(dir)).pid).toBe(process.pid);
      expect((await fs.stat(lockFile)).ino).toBe(ino);
      await lock.release();
    }
  });

  it.each([
    ['another host', () => ({ pid: process.ppid, host: `${os.hostname()}-old-container` })],
    ['a process that is no longer running', () => ({ pid: deadPid(), host: os.hostname() })],
    ['a running process that is not a server', () => ({ pid: process.ppid, host: os.hostname() })],
    ['this pid, reused after a crash', () => ({ pid: process.pid, host: os.hostname() })],
  ])('takes at once a lock file left by %s', async (_, left) => {
    const dir = await tempDir();
    const earlier = { ...left(), startedAt: '2024-05-01T08:00:00.000Z' };
    await fs.writeFile(path.join(dir, LOCK_FILE_NAME), JSON.stringify(earlier));
    const lock = await acquireDataDirLock(dir);
    const owner = await readOwner(dir);
    expect(owner).toMatchObject({ pid: process.pid, host: os.hostname() });
    expect(owner.startedAt).not.toBe(earlier.startedAt);
    await lock.release();
  });

  it.each([
    ['empty', ''],
    ['garbage', '\0\0\0{"pid": oops'],
    [
      'longer than the new record',
      `${JSON.stringify({ pid: 1, host: 'h'.repeat(500), startedAt: '' })}`,
    ],
  ])('takes at once a lock file that is %s, leaving only its own record', async (_, content) => {
    const dir = await tempDir();
    await fs.writeFile(path.join(dir, LOCK_FILE_NAME), content);
    const lock = await acquireDataDirLock(dir);
    expect((await readOwner(dir)).pid).toBe(process.pid);
    await lock.release();
  });

  it('keeps the lock file on release, after which this or another process can acquire it', async () => {
    const dir = await tempDir();
    const lockFile = path.join(dir, LOCK_FILE_NAME);
    const lock = await acquireDataDirLock(dir);
    const { ino } = await fs.stat(lockFile);
    await lock.release();
    expect((await fs.stat(lockFile)).ino).toBe(ino);

    const again = await acquireDataDirLock(dir);
    await lock.release(); // a second release of the first lock is harmless…
    await expectLocked(acquireDataDirLock(dir)); // …and does not release the second one
    await again.release();

    const other = await holdInAnotherProcess(dir);
    expect((await readOwner(dir)).pid).toBe(other.child.pid);
  });

  it('fails with one clear message when fs-ext cannot be loaded', async () => {
    const dir = await tempDir();
    // A preload that makes `require('fs-ext')` fail as it does when the addon was never built.
    const withoutFsExt =
      'data:text/javascript,import Module from "node:module";' +
      'const resolve = Module._resolveFilename;' +
      'Module._resolveFilename = function (request, ...rest) {' +
      '  if (request === "fs-ext") throw Object.assign(new Error("Cannot find module \'fs-ext\'"), { code: "MODULE_NOT_FOUND" });' +
      '  return resolve.call(this, request, ...rest);' +
      '};';
    const holder = start(['--import', withoutFsExt, '--import', 'tsx', HOLDER, dir]);
    expect(await holder.exited).toBe(1);
    expect(holder.output()).toContain('The data-dir lock needs flock from the fs-ext package');
    expect(holder.output()).toContain('npm rebuild fs-ext');
  });
});
