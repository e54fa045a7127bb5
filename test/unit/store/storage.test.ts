// Opening the whole embedded store: first run, keys, and settling a close interrupted by a crash.
import { appendFile, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HelpRequest } from '../../../server/domain/help-request';
import { openStorage } from '../../../server/store/storage';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'hdotp-storage-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
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
  origin: { ip: '127.0.0.1', userAgent: 'test' },
  state: 'queued',
});

describe('openStorage', () => {
  it('says when it created the realm, and generates keys readable by the owner only', async () => {
    const first = await openStorage(dir);
    expect(first.firstRun).toBe(true);
    expect(first.keys.data.otpKey).toMatch(/^[0-9a-f]{64}$/);
    const key = first.keys.data.otpKey;
    await first.close();
    expect((await stat(path.join(dir, 'keys.json'))).mode & 0o077).toBe(0);
    const second = await openStorage(dir);
    expect(second.firstRun).toBe(false);
    expect(second.keys.data.otpKey).toBe(key);
    await second.close();
  });

  it('drops from the open document a request the journal shows closed (crash between the two writes)', async () => {
    const storage = await openStorage(dir);
    await storage.requests.put(openRequest('r'.repeat(22)));
    await storage.requests.put(openRequest('s'.repeat(22)));
    await storage.close();
    const closed = {
      ...openRequest('r'.repeat(22)),
      state: 'cancelled',
      closedAt: 2,
      closedReason: 'x',
    };
    await appendFile(path.join(dir, 'closed-requests.jsonl'), `${JSON.stringify(closed)}\n`);

    const reopened = await openStorage(dir);
    expect(reopened.requests.all.map((r) => r.id)).toEqual(['s'.repeat(22)]);
    await reopened.close();
  });
});
