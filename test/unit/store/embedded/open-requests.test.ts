// The open-request store: changes logged before they are acknowledged, replayed after a crash,
// folded into checkpoints so neither writes nor start-up grow with the number of changes.
import { appendFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HelpRequest } from '../../../../server/domain/help-request';
import { StorageError } from '../../../../server/store/embedded/errors';
import { openOpenRequests } from '../../../../server/store/embedded/open-requests';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'hdotp-open-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const request = (n: number, state: 'queued' | 'claimed' = 'queued'): HelpRequest => {
  const base = {
    id: `request-${String(n).padStart(16, '0')}`,
    reference: 'ABC-123',
    desk: '1' as const,
    username: `user${n}`,
    displayName: '',
    inDirectory: true,
    sessionHash: 'a'.repeat(64),
    createdAt: n,
    updatedAt: n,
    expiresAt: n + 1000,
    verification: [],
    failedAttempts: 0,
    riskSignals: [],
    origin: { ip: '127.0.0.1', userAgent: 'test' },
  };
  return state === 'queued'
    ? { ...base, state }
    : { ...base, state, claimedBy: { id: 'a1', username: 'alice' } };
};

const logs = async () => (await readdir(dir)).filter((f) => f.startsWith('requests-wal-'));

describe('the open-request store', () => {
  it('replays acknowledged changes after a crash (no close, no checkpoint)', async () => {
    const store = await openOpenRequests(dir);
    await store.put(request(1));
    await store.put(request(2));
    await store.put(request(1, 'claimed'));
    await store.remove(request(2).id);
    await store.setFailures('user1', [5, 6]);
    // The process dies here: a second store opens the same files.
    const after = await openOpenRequests(dir);
    expect(after.all.map((r) => [r.id, r.state])).toEqual([[request(1).id, 'claimed']]);
    expect(after.userFailures).toEqual({ user1: [5, 6] });
    await after.close();
  });

  it('shows a change at once, in call order, before its write lands', async () => {
    const store = await openOpenRequests(dir);
    const writes = [store.put(request(1)), store.put(request(2)), store.remove(request(1).id)];
    expect(store.all.map((r) => r.id)).toEqual([request(2).id]);
    await Promise.all(writes);
    await store.close();
  });

  it("finds a user's open requests and taken reference codes without scanning", async () => {
    const store = await openOpenRequests(dir);
    await store.put(request(1));
    await store.put({ ...request(2), username: 'user1', reference: 'XYZ-789' });
    expect(store.ofUser('user1').map((r) => r.id)).toEqual([request(1).id, request(2).id]);
    expect(store.hasReference('XYZ-789')).toBe(true);
    await store.put({ ...request(2), username: 'user2', reference: 'QQQ-111' });
    await store.remove(request(1).id);
    expect(store.ofUser('user1')).toEqual([]);
    expect(store.ofUser('user2').map((r) => r.id)).toEqual([request(2).id]);
    expect(store.hasReference('XYZ-789')).toBe(false);
    expect(store.hasReference('ABC-123')).toBe(false);
    const reopened = await openOpenRequests(dir);
    expect(reopened.hasReference('QQQ-111')).toBe(true);
    await reopened.close();
  });

  it('folds the log into a checkpoint every few thousand changes and keeps only the newest log', async () => {
    const store = await openOpenRequests(dir);
    for (let i = 0; i < 4_500; i++)
      await store.put(request(i % 50, i % 2 === 0 ? 'queued' : 'claimed'));
    expect((await logs()).length).toBeLessThanOrEqual(2);
    const reopened = await openOpenRequests(dir);
    expect(reopened.size).toBe(50);
    expect(reopened.get(request(49).id)?.state).toBe('claimed');
    await reopened.close();
  });

  it('starts from a clean checkpoint and removes the logs it replayed', async () => {
    const store = await openOpenRequests(dir);
    await store.put(request(1));
    const reopened = await openOpenRequests(dir);
    expect(reopened.size).toBe(1);
    expect(await logs()).toHaveLength(1);
    await reopened.close();
    expect(await logs()).toHaveLength(0);
  });

  it('refuses to start on a corrupt log line, naming the file', async () => {
    const store = await openOpenRequests(dir);
    await store.put(request(1));
    const [log] = await logs();
    await appendFile(path.join(dir, log!), '{"seq":2,"op":"put","request":{"id":5}}\n');
    const opening = openOpenRequests(dir);
    await expect(opening).rejects.toBeInstanceOf(StorageError);
    await expect(opening).rejects.toThrow(log!);
  });
});
