// CSV import and export of the embedded directory over HTTP, as the console and scripts use them.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DirectoryImportResult, DirectoryUserView } from '../../server/contract/directory';
import { DIRECTORY_CSV_COLUMNS } from '../../server/contract/directory';
import type { WireError } from '../../server/contract/errors';
import { FormBrowser } from '../support/form-browser';
import { askForHelp } from '../support/sign-in-pages';
import type { AgentSocket, TestServer } from '../support/test-server';
import {
  connectAgent,
  login,
  nextEvent,
  readAudit,
  seedRealm,
  startTestServer,
} from '../support/test-server';

let server: TestServer;
let adminToken: string;
let agentToken: string;

beforeAll(async () => {
  server = await startTestServer();
  await seedRealm(
    server,
    [
      { username: 'root', displayName: 'Root', role: 'admin', desks: ['1', '2'] },
      { username: 'dave', displayName: 'Dave', role: 'agent', desks: ['1'] },
    ],
    [],
  );
  await server.app.realm.update({ workflow: 'username-password|second-factor' }, 'test');
  adminToken = await login(server.url, 'root');
  agentToken = await login(server.url, 'dave');
});

afterAll(async () => {
  await server?.cleanup();
});

const HEADER = DIRECTORY_CSV_COLUMNS.join(',');

type Answer<T> = {
  status: number;
  headers: Headers;
  body: { data?: T; error?: WireError };
};

