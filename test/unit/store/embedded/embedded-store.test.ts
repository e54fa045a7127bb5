// Opening the whole embedded store: first run, keys, recovery from the log after a crash, and refusing damage.
import { createHash } from 'node:crypto';
import { cp, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HelpRequest } from '../../../../server/domain/help-request';
import { verifyAuditLog } from '../../../../server/store/embedded/audit-journal';
import { StorageError } from '../../../../server/store/embedded/errors';
import { openEmbeddedStore } from '../../../../server/store/embedded/embedded-store';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'hdotp-storage-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const closedRequest = (id: string): HelpRequest => ({
  ...openRequest(id),
  state: 'cancelled',
  closedAt: 2,
  closedReason: 'Cancelled by the user.',
});

const openRequest = (id: string): HelpRequest => ({
  id,
  reference: 'ABC-123',
  desk: '1',
  username: 'jsmith',
  displayName: 'Jane',
  inDirectory: true,
  sessionHash: 'a'.repeat(64),
  createdAt: 1,
  updatedAt: 1,
  expiresAt: 10,
  verification: [],
  failedAttempts: 0,
  riskSignals: [],
  origin: { ip: '127.0.0.1', userAgent: 'test' },
  state: 'queued',
});

describe('openEmbeddedStore', () => {
  it('says when it created the realm, and generates keys readable by the owner only', async () => {
    const first = await openEmbeddedStore(dir);
    expect(first.firstRun).toBe(true);
    expect(first.keys.otpKey).toMatch(/^[0-9a-f]{64}$/);
    const key = first.keys.otpKey;
    await first.close();
    expect((await stat(path.join(dir, 'keys.json'))).mode & 0o077).toBe(0);
    const second = await openEmbeddedStore(dir);
    expect(second.firstRun).toBe(false);
    expect(second.keys.otpKey).toBe(key);
    await second.close();
  });

  it('recovers audit entries and closed requests whose journal writes a crash cut off, from the log', async () => {
    const store = await openEmbeddedStore(dir);
    const before = store.audit.lastSeq;
    await store.requests.commit(openRequest('r'.repeat(22)), {
      actor: 'user:jsmith',
      action: 'request.submitted',
      requestId: 'r'.repeat(22),
    });
    await store.requests.commit(closedRequest('r'.repeat(22)), {
      actor: 'user:jsmith',
      action: 'request.cancelled',
      requestId: 'r'.repeat(22),
      details: { from: 'queued', to: 'cancelled' },
    });
    // The process dies now; as if the journals' page cache never reached the disk, cut them back
    // to what they held before these two changes (the log lines are fsync'd before any ack).
    const crashed = await copyDataDir(dir);
    await truncateLines(path.join(crashed, 'audit.jsonl'), before);
    await truncateLines(path.join(crashed, 'closed-requests.jsonl'), 0);
    await store.close();

    const reopened = await openEmbeddedStore(crashed);
    expect(reopened.requests.get('r'.repeat(22))).toBeUndefined();
    expect(reopened.health().closedRequests).toBe(1);
    expect(reopened.audit.lastSeq).toBe(before + 2);
    await reopened.close();
    const verified = await verifyAuditLog(path.join(crashed, 'audit.jsonl'));
    expect(verified).toMatchObject({ ok: true, entries: before + 2 });
    const closedLines = (await readFile(path.join(crashed, 'closed-requests.jsonl'), 'utf8'))
      .trim()
      .split('\n');
    expect(closedLines.map((l) => JSON.parse(l).state)).toEqual(['cancelled']);
    await rm(crashed, { recursive: true, force: true });
  });

  it('refuses an audit log emptied after the data dir had history, naming it, and writes nothing', async () => {
    const store = await openEmbeddedStore(dir);
    await store.audit.record({ actor: 'system', action: 'test.history' });
    await store.close();
    await writeFile(path.join(dir, 'audit.jsonl'), '');
    const before = await snapshot(dir);
    const error = await openEmbeddedStore(dir).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).code).toBe('corrupt');
    expect((error as StorageError).file).toBe(path.join(dir, 'audit.jsonl'));
    expect((error as Error).message).toMatch(/empty/);
    expect(await snapshot(dir)).toEqual(before);
  });

  it('refuses a data dir whose log lost lines the audit journal already holds', async () => {
    const store = await openEmbeddedStore(dir);
    await store.audit.record({ actor: 'system', action: 'test.history' });
    const crashed = await copyDataDir(dir);
    await store.close();
    const [log] = (await readdir(crashed)).filter((f) => f.startsWith('requests-wal-'));
    await writeFile(path.join(crashed, log!), '');
    await expect(openEmbeddedStore(crashed)).rejects.toThrow(/log lines were lost/);
    await rm(crashed, { recursive: true, force: true });
  });

  it('refuses to start over when realm.json is gone from a data dir with history', async () => {
    const store = await openEmbeddedStore(dir);
    await store.audit.record({ actor: 'system', action: 'test.history' });
    await store.close();
    await rm(path.join(dir, 'realm.json'));
    await expect(openEmbeddedStore(dir)).rejects.toThrow(/realm\.json is missing/);
  });

  it('refuses a data dir missing one of its documents once the realm exists', async () => {
    const store = await openEmbeddedStore(dir);
    await store.close();
    await rm(path.join(dir, 'persistent-tokens.json'));
    const before = await snapshot(dir);
    await expect(openEmbeddedStore(dir)).rejects.toThrow(/persistent-tokens\.json is missing/);
    expect(await snapshot(dir)).toEqual(before);
  });
});

async function copyDataDir(from: string): Promise<string> {
  const to = await mkdtemp(path.join(tmpdir(), 'hdotp-storage-copy-'));
  await cp(from, to, { recursive: true });
  await rm(path.join(to, 'server.lock'), { force: true });
  return to;
}

/** Keeps the first `keep` lines of a JSONL file. */
async function truncateLines(file: string, keep: number): Promise<void> {
  const lines = (await readFile(file, 'utf8')).split('\n').filter(Boolean);
  await writeFile(
    file,
    lines
      .slice(0, keep)
      .map((l) => `${l}\n`)
      .join(''),
  );
}

/** Every file's name and content digest, but the lock. */
async function snapshot(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of (await readdir(root)).sort()) {
    if (name === 'server.lock') continue;
    out[name] = createHash('sha256')
      .update(await readFile(path.join(root, name)))
      .digest('hex');
  }
  return out;
}
