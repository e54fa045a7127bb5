// Specification of the data directory lock: one server per data directory, stale locks taken over.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { acquireDataDirLock } from '../../../server/store/data-dir-lock';
import { StorageError } from '../../../server/store/errors';

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

describe('acquireDataDirLock', () => {
  it('creates the data directory and a lock file naming this process', async () => {
    const dir = path.join(await tempDir(), 'nested', 'data');
    const lock = await acquireDataDirLock(dir);
    const owner = JSON.parse(await fs.readFile(path.join(dir, 'server.lock'), 'utf8'));
    expect(owner).toMatchObject({ pid: process.pid, host: os.hostname() });
    expect(Number.isNaN(Date.parse(owner.startedAt))).toBe(false);
    await lock.release();
  });

  it('refuses a second acquire of the same directory, naming the directory', async () => {
    const dir = await tempDir();
    const lock = await acquireDataDirLock(dir);
    const error = await expectLocked(acquireDataDirLock(dir));
    expect(error.message).toContain(dir);
    await lock.release();
  });

  it('refuses a directory locked by another running process, saying how to proceed', async () => {
    const dir = await tempDir();
    const other = { pid: process.ppid, host: os.hostname(), startedAt: '2024-05-01T08:00:00.000Z' };
    await fs.writeFile(path.join(dir, 'server.lock'), JSON.stringify(other));
    const error = await expectLocked(acquireDataDirLock(dir));
    expect(error.message).toContain(`pid ${process.ppid}`);
    expect(error.message).toContain('2024-05-01T08:00:00.000Z');
    expect(error.message).toContain(dir);
    expect(error.message).toContain('--data');
  });

  it('refuses a lock held from another host, whose process it cannot check', async () => {
    const dir = await tempDir();
    const other = {
      pid: deadPid(),
      host: `${os.hostname()}-elsewhere`,
      startedAt: '2024-05-01T08:00:00.000Z',
    };
    await fs.writeFile(path.join(dir, 'server.lock'), JSON.stringify(other));
    const error = await expectLocked(acquireDataDirLock(dir));
    expect(error.message).toContain(`${os.hostname()}-elsewhere`);
  });

  it('takes over a stale lock whose process is no longer running', async () => {
    const dir = await tempDir();
    const stale = { pid: deadPid(), host: os.hostname(), startedAt: '2024-05-01T08:00:00.000Z' };
    await fs.writeFile(path.join(dir, 'server.lock'), JSON.stringify(stale));
    const lock = await acquireDataDirLock(dir);
    const owner = JSON.parse(await fs.readFile(path.join(dir, 'server.lock'), 'utf8'));
    expect(owner.pid).toBe(process.pid);
    await lock.release();
  });

  it('takes over a lock left with this pid by an earlier run (pid reuse after a crash)', async () => {
    const dir = await tempDir();
    const earlier = {
      pid: process.pid,
      host: os.hostname(),
      startedAt: '2024-05-01T08:00:00.000Z',
    };
    await fs.writeFile(path.join(dir, 'server.lock'), JSON.stringify(earlier));
    const lock = await acquireDataDirLock(dir);
    const owner = JSON.parse(await fs.readFile(path.join(dir, 'server.lock'), 'utf8'));
    expect(owner.startedAt).not.toBe(earlier.startedAt);
    await lock.release();
  });

  it('takes over an old empty lock file left by a crash while it was being written', async () => {
    const dir = await tempDir();
    const lockFile = path.join(dir, 'server.lock');
    await fs.writeFile(lockFile, '');
    const longAgo = new Date(Date.now() - 60_000);
    await fs.utimes(lockFile, longAgo, longAgo);
    const lock = await acquireDataDirLock(dir);
    await lock.release();
  });

  it('removes the lock file on release, after which the directory can be acquired again', async () => {
    const dir = await tempDir();
    const lock = await acquireDataDirLock(dir);
    await lock.release();
    await expect(fs.access(path.join(dir, 'server.lock'))).rejects.toThrow();
    const again = await acquireDataDirLock(dir);
    await again.release();
    await lock.release(); // a second release is harmless
  });

  it('does not remove a lock that another server took over meanwhile', async () => {
    const dir = await tempDir();
    const lockFile = path.join(dir, 'server.lock');
    const lock = await acquireDataDirLock(dir);
    const other = JSON.stringify({
      pid: process.ppid,
      host: os.hostname(),
      startedAt: '2024-05-01T08:00:00.000Z',
    });
    await fs.writeFile(lockFile, other);
    await lock.release();
    expect(await fs.readFile(lockFile, 'utf8')).toBe(other);
  });
});
