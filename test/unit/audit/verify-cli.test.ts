// Specification of the audit verify command: exit 0 on an intact chain, 1 with the broken seq otherwise.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { AuditEntry } from '../../../server/audit/audit-chain';
import { openAuditLog } from '../../../server/store/embedded/audit-journal';

const projectRoot = fileURLToPath(new URL('../../../', import.meta.url));

async function tempDir(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hdotp-'));
  onTestFinished(() => fs.rm(dir, { recursive: true, force: true }));
  return dir;
}

async function writeEntries(file: string, count: number): Promise<void> {
  const log = await openAuditLog(file);
  for (let i = 1; i <= count; i += 1)
    await log.record({ actor: 'agent:alice', action: 'request.claimed', details: { n: i } });
  await log.close();
}

function runCli(...args: string[]): { status: number | null; output: string } {
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'server/audit/verify-cli.ts', ...args],
    {
      cwd: projectRoot,
      encoding: 'utf8',
      env: { ...process.env, DATA_DIR: '' },
    },
  );
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('verify-cli', () => {
  it('exits 0 and reports the entry count and last hash for an intact log', async () => {
    const dir = await tempDir();
    await writeEntries(path.join(dir, 'audit.jsonl'), 5);
    const { status, output } = runCli('--data', dir);
    expect(output).toContain('5 entries, chain intact');
    expect(output).toContain(path.join(dir, 'audit.jsonl'));
    expect(status).toBe(0);
  });

  it('exits 1 naming the seq of a tampered entry', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'audit.jsonl');
    await writeEntries(file, 5);
    const entries = (await fs.readFile(file, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as AuditEntry);
    entries[2] = { ...entries[2]!, details: { n: 300 } };
    await fs.writeFile(file, entries.map((entry) => `${JSON.stringify(entry)}\n`).join(''));
    const { status, output } = runCli(`--data=${dir}`);
    expect(output).toContain('seq 3');
    expect(output).toContain('line 3');
    expect(status).toBe(1);
  });

  it('exits 1 when there is no audit log', async () => {
    const dir = await tempDir();
    const { status, output } = runCli('--data', dir);
    expect(output).toContain('not found');
    expect(status).toBe(1);
  });

  it('exits 2 on an unknown argument', () => {
    const { status, output } = runCli('--bogus');
    expect(output).toContain('Usage');
    expect(status).toBe(2);
  });
});
