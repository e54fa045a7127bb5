// The embedded store's history and audit indexes on their own files: appends made while the index
// builds, a damaged line named without stopping start-up, a failed append, lines written with
// their keys in another order, and reading lines back by position.
import { appendFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../../../server/audit/audit-chain';
import { chainEntry } from '../../../../server/audit/audit-chain';
import type { ClosedRequest } from '../../../../server/domain/help-request';
import { AuditIndex } from '../../../../server/store/embedded/audit-index';
import { openEmbeddedStore } from '../../../../server/store/embedded/embedded-store';
import { HistoryIndex } from '../../../../server/store/embedded/history-index';
import { indexedJournal } from '../../../../server/store/embedded/indexed-journal';
import type { Journal } from '../../../../server/store/embedded/journal';
import { readLines, scanLines } from '../../../../server/store/embedded/journal-lines';
import { MatchCache } from '../../../../server/store/embedded/match-cache';
import { generatedRequest } from '../../../support/history-data-dir';
import type { HistoryPlan } from '../../../support/history-data-dir';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'hdotp-index-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const plan: HistoryPlan = {
  count: 0,
  agents: [
    { id: 'a', username: 'alice' },
    { id: 'b', username: 'bob' },
  ],
  users: 10,
  firstClosedAt: Date.UTC(2026, 0, 1),
};
const request = (n: number) => generatedRequest(n, plan);
const line = (record: unknown) => `${JSON.stringify(record)}\n`;
const page = { offset: 0, limit: 1_000 };

describe('journal lines', () => {
  it('hands over every line with where it starts, across chunks, and reads chosen lines back in the order asked', async () => {
    const file = path.join(dir, 'lines.jsonl');
    // Long lines cross the 64 kB chunks; a multi-byte character counts in bytes.
    const lines = Array.from({ length: 40 }, (_, i) => `{"n":${i},"pad":"${'é'.repeat(i * 900)}"}`);
    await writeFile(file, lines.map((l) => `${l}\n`).join(''));
    const seen: { text: string; offset: number; line: number }[] = [];
    const size = Buffer.byteLength(lines.map((l) => `${l}\n`).join(''));
    await scanLines(file, size, (bytes, offset, n) =>
      seen.push({ text: bytes.toString('utf8'), offset, line: n }),
    );
    expect(seen.map((s) => s.text)).toEqual(lines);
    expect(seen.map((s) => s.line)).toEqual(lines.map((_, i) => i + 1));
    const spans = seen.map((s) => ({ offset: s.offset, length: Buffer.byteLength(s.text) }));
    const order = [39, 0, 5, 4, 6, 38];
    expect(
      await readLines(
        file,
        order.map((i) => spans[i]!),
      ),
    ).toEqual(order.map((i) => lines[i]));
  });
});

describe('HistoryIndex', () => {
  it('finds what was appended while it was still building, after what was in the file, newest first', async () => {
    const file = path.join(dir, 'closed-requests.jsonl');
    const before = Array.from({ length: 3_000 }, (_, n) => request(n));
    await writeFile(file, before.map(line).join(''));
    const { size } = await stat(file);
    const index = new HistoryIndex(file, size);
    // Appended through the journal's wrapper before the build has read a byte.
    const appended = [request(3_000), request(3_001)];
    const journal = fakeJournal<ClosedRequest>(file);
    const wrapped = indexedJournal(journal, size, index);
    await wrapped.append(appended);
    const found = await index.search({ ...page, limit: 3 });
    expect(found.total).toBe(3_002);
    expect(found.requests.map((r) => r.id)).toEqual(
      [request(3_001), request(3_000), request(2_999)].map((r) => r.id),
    );
    expect(await index.get(request(1_234).id)).toEqual(request(1_234));
    await index.close();
  });

  it('names the file and line of a damaged record when searched, while the store still opens', async () => {
    const store = await openEmbeddedStore(dir);
    await store.close();
    const file = path.join(dir, 'closed-requests.jsonl');
    await writeFile(file, `${line(request(0))}{"id":"half a record"\n${line(request(2))}`);
    const checkpoint = JSON.parse(await readFile(path.join(dir, 'requests.json'), 'utf8')) as {
      closed?: { count: number };
    };
    checkpoint.closed = { count: 3 };
    await writeFile(path.join(dir, 'requests.json'), JSON.stringify(checkpoint));
    const reopened = await openEmbeddedStore(dir);
    try {
      const error = await reopened.history.search(page).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(error?.message).toContain(file);
      expect(error?.message).toMatch(/line 2/);
    } finally {
      await reopened.close();
    }
  });

  it('refuses to answer once an append failed, saying to restart', async () => {
    const file = path.join(dir, 'closed-requests.jsonl');
    await writeFile(file, '');
    const index = new HistoryIndex(file, 0);
    const failing: Journal<ClosedRequest> = {
      ...fakeJournal<ClosedRequest>(file),
      append: () => Promise.reject(new Error('disk full')),
    };
    await expect(indexedJournal(failing, 0, index).append(request(0))).rejects.toThrow('disk full');
    await expect(index.search(page)).rejects.toThrow(/restart the server/);
    await index.close();
  });
});

