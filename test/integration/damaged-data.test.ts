// Damaged, emptied and deleted data files at start-up: a torn last journal line is set aside with a
// warning; anything else stops the server naming the file, and a refused start writes nothing.
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditLog } from '../../server/store/embedded/audit-journal';
import { readJsonLines, snapshotDataDir } from '../support/data-dir-snapshot';
import { demoCredentials, demoPassword } from '../support/demo-credentials';
import { flowOf } from '../support/flow-cookie';
import { runServer } from '../support/server-process';
import { FormBrowser } from '../support/form-browser';

const JOURNALS = ['audit.jsonl', 'closed-requests.jsonl'] as const;

/** A data dir with history (first start, an agent login, a request submitted and cancelled), stopped cleanly. */
let withHistory: string;
let dataDir: string;

beforeAll(async () => {
  withHistory = await mkdtemp(path.join(tmpdir(), 'hdotp-damaged-template-'));
  const server = runServer(['--port', '0', '--data', withHistory, '--demo']);
  const url = await server.ready;
  const credentials = demoCredentials(server.output());

  const login = await fetch(`${url}/api/agent/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'alice', password: demoPassword(credentials, 'alice') }),
  });
  expect(login.status).toBe(201);

  const browser = new FormBrowser(url);
  await browser.get('/sign-in');
  const identified = await browser.post('/sign-in', {
    username: 'jsmith',
    password: demoPassword(credentials, 'jsmith'),
  });
  expect(identified.location).toBe('/sign-in/method');
  expect((await browser.post('/sign-in/method', { desk: '1' })).location).toBe('/sign-in/request');
  expect((await browser.post('/sign-in/cancel')).status).toBe(303);
  expect(flowOf(browser)?.notice?.kind).toBe('cancelled');

  server.child.kill('SIGTERM');
  expect(await server.exited).toBe(0);
  expect(await readJsonLines(path.join(withHistory, 'closed-requests.jsonl'))).toHaveLength(1);
});

afterAll(async () => {
  if (withHistory) await rm(withHistory, { recursive: true, force: true });
});

afterEach(async () => {
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** A fresh copy of the data dir with history, for one test to damage. */
async function copyWithHistory(): Promise<string> {
  dataDir = await mkdtemp(path.join(tmpdir(), 'hdotp-damaged-'));
  await cp(withHistory, dataDir, { recursive: true });
  return dataDir;
}

/** Starts the server on `dir` expecting a refusal; returns its output after checking nothing changed. */
async function expectRefusedStart(dir: string): Promise<string> {
  const before = await snapshotDataDir(dir);
  const server = runServer(['--port', '0', '--data', dir]);
  const started = await Promise.race([
    server.ready.then(() => true),
    server.exited.then(() => false),
  ]);
  if (started) {
    server.child.kill('SIGTERM');
    await server.exited;
  }
  const output = server.output();
  expect(started, `the server started:\n${output}`).toBe(false);
  expect(await server.exited, output).toBe(1);
  const after = await snapshotDataDir(dir);
  expect(Object.keys(after).filter((name) => name.includes('.tmp-'))).toEqual([]);
  expect(after).toEqual(before);
  return output;
}

/** The last complete line of a journal, as bytes. */
async function lastLine(file: string): Promise<Buffer> {
  const bytes = await readFile(file);
  const end = bytes.length - 1;
  expect(bytes[end]).toBe(0x0a);
  return bytes.subarray(bytes.lastIndexOf(0x0a, end - 1) + 1, end);
}

describe.each(JOURNALS)('a damaged %s', (name) => {
  const damages: Array<[string, (original: Buffer) => Buffer]> = [
    ['has no newline at all and is NUL-filled', (original) => Buffer.alloc(original.length)],
    ['is one huge unterminated line', () => Buffer.alloc(2 * 1024 * 1024, 'x')],
    [
      'has NULs after its last newline',
      (original) => Buffer.concat([original, Buffer.alloc(4096)]),
    ],
  ];

  it.each(damages)(
    'that %s stops start-up naming the file as corrupt, and nothing changes',
    async (_what, damage) => {
      const dir = await copyWithHistory();
      const file = path.join(dir, name);
      const damaged = damage(await readFile(file));
      await writeFile(file, damaged);

      const output = await expectRefusedStart(dir);
      expect(output).toContain(file);
      expect(output).toMatch(/corrupt/i);
      expect((await readFile(file)).equals(damaged)).toBe(true);
    },
  );

  it('with a torn last line starts, warns with the byte range, keeps the cut bytes aside, and ends on its last complete line', async () => {
    const dir = await copyWithHistory();
    const file = path.join(dir, name);
    const original = await readFile(file);
    const torn = (await lastLine(file)).subarray(0, 40);
    await writeFile(file, Buffer.concat([original, torn]));
    const start = original.length;
    const end = original.length + torn.length;

    const server = runServer(['--port', '0', '--data', dir]);
    await server.ready;
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);

    const output = server.output();
    expect(output).toContain(file);
    expect(output).toContain(`bytes ${start}-${end}`);
    const setAside = await readFile(path.join(dir, 'torn', `${name}.${start}-${end}`));
    expect(setAside.equals(torn)).toBe(true);
    const now = await readFile(file);
    expect(now.subarray(0, start).equals(original)).toBe(true);
    expect(now[now.length - 1]).toBe(0x0a);
    // Every line left is complete and parses; the chain of the audit log is intact.
    expect((await readJsonLines(file)).length).toBeGreaterThan(0);
    expect(await verifyAuditLog(path.join(dir, 'audit.jsonl'))).toMatchObject({ ok: true });
  });
});

describe('an emptied or deleted journal where there was history', () => {
  it.each([
    ['audit.jsonl', 'emptied'],
    ['audit.jsonl', 'deleted'],
    ['closed-requests.jsonl', 'emptied'],
  ] as const)('%s %s stops start-up naming the file, and nothing changes', async (name, how) => {
    const dir = await copyWithHistory();
    const file = path.join(dir, name);
    if (how === 'emptied') await writeFile(file, '');
    else await rm(file);

    const output = await expectRefusedStart(dir);
    expect(output).toContain(file);
  });
});

describe('a refused start writes nothing to the data dir', () => {
  it.each(['agents.json', 'realm.json', 'requests.json'])(
    'a corrupt %s stops start-up naming it, and no file is created, changed or left behind',
    async (name) => {
      const dir = await copyWithHistory();
      const file = path.join(dir, name);
      const broken = (await readFile(file, 'utf8')).slice(0, 20);
      await writeFile(file, broken);

      const output = await expectRefusedStart(dir);
      expect(output).toContain(file);
      expect(output).toMatch(/corrupt/i);
      expect(await readFile(file, 'utf8')).toBe(broken);
    },
  );
});

describe('the risk signals’ documents', () => {
  it.each([
    ['activity.json', 'cut off', '{"times":{"request:jsmith":[17'],
    ['activity.json', 'of the wrong shape', '{"times":{"request:jsmith":"often"}}'],
    ['sign-ins.json', 'cut off', '{"users":{"jsmith":[{"at":'],
    [
      'sign-ins.json',
      'of the wrong shape',
      '{"users":{"jsmith":[{"at":1,"deviceHash":"","ip":"203.0.113.7"}]}}',
    ],
  ])(
    'a damaged %s (%s) stops start-up naming it as corrupt, and nothing changes',
    async (name, _how, broken) => {
      const dir = await copyWithHistory();
      const file = path.join(dir, name);
      await writeFile(file, broken);

      const output = await expectRefusedStart(dir);
      expect(output).toContain(file);
      expect(output).toMatch(/corrupt/i);
      expect(await readFile(file, 'utf8')).toBe(broken);
    },
  );
});