async function postImport(
  csv: string | Uint8Array,
  options: { commit?: boolean; token?: string | null; type?: string; to?: TestServer } = {},
): Promise<Answer<DirectoryImportResult>> {
  const token = options.token === undefined ? adminToken : options.token;
  const query = options.commit === undefined ? '' : `?commit=${options.commit}`;
  const res = await fetch(`${(options.to ?? server).url}/api/directory/import${query}`, {
    method: 'POST',
    headers: {
      'content-type': options.type ?? 'text/csv',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: csv,
  });
  return {
    status: res.status,
    headers: res.headers,
    body: (await res.json()) as Answer<DirectoryImportResult>['body'],
  };
}

async function getExport(token: string | null = adminToken, from: TestServer = server) {
  return fetch(`${from.url}/api/directory/export`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
}

/** Every user stored, as an admin sees them (no hashes). */
function storedUsers(of: TestServer = server): DirectoryUserView[] {
  return of.app.embeddedDirectory.count === 0
    ? []
    : of.app.directoryUsers.search('', 0, 1_000_000).users;
}

function row(cells: Partial<Record<(typeof DIRECTORY_CSV_COLUMNS)[number], string>>): string {
  return DIRECTORY_CSV_COLUMNS.map((c) => cells[c] ?? '').join(',');
}

async function signsIn(username: string, password: string): Promise<boolean> {
  const browser = new FormBrowser(server.url);
  await browser.get('/sign-in');
  const res = await browser.post('/sign-in', { username, password });
  return res.status === 303 && res.location === '/sign-in/method';
}

describe('preview', () => {
  it('shows each bad row with its line and column, counts the good ones and stores nothing', async () => {
    const before = storedUsers();
    const csv = [
      HEADER,
      row({ username: 'pat', displayName: 'Pat Doe', phone: '(415) 555-0142', enabled: 'yes' }),
      row({ username: 'bad name', displayName: 'Bad', email: 'nope' }),
      row({ username: 'kim', displayName: 'Kim Roe', privileged: 'maybe' }),
      row({ username: 'lee', displayName: 'Lee Poe', password: 'generate' }),
    ].join('\n');
    const { status, body } = await postImport(csv, { commit: false });
    expect(status).toBe(200);
    expect(body.data).toMatchObject({
      committed: false,
      rows: 4,
      added: 2,
      updated: 0,
      generatedPasswords: [],
      errors: [
        { line: 3, column: 'username', message: expect.any(String) },
        { line: 3, column: 'email', message: expect.any(String) },
        { line: 4, column: 'privileged', message: expect.any(String) },
      ],
    });
    expect(body.data?.sample).toEqual([
      expect.objectContaining({ username: 'pat', phone: '+14155550142', enabled: true }),
      expect.objectContaining({ username: 'lee' }),
    ]);
    expect(storedUsers()).toEqual(before);
  });

  it('is the default without ?commit, and a valid file previewed stores nothing', async () => {
    const { body } = await postImport(`${HEADER}\n${row({ username: 'sam', displayName: 'Sam' })}`);
    expect(body.data).toMatchObject({ committed: false, rows: 1, added: 1, errors: [] });
    expect(server.app.embeddedDirectory.count).toBe(0);
  });

  it('names unknown columns', async () => {
    const { body } = await postImport('username,displayName,shoeSize\njo,Jo,9\n');
    expect(body.data?.errors).toEqual([
      { line: 1, column: null, message: expect.stringContaining('"shoeSize"') },
    ]);
  });
});

describe('commit', () => {
  it('one bad row among many: nothing is imported', async () => {
    const rows = Array.from({ length: 500 }, (_, i) =>
      row({ username: `many${i}`, displayName: `Many ${i}`, phone: i === 250 ? '12' : '' }),
    );
    const { body } = await postImport([HEADER, ...rows].join('\n'), { commit: true });
    expect(body.data).toMatchObject({
      committed: false,
      rows: 500,
      errors: [{ line: 252, column: 'phone', message: expect.any(String) }],
    });
    expect(server.app.embeddedDirectory.count).toBe(0);
    expect((await readAudit(server)).map((e) => e.action)).not.toContain('directory.imported');
  });

  it('imports 10,000 users in one write', async () => {
    const departments = ['Finance', 'Sales', 'Engineering', 'Operations', 'Legal'];
    const rows = Array.from({ length: 10_000 }, (_, i) => {
      const n = String(i).padStart(5, '0');
      return row({
        username: `user${n}`,
        displayName: `User Number ${n}`,
        email: `user${n}@example.com`,
        phone: `(415) 55${n.slice(0, 1)}-${n.slice(1)}`,
        employeeId: `E${n}`,
        department: departments[i % departments.length],
        manager: `user${String(Math.floor(i / 10)).padStart(5, '0')}`,
        enabled: i % 100 === 0 ? 'no' : 'yes',
        privileged: i % 1000 === 0 ? 'true' : 'false',
      });
    });
    const csv = [HEADER, ...rows].join('\r\n');
    const preview = await postImport(csv, { commit: false });
    expect(preview.body.data).toMatchObject({ committed: false, rows: 10_000, added: 10_000 });
    expect(server.app.embeddedDirectory.count).toBe(0);

    const started = performance.now();
    const { status, body } = await postImport(csv, { commit: true });
    const roundTripMs = Math.round(performance.now() - started);
    expect(status).toBe(200);
    expect(body.data).toMatchObject({
      committed: true,
      rows: 10_000,
      added: 10_000,
      updated: 0,
      errors: [],
      generatedPasswords: [],
    });
    expect(body.data?.sample).toHaveLength(20);
    console.log(
      `10,000-row import (${(csv.length / 1024).toFixed(0)} KiB): preview ${preview.body.data?.elapsedMs} ms, ` +
        `commit ${body.data?.elapsedMs} ms on the server, ${roundTripMs} ms over HTTP`,
    );
    expect(server.app.embeddedDirectory.count).toBe(10_000);
    expect(server.app.directoryUsers.search('user09999', 0, 1).users[0]).toMatchObject({
      phone: '+14155509999',
      email: 'user09999@example.com',
      enabled: true,
      department: 'Legal',
    });
    expect((await readAudit(server)).at(-1)).toMatchObject({
      actor: 'agent:root',
      action: 'directory.imported',
      details: { rows: 10_000, added: 10_000, updated: 0, passwordsGenerated: 0 },
    });

    // The same file again replaces every user: all updated, none added.
    const again = await postImport(csv, { commit: false });
    expect(again.body.data).toMatchObject({ added: 0, updated: 10_000 });
  });

  it("a file with only some columns changes those and keeps the rest (a spreadsheet's ; and BOM welcome)", async () => {
    const before = server.app.directoryUsers.search('user01000', 0, 1).users[0]!;
    expect(before.privileged).toBe(true);
    const csv = '\uFEFFUserName;Department\r\nuser01000;Treasury\r\nuser01001;Treasury\r\n';
    const { body } = await postImport(csv, { commit: true });
    expect(body.data).toMatchObject({ committed: true, rows: 2, added: 0, updated: 2 });
    const { changedAt: importedAt, ...unstamped } = before;
    expect(body.data?.sample[0]).toEqual({ ...unstamped, department: 'Treasury' });
    const after = server.app.directoryUsers.search('user01000', 0, 1).users[0]!;
    expect(after).toEqual({ ...before, department: 'Treasury', changedAt: expect.any(Number) });
    // The edit is a change to the account (a risk signal reads it).
    expect(after.changedAt).toBeGreaterThanOrEqual(importedAt!);
  });

  it('generated passwords come back once and sign the users in; an empty password keeps the one set', async () => {
    const given = 'an admin-chosen password';
    const csv = [
      HEADER,
      row({ username: 'gen.one', displayName: 'Gen One', password: 'generate' }),
      row({ username: 'gen.two', displayName: 'Gen Two', password: 'generate' }),
      row({ username: 'given.pw', displayName: 'Given', password: given }),
    ].join('\n');
    const { body, headers } = await postImport(csv, { commit: true });
    expect(headers.get('cache-control')).toBe('no-store');
    const generated = body.data?.generatedPasswords ?? [];
    expect(generated.map((g) => g.username)).toEqual(['gen.one', 'gen.two']);
    console.log(`3 rows with passwords (3 scrypt hashes) committed in ${body.data?.elapsedMs} ms`);
    const [one, two] = generated;
    expect(one!.password).not.toBe(two!.password);
    expect(await signsIn('gen.one', one!.password)).toBe(true);
    expect(await signsIn('given.pw', given)).toBe(true);

    // Re-importing the rows without a password changes the rest and keeps their passwords.
    const update = [
      HEADER,
      row({ username: 'gen.one', displayName: 'Gen One Renamed' }),
      row({ username: 'given.pw', displayName: 'Given' }),
    ].join('\n');
    const result = await postImport(update, { commit: true });
    expect(result.body.data).toMatchObject({ committed: true, added: 0, updated: 2 });
    expect(result.body.data?.generatedPasswords).toEqual([]);
    expect(await signsIn('gen.one', one!.password)).toBe(true);

    const audit = await readFile(path.join(server.dataDir, 'audit.jsonl'), 'utf8');
    for (const secret of [given, one!.password, two!.password]) expect(audit).not.toContain(secret);
    expect(audit).not.toContain('scrypt$');
  });

  it('a row that disables a user ends their open request', async () => {
    const csv = `${HEADER}\n${row({ username: 'off.soon', displayName: 'Off Soon', password: 'generate' })}`;
    const { body } = await postImport(csv, { commit: true });
    const password = body.data!.generatedPasswords[0]!.password;
    const agent: AgentSocket = await connectAgent(server.url, agentToken);
    try {
      const asked = await askForHelp(server.url, 'off.soon', '1', password);
      const closed = nextEvent(agent, 'request:updated', (r) => r.id === asked.requestId);
      const off = `${HEADER}\n${row({ username: 'off.soon', displayName: 'Off Soon', enabled: 'false' })}`;
      expect((await postImport(off, { commit: true })).body.data?.committed).toBe(true);
      expect(await closed).toMatchObject({ state: 'denied' });
      expect((await readAudit(server)).at(-1)).toMatchObject({
        action: 'directory.imported',
        details: { disabled: 1, cancelledRequests: 1 },
      });
    } finally {
      agent.disconnect();
    }
  });
});

describe('export', () => {
  it('downloads every user as CSV without passwords or hashes, formula cells guarded, phones as stored', async () => {
    const hostile = [
      HEADER,
      row({
        username: 'formula',
        displayName: '"=HYPERLINK(""http://evil.example"",""x"")"',
        department: '@SUM(A1)',
        manager: '-2+3',
        phone: '+442079460000',
      }),
    ].join('\n');
    expect((await postImport(hostile, { commit: true })).body.data?.committed).toBe(true);

    const res = await getExport();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe(
      'attachment; filename="directory-users.csv"',
    );
    expect(res.headers.get('cache-control')).toBe('no-store');
    const bytes = new Uint8Array(await res.arrayBuffer());
    const csv = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
    expect(csv.startsWith(`\uFEFF${HEADER}\r\n`) || csv.startsWith(`\uFEFF${HEADER}\n`)).toBe(true);
    expect(csv).not.toMatch(/scrypt|\$/);
    const line = csv.split(/\r?\n/).find((l) => l.startsWith('formula,'));
    expect(line).toBe(
      `formula,"'=HYPERLINK(""http://evil.example"",""x"")",,+442079460000,,'@SUM(A1),'-2+3,true,false,`,
    );
    expect((await readAudit(server)).at(-1)).toMatchObject({
      actor: 'agent:root',
      action: 'directory.exported',
      details: { users: server.app.embeddedDirectory.count },
    });
  });

  it('round-trips: the export imported into a fresh server gives the same users', async () => {
    const csv = await (await getExport()).text();
    const fresh = await startTestServer();
    try {
      await seedRealm(
        fresh,
        [{ username: 'root', displayName: 'Root', role: 'admin', desks: ['1', '2'] }],
        [],
      );
      const token = await login(fresh.url, 'root');
      const { body } = await postImport(csv, { commit: true, token, to: fresh });
      expect(body.data).toMatchObject({ committed: true, errors: [] });
      const original = server.app.directoryUsers.search('', 0, 1_000_000).users;
      expect(original.length).toBeGreaterThan(10_000);
      // The same users; each was changed (added) when this import ran.
      const unstamped = (users: DirectoryUserView[]) =>
        users.map(({ changedAt: _changedAt, ...user }) => user);
      expect(unstamped(storedUsers(fresh))).toEqual(unstamped(original));
      // Passwords stay behind: the copies have none until an admin sets one.
      expect(fresh.app.embeddedDirectory.count).toBe(original.length);
      expect(await server.directory.checkPassword('given.pw', 'an admin-chosen password')).toBe(
        true,
      );
      expect(await fresh.directory.checkPassword('given.pw', 'an admin-chosen password')).toBe(
        false,
      );
    } finally {
      await fresh.cleanup();
    }
  });
});

describe('who may import and export', () => {
  it('refuses without a token (401) and an agent who is not an admin (403, audited), changing nothing', async () => {
    const count = server.app.embeddedDirectory.count;
    const csv = `${HEADER}\n${row({ username: 'intruder', displayName: 'Intruder' })}`;
    const anonymous = await postImport(csv, { commit: true, token: null });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error?.code).toBe('unauthenticated');
    const forged = await postImport(csv, { commit: true, token: 'x'.repeat(43) });
    expect(forged.status).toBe(401);
    expect((await getExport(null)).status).toBe(401);

    const agent = await postImport(csv, { commit: true, token: agentToken });
    expect(agent.status).toBe(403);
    expect(agent.body.error?.code).toBe('forbidden');
    const agentExport = await getExport(agentToken);
    expect(agentExport.status).toBe(403);
    expect(await agentExport.text()).not.toContain('user00001');

    const denied = (await readAudit(server)).filter(
      (e) => e.action === 'authz.denied' && e.actor === 'agent:dave',
    );
    expect(denied.map((e) => e.details.route)).toEqual([
      'POST /api/directory/import',
      'GET /api/directory/export',
    ]);
    expect(server.app.embeddedDirectory.count).toBe(count);
    expect(server.app.directoryUsers.search('intruder', 0, 1).total).toBe(0);
  });

  it('refuses an admin who must enrol an authenticator first, as the console does', async () => {
    await server.app.realm.update({ agentTotp: 'admins' }, 'test');
    try {
      const res = await postImport(`${HEADER}\n${row({ username: 'x', displayName: 'X' })}`, {
        commit: true,
      });
      expect(res.status).toBe(401);
      expect(res.body.error?.code).toBe('totp-required');
      expect((await getExport()).status).toBe(401);
      expect(await server.directory.findUser('x')).toBeUndefined();
    } finally {
      await server.app.realm.update({ agentTotp: 'none' }, 'test');
    }
  });

  it('refuses a body over 10 MB with 413, and a body that is not CSV, changing nothing', async () => {
    const count = server.app.embeddedDirectory.count;
    const filler = row({ username: 'big', displayName: 'x'.repeat(100) });
    const big = `${HEADER}\n${`${filler}\n`.repeat(Math.ceil((10.5 * 1024 * 1024) / filler.length))}`;
    const tooBig = await postImport(big, { commit: true });
    expect(tooBig.status).toBe(413);
    expect(tooBig.body.error?.code).toBe('bad-request');

    const json = await postImport(JSON.stringify({ users: [] }), {
      commit: true,
      type: 'application/json',
    });
    expect(json.status).toBe(400);
    const badQuery = await postImport(`${HEADER}\n`, { commit: 'yes' as unknown as boolean });
    expect(badQuery.status).toBe(400);
    expect(server.app.embeddedDirectory.count).toBe(count);
  });
});