describe('AuditIndex', () => {
  it('indexes an entry whose keys were reordered (the request id after the details) by the whole line', async () => {
    const file = path.join(dir, 'audit.jsonl');
    const first = chainEntry(undefined, {
      at: '2026-01-01T00:00:00.000Z',
      actor: 'agent:alice',
      action: 'request.claimed',
      requestId: 'request-one-0000000',
      details: {},
    });
    const second = chainEntry(first, {
      at: '2026-01-01T00:01:00.000Z',
      actor: 'agent:alice',
      action: 'request.denied',
      requestId: 'request-two-0000000',
      details: { reason: 'No' },
    });
    const { requestId, ...rest } = second;
    const reordered = `{${JSON.stringify(rest).slice(1, -1)},"requestId":${JSON.stringify(requestId)}}`;
    await writeFile(file, `${line(first)}${reordered}\n`);
    const size = Buffer.byteLength(`${line(first)}${reordered}\n`);
    const index = new AuditIndex(file, size);
    const found = await index.search({ ...page, requestIds: ['request-two-0000000'] });
    expect(found).toEqual({ entries: [second], total: 1 });
    const all: AuditEntry[] = [];
    for await (const entry of index.select({ actor: 'AGENT:ALICE' })) all.push(entry);
    expect(all).toEqual([first, second]);
    await index.close();
  });
});

describe('the cache of matching positions', () => {
  const fiveThousand = async () => {
    const file = path.join(dir, 'closed-requests.jsonl');
    await writeFile(file, Array.from({ length: 5_000 }, (_, n) => line(request(n))).join(''));
    const { size } = await stat(file);
    return { file, size, index: new HistoryIndex(file, size) };
  };
  const ids = (found: { requests: ClosedRequest[] }) => found.requests.map((r) => r.id);

  it('pages through one filter as one search would, remembering the filter once however it is spelled', async () => {
    const { index } = await fiveThousand();
    const filter = { desk: '2' as const, outcome: 'completed' as const };
    const whole = await index.search({ ...filter, offset: 0, limit: 5_000 });
    expect(whole.total).toBeGreaterThan(300);
    const paged: string[] = [];
    for (let offset = 0; offset < whole.total + 100; offset += 100) {
      const found = await index.search({ ...filter, desks: ['1', '2'], offset, limit: 100 });
      expect(found.total).toBe(whole.total);
      paged.push(...ids(found));
    }
    expect(paged).toEqual(ids(whole));
    expect(index.cached.entries).toBe(1);
    // A filter with no condition is answered without scanning or remembering anything.
    const all = await index.search({ offset: 4_990, limit: 100 });
    expect(all.total).toBe(5_000);
    expect(ids(all)).toEqual(Array.from({ length: 10 }, (_, k) => request(9 - k).id));
    expect(index.cached.entries).toBe(1);
    await index.close();
  });

  it('counts records appended between pages, newest first, as an index built afresh does', async () => {
    const { file, size, index } = await fiveThousand();
    const filter = { username: 'user3', offset: 0, limit: 10 };
    const first = await index.search(filter);
    await indexedJournal(fakeJournal<ClosedRequest>(file), size, index).append([
      request(5_000),
      request(5_003),
      request(5_013),
    ]);
    const fresh = new HistoryIndex(file, (await stat(file)).size);
    for (const offset of [0, 10, 250, 490]) {
      const query = { ...filter, offset };
      expect(await index.search(query)).toEqual(await fresh.search(query));
    }
    const again = await index.search(filter);
    expect(again.total).toBe(first.total + 2);
    expect(ids(again)).toEqual(
      [request(5_013), request(5_003), ...first.requests.slice(0, 8)].map((r) => r.id),
    );
    await index.close();
    await fresh.close();
  });

  it('scans only the records appended since it last looked, and keeps the last used filters within its limits', async () => {
    const cache = new MatchCache({ entries: 3, bytes: 4 * 400 });
    const seen: number[] = [];
    const even = (i: number) => {
      seen.push(i);
      return i % 2 === 0;
    };
    const evens = (end: number) =>
      Array.from({ length: end }, (_, k) => end - 1 - k).filter((i) => i % 2 === 0);
    expect(Array.from(await cache.positions('even', 100, even))).toEqual(evens(100));
    expect(seen).toHaveLength(100);
    seen.length = 0;
    expect(Array.from(await cache.positions('even', 100, even))).toEqual(evens(100));
    expect(seen).toEqual([]);
    expect(Array.from(await cache.positions('even', 130, even))).toEqual(evens(130));
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, k) => 100 + k));
    expect(await cache.page('even', 130, even, 60, 10)).toEqual({
      positions: [8, 6, 4, 2, 0],
      total: 65,
    });

    for (const key of ['a', 'b', 'c', 'd']) await cache.positions(key, 10, () => true);
    expect(cache.size.entries).toBe(3);
    seen.length = 0;
    await cache.positions('even', 130, even);
    // 'even' was the least recently used, so it was the one let go.
    expect(seen).toHaveLength(130);
    // Too long to keep (more than 400 positions): answered, not remembered.
    expect((await cache.positions('long', 1_000, () => true)).length).toBe(1_000);
    expect(cache.size.bytes).toBeLessThanOrEqual(4 * 400);
    expect(cache.size.entries).toBeLessThanOrEqual(3);
    seen.length = 0;
    await cache.positions('even', 130, even);
    expect(seen).toEqual([]);
  });
});

/** A journal that appends to its file at once (what the index sees of one). */
function fakeJournal<T>(file: string): Journal<T> {
  let count = 0;
  let last: T | undefined;
  return {
    async append(records) {
      const list = Array.isArray(records) ? records : [records];
      await appendFile(file, list.map(line).join(''));
      count += list.length;
      last = list.at(-1);
    },
    get count() {
      return count;
    },
    get last() {
      return last;
    },
    flush: () => Promise.resolve(),
    sync: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
}
