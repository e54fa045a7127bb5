// Specification of the audit log: an unbroken hash chain on disk, and a verifier that finds any edit.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { computeEntryHash } from '../../../../server/audit/audit-chain';
import type { AuditEntry } from '../../../../server/audit/audit-chain';
import { openAuditLog, verifyAuditLog } from '../../../../server/store/embedded/audit-journal';
import type { StandaloneAuditLog } from '../../../../server/store/embedded/audit-journal';
import { StorageError } from '../../../../server/store/embedded/errors';

async function tempDir(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hdotp-'));
  onTestFinished(() => fs.rm(dir, { recursive: true, force: true }));
  return dir;
}

async function open(file: string): Promise<StandaloneAuditLog> {
  const log = await openAuditLog(file);
  onTestFinished(() => log.close());
  return log;
}

async function writeEntries(file: string, count: number): Promise<void> {
  const log = await openAuditLog(file);
  for (let i = 1; i <= count; i += 1) {
    await log.record({
      actor: 'agent:alice',
      action: 'request.claimed',
      requestId: `req_${i}`,
      details: { desk: '1', n: i },
    });
  }
  await log.close();
}

async function readEntries(file: string): Promise<AuditEntry[]> {
  const text = await fs.readFile(file, 'utf8');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as AuditEntry);
}

async function rewrite(file: string, entries: AuditEntry[]): Promise<void> {
  await fs.writeFile(file, entries.map((entry) => `${JSON.stringify(entry)}\n`).join(''));
}

describe('AuditLog.record', () => {
  it('builds a chain of entries that verifies', async () => {
    const file = path.join(await tempDir(), 'audit.jsonl');
    await writeEntries(file, 25);
    const entries = await readEntries(file);
    expect(entries.map((entry) => entry.seq)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    const result = await verifyAuditLog(file);
    expect(result).toEqual({ ok: true, entries: 25, lastHash: entries[24]?.hash });
  });

  it('resolves with the entry once it is on disk', async () => {
    const file = path.join(await tempDir(), 'audit.jsonl');
    const log = await open(file);
    const at = new Date('2024-05-01T08:00:00Z');
    const entry = await log.record({ actor: 'agent:alice', action: 'agent.login', at });
    expect(entry).toMatchObject({ seq: 1, at: '2024-05-01T08:00:00.000Z', details: {} });
    expect(await readEntries(file)).toEqual([entry]);
  });

  it('gives concurrent callers a continuous seq in call order', async () => {
    const file = path.join(await tempDir(), 'audit.jsonl');
    const log = await open(file);
    const entries = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        log.record({ actor: 'system', action: 'tick', details: { i } }),
      ),
    );
    expect(entries.map((entry) => entry.seq)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(entries.map((entry) => entry.details.i)).toEqual(
      Array.from({ length: 200 }, (_, i) => i),
    );
    expect(log.lastSeq).toBe(200);
    expect((await verifyAuditLog(file)).ok).toBe(true);
  });

  it('continues the chain after reopening', async () => {
    const file = path.join(await tempDir(), 'audit.jsonl');
    await writeEntries(file, 3);
    const log = await open(file);
    expect(log.lastSeq).toBe(3);
    expect((await log.record({ actor: 'system', action: 'server.started' })).seq).toBe(4);
    expect(await verifyAuditLog(file)).toMatchObject({ ok: true, entries: 4 });
  });

  it('refuses details holding a secret and writes nothing', async () => {
    const file = path.join(await tempDir(), 'audit.jsonl');
    const log = await open(file);
    await expect(
      log.record({ actor: 'agent:alice', action: 'otp.revealed', details: { otp: '12345678' } }),
    ).rejects.toThrow(/secret/);
    await log.flush();
    expect(log.lastSeq).toBe(0);
    expect(await fs.readFile(file, 'utf8')).toBe('');
  });
});

describe('openAuditLog', () => {
  it('refuses to start on a log whose last entry was altered', async () => {
    const file = path.join(await tempDir(), 'audit.jsonl');
    await writeEntries(file, 3);
    const entries = await readEntries(file);
    entries[2] = { ...entries[2]!, actor: 'agent:mallory' };
    await rewrite(file, entries);
    const error = await openAuditLog(file).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).code).toBe('corrupt');
    expect((error as StorageError).message).toContain(file);
  });
});

describe('verifyAuditLog', () => {
  it('reports the seq of an entry whose details were edited', async () => {
    const file = path.join(await tempDir(), 'audit.jsonl');
    await writeEntries(file, 10);
    const entries = await readEntries(file);
    entries[6] = { ...entries[6]!, details: { desk: '2', n: 7 } };
    await rewrite(file, entries);
    expect(await verifyAuditLog(file)).toMatchObject({ ok: false, seq: 7, line: 7, entries: 6 });
  });

  it('reports the next link when an edited entry was given a fresh hash', async () => {
    const file = path.join(await tempDir(), 'audit.jsonl');
    await writeEntries(file, 10);
    const entries = await readEntries(file);
    const edited = { ...entries[6]!, details: { desk: '2', n: 7 } };
    entries[6] = { ...edited, hash: computeEntryHash(edited) };
    await rewrite(file, entries);
    expect(await verifyAuditLog(file)).toMatchObject({ ok: false, seq: 8, line: 8 });
  });

  it('finds a deleted line', async () => {
    const file = path.join(await tempDir(), 'audit.jsonl');
    await writeEntries(file, 10);
    const entries = await readEntries(file);
    entries.splice(4, 1);
    await rewrite(file, entries);
    const result = await verifyAuditLog(file);
    expect(result).toMatchObject({ ok: false, line: 5, seq: 6 });
    expect(result.ok === false && result.reason).toMatch(/expected seq 5/);
  });

  it('finds a deleted first line', async () => {
    const file = path.join(await tempDir(), 'audit.jsonl');
    await writeEntries(file, 3);
    const entries = await readEntries(file);
    await rewrite(file, entries.slice(1));
    expect(await verifyAuditLog(file)).toMatchObject({ ok: false, line: 1 });
  });

  it('reports a line that is not an audit entry', async () => {
    const file = path.join(await tempDir(), 'audit.jsonl');
    await writeEntries(file, 3);
    const text = await fs.readFile(file, 'utf8');
    const lines = text.split('\n');
    lines[1] = '{"seq":2}';
    await fs.writeFile(file, lines.join('\n'));
    expect(await verifyAuditLog(file)).toMatchObject({ ok: false, line: 2, seq: 2, entries: 1 });
  });

  it('accepts an empty log', async () => {
    const file = path.join(await tempDir(), 'audit.jsonl');
    await fs.writeFile(file, '');
    expect(await verifyAuditLog(file)).toMatchObject({ ok: true, entries: 0 });
  });
});
