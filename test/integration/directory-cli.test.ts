// The directory CLI run as `npm run directory` runs it, on a data dir of its own; refused while a server owns it.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIRECTORY_CSV_COLUMNS } from '../../server/contract/directory';
import { ROOT } from '../support/server-process';
import { login, readAudit, startTestServer } from '../support/test-server';

let work: string;
let dataDir: string;

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'hdotp-cli-'));
  dataDir = path.join(work, 'data');
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(...args: string[]): Promise<Run> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'server/directory/directory-cli.ts', ...args],
    { cwd: ROOT, env: { ...process.env, DATA_DIR: '' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

const HEADER = DIRECTORY_CSV_COLUMNS.join(',');
const USERS_CSV = [
  HEADER,
  'jane,Jane Doe,jane@example.com,(415) 555-0123,E1,Finance,mlee,yes,no,generate',
  'bob,Bob Roe,bob@example.com,+44 20 7946 0000,E2,Sales,mlee,yes,yes,',
  'ann,Ann Poe,,,,,,no,no,',
].join('\n');

let adminPassword = '';
let janePassword = '';
let zedPassword = '';

describe('the directory CLI on a data dir no server runs on', () => {
  it('imports a CSV into a new data dir, printing the first admin and the generated passwords once', async () => {
    const file = path.join(work, 'users.csv');
    await writeFile(file, USERS_CSV);
    const run = await cli('import', file, '--data', dataDir);
    expect(run.stderr).toMatch(/first admin is "admin" with password (\S+)/);
    expect(run.code).toBe(0);
    adminPassword = /with password (\S+)/.exec(run.stderr)?.[1] ?? '';
    expect(run.stdout).toContain('imported 3 users (3 added, 0 replaced)');
    janePassword = /^\s+jane\t(\S+)$/m.exec(run.stdout)?.[1] ?? '';
    expect(janePassword).toMatch(/^[A-Za-z0-9]{5}(-[A-Za-z0-9]{5}){3}$/);
  });

  it('exports every user to stdout as CSV, without passwords', async () => {
    const run = await cli('export', '--data', dataDir);
    expect(run.code).toBe(0);
    expect(run.stdout.trim().split(/\r?\n/)).toEqual([
      HEADER,
      'ann,Ann Poe,,,,,,false,false,',
      'bob,Bob Roe,bob@example.com,+442079460000,E2,Sales,mlee,true,true,',
      'jane,Jane Doe,jane@example.com,+14155550123,E1,Finance,mlee,true,false,',
    ]);
    expect(run.stdout).not.toContain(janePassword);
    expect(run.stdout).not.toContain('scrypt');
  });

  it('refuses a file with a bad row, printing line and column, and changes nothing', async () => {
    const file = path.join(work, 'bad.csv');
    await writeFile(
      file,
      [HEADER, 'carl,Carl,carl@example.com,,,,,,,', 'bad user,,nope,,,,,,,'].join('\n'),
    );
    const before = (await cli('export', '--data', dataDir)).stdout;
    const run = await cli('import', file, '--data', dataDir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('line 3, username: ');
    expect(run.stderr).toContain('line 3, email: ');
    expect(run.stderr).toMatch(/not imported, nothing changed/);
    expect((await cli('export', '--data', dataDir)).stdout).toBe(before);
  });

  it('checks without storing with --dry-run', async () => {
    const file = path.join(work, 'more.csv');
    await writeFile(file, [HEADER, 'jane,Jane Renamed,,,,,,,,', 'dan,Dan,,,,,,,,'].join('\n'));
    const run = await cli('import', file, '--dry-run', '--data', dataDir);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('2 rows: 1 to add, 1 to replace. Nothing was stored');
    expect((await cli('export', '--data', dataDir)).stdout).not.toContain('dan,');
  });

  it('adds a user with a generated password, and disables another', async () => {
    const add = await cli(
      'add',
      'Zed',
      '--name',
      'Zed Zee',
      '--phone',
      '(415) 555-0199',
      '--department',
      'Legal',
      '--privileged',
      '--data',
      dataDir,
    );
    expect(add.code).toBe(0);
    zedPassword = /shown once.*: (\S+)$/m.exec(add.stdout)?.[1] ?? '';
    expect(zedPassword).toMatch(/^[A-Za-z0-9]{5}(-[A-Za-z0-9]{5}){3}$/);
    const disable = await cli('disable', 'bob', '--data', dataDir);
    expect(disable).toMatchObject({ code: 0, stdout: 'bob is disabled.\n' });
  });

  it('writes an export file for spreadsheets with --out', async () => {
    const out = path.join(work, 'out.csv');
    const run = await cli('export', '--out', out, '--data', dataDir);
    expect(run.code).toBe(0);
    const text = await readFile(out, 'utf8');
    expect(text.startsWith(`\uFEFF${HEADER}`)).toBe(true);
    expect(text).toContain('zed,Zed Zee,,+14155550199,,Legal,,true,true,');
  });

  it('answers wrong usage with exit code 2, before opening the data dir', async () => {
    const runs = await Promise.all([
      cli('frobnicate', '--data', dataDir),
      cli('add', 'nameless', '--data', dataDir),
      cli('disable', 'bob', '--out', 'x', '--data', dataDir),
      cli('import', '--data', dataDir),
      cli('--help'),
    ]);
    expect(runs.map((r) => r.code)).toEqual([2, 2, 2, 2, 0]);
    expect(runs[0]?.stderr).toContain('Unknown command "frobnicate"');
    expect(runs[1]?.stderr).toContain('--name');
    expect(runs[4]?.stdout).toContain('npm run directory -- <command>');
  });

  it('answers a refused change with exit code 1 and the reason', async () => {
    const elsewhere = path.join(work, 'typo');
    const missing = await cli('export', '--data', elsewhere);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`There is no data directory at ${elsewhere}`);
    const unknown = await cli('enable', 'ghost', '--data', dataDir);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('No user "ghost"');
    const taken = await cli('add', 'JANE', '--name', 'Jane Two', '--data', dataDir);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain('already a user "jane"');
  });
});

describe('while a server owns the data dir', () => {
  it('refuses with a message naming the running server and the console, and the server sees the changes the CLI made', async () => {
    const server = await startTestServer({ dataDir });
    try {
      const run = await cli('disable', 'jane', '--data', dataDir);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`A server is running on the data directory ${dataDir}`);
      expect(run.stderr).toMatch(/Stop it .*console \(Settings → Directory → Users\)/);

      // What the CLI did is what the server now serves, under the same rules.
      expect(await server.directory.findUser('jane')).toMatchObject({ enabled: true });
      expect(await server.directory.findUser('bob')).toMatchObject({ enabled: false });
      expect(await server.directory.findUser('zed')).toMatchObject({
        phone: '+14155550199',
        privileged: true,
      });
      expect(await server.directory.checkPassword('jane', janePassword)).toBe(true);
      expect(await server.directory.checkPassword('zed', zedPassword)).toBe(true);
      expect(await server.directory.checkPassword('ann', '')).toBe(false);
      // The first admin the CLI created on the new data dir signs in to the console.
      expect(await login(server.url, 'admin', adminPassword)).toMatch(/^[A-Za-z0-9_-]{20,}$/);

      const audit = await readAudit(server);
      const cliEntries = audit.filter((e) => e.actor.startsWith('cli'));
      expect(cliEntries.map((e) => e.action)).toEqual([
        'directory.imported',
        'directory.exported',
        'directory.exported',
        'directory.exported',
        'directory.exported',
        'directory.user-added',
        'directory.user-disabled',
        'directory.exported',
      ]);
      const text = await readFile(path.join(dataDir, 'audit.jsonl'), 'utf8');
      for (const secret of [janePassword, zedPassword, adminPassword])
        expect(text).not.toContain(secret);
    } finally {
      await server.stop();
    }
  });
});
