// History and audit over the real server: closed requests searched by each filter, newest first and
// a page at a time, agents kept to their desks; a request's whole trail in words; the audit log
// searched (admins only), its chain checked before and after tampering, and exported as CSV and
// JSONL; and a data dir with 100,000 closed requests searched right after the server starts.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../server/audit/audit-chain';
import { computeEntryHash } from '../../server/audit/audit-chain';
import type { HistoryRow, HistorySearch } from '../../server/contract/history';
import { historyMatches } from '../../server/store/history-query';
import { generateHistory, generatedRequest } from '../support/history-data-dir';
import type { HistoryPlan } from '../support/history-data-dir';
import type { AskedForHelp } from '../support/sign-in-pages';
import { askForHelp, cancelRequest, enterCode } from '../support/sign-in-pages';
import type { AgentSocket, TestServer } from '../support/test-server';
import {
  ask,
  connectAs,
  login,
  must,
  readAudit,
  seedRealm,
  startTestServer,
} from '../support/test-server';

const MINUTE = 60_000;
/** The first page, as the console asks for it. */
const PAGE = { offset: 0, limit: 50 };

let server: TestServer;
let root: AgentSocket;
let alice: AgentSocket;
let bob: AgentSocket;
let carol: AgentSocket;

/** The requests of the story below, in the order they closed, and when each closed. */
const story: { name: string; asked: AskedForHelp; closedAt: number }[] = [];
const requestOf = (name: string) => story.find((s) => s.name === name)!;
const idOf = (name: string) => requestOf(name).asked.requestId;

async function connectAll(): Promise<void> {
  [root, alice, bob, carol] = await Promise.all([
    connectAs(server.url, 'root'),
    connectAs(server.url, 'alice'),
    connectAs(server.url, 'bob'),
    connectAs(server.url, 'carol'),
  ]);
}

async function closed(name: string, asked: AskedForHelp): Promise<void> {
  const request = server.app.requests.find(asked.requestId);
  if (!request || !('closedAt' in request)) throw new Error(`${name} did not close`);
  story.push({ name, asked, closedAt: request.closedAt });
  // Each closes in a minute of its own, so the date range has edges to find.
  server.clock.advance(MINUTE);
}

async function revealFor(agent: AgentSocket, requestId: string): Promise<string> {
  return (await must(agent, 'request:reveal', { requestId })).otp;
}

beforeAll(async () => {
  server = await startTestServer();
  await seedRealm(
    server,
    [
      { username: 'root', displayName: 'Root', role: 'admin', desks: ['1'] },
      { username: 'alice', displayName: 'Alice', role: 'agent', desks: ['1'] },
      { username: 'bob', displayName: 'Bob', role: 'agent', desks: ['2'] },
      { username: 'carol', displayName: 'Carol', role: 'agent', desks: ['1'] },
    ],
    ['jsmith', 'mlee', 'kwong', 'agarcia'],
  );
  await server.app.realm.update({ workflow: 'username|second-factor' }, 'test');
  await connectAll();

  // 1. jsmith on desk 1: alice claims, records two checks with notes, reveals; a wrong code, then the right one.
  const signIn = await askForHelp(server.url, 'jsmith', '1');
  await must(alice, 'request:claim', { requestId: signIn.requestId });
  await must(alice, 'request:verify', {
    requestId: signIn.requestId,
    checkId: 'callback',
    note: 'Called back',
  });
  await must(alice, 'request:verify', {
    requestId: signIn.requestId,
    checkId: 'employee-id',
    note: 'Gave E1',
  });
  const otp = await revealFor(alice, signIn.requestId);
  expect(
    (await enterCode(signIn.browser, otp === '00000000' ? '11111111' : '00000000')).status,
  ).toBe(422);
  await enterCode(signIn.browser, otp);
  await closed('completed', signIn);

  // 2. mlee on desk 2: bob denies.
  const denied = await askForHelp(server.url, 'mlee', '2');
  await must(bob, 'request:claim', { requestId: denied.requestId });
  await must(bob, 'request:deny', { requestId: denied.requestId, reason: 'Could not verify' });
  await closed('denied', denied);

  // 3. kwong on desk 1 cancels before anyone answers.
  const cancelled = await askForHelp(server.url, 'kwong', '1');
  await cancelRequest(cancelled.browser);
  await closed('cancelled', cancelled);

  // 4. agarcia on desk 1: carol reveals twice, then denies.
  const twice = await askForHelp(server.url, 'agarcia', '1');
  await must(carol, 'request:claim', { requestId: twice.requestId });
  await must(carol, 'request:verify', {
    requestId: twice.requestId,
    checkId: 'callback',
    note: 'Rang the number on file',
  });
  await must(carol, 'request:verify', {
    requestId: twice.requestId,
    checkId: 'employee-id',
    note: 'E1',
  });
  await revealFor(carol, twice.requestId);
  await revealFor(carol, twice.requestId);
  await must(carol, 'request:deny', { requestId: twice.requestId, reason: 'Caller hung up' });
  await closed('revealed-twice', twice);

  // 5. jsmith again, on desk 2: nobody answers and it expires.
  const expired = await askForHelp(server.url, 'jsmith', '2');
  server.clock.advance(60 * MINUTE);
  await server.app.requests.expireDue();
  await closed('expired', expired);
});

afterAll(async () => {
  for (const socket of [root, alice, bob, carol]) socket?.disconnect();
  await server?.cleanup();
});

const ids = (rows: HistoryRow[]) => rows.map((row) => row.id);
const newestFirst = (...names: string[]) => names.map(idOf);

describe('history:search', () => {
  it('lists closed requests newest first, with who held them, how they ended and the total', async () => {
    const page = await must(root, 'history:search', PAGE);
    expect(ids(page.rows)).toEqual(
      newestFirst('expired', 'revealed-twice', 'cancelled', 'denied', 'completed'),
    );
    expect(page.total).toBe(5);
    expect(page.rows[4]).toMatchObject({
      reference: requestOf('completed').asked.reference,
      desk: '1',
      username: 'jsmith',
      displayName: 'User jsmith',
      outcome: 'completed',
      agent: 'alice',
    });
    expect(page.rows[2]).toMatchObject({ outcome: 'cancelled', agent: null });
    expect(page.rows[3]).toMatchObject({ outcome: 'denied', agent: 'bob' });
  });

  it('finds them by reference (or its start, as typed), username, agent, desk, outcome and closing time', async () => {
    const search = async (query: Partial<HistorySearch>) =>
      ids((await must(root, 'history:search', { ...PAGE, ...query })).rows);
    const reference = requestOf('completed').asked.reference;
    expect(await search({ reference })).toEqual(newestFirst('completed'));
    expect(await search({ reference: reference.replace('-', '').toLowerCase() })).toEqual(
      newestFirst('completed'),
    );
    expect((await search({ reference: reference.slice(0, 2) })).includes(idOf('completed'))).toBe(
      true,
    );
    expect(await search({ username: 'JSM' })).toEqual(newestFirst('expired', 'completed'));
    expect(await search({ agent: 'carol' })).toEqual(newestFirst('revealed-twice'));
    expect(await search({ desk: '2' })).toEqual(newestFirst('expired', 'denied'));
    expect(await search({ outcome: 'denied' })).toEqual(newestFirst('revealed-twice', 'denied'));
    expect(
      await search({
        from: requestOf('denied').closedAt,
        to: requestOf('revealed-twice').closedAt + 1,
      }),
    ).toEqual(newestFirst('revealed-twice', 'cancelled', 'denied'));
    expect(await search({ username: 'jsmith', desk: '1', outcome: 'completed' })).toEqual(
      newestFirst('completed'),
    );
    expect(await search({ username: 'nobody' })).toEqual([]);
  });

  it('pages through them: a page of the newest, then the next, with the total each time', async () => {
    const first = await must(root, 'history:search', { offset: 0, limit: 2 });
    const second = await must(root, 'history:search', { offset: 2, limit: 2 });
    const last = await must(root, 'history:search', { offset: 4, limit: 2 });
    expect([ids(first.rows), ids(second.rows), ids(last.rows)]).toEqual([
      newestFirst('expired', 'revealed-twice'),
      newestFirst('cancelled', 'denied'),
      newestFirst('completed'),
    ]);
    expect([first.total, second.total, last.total]).toEqual([5, 5, 5]);
  });

  it("shows an agent only their desks' history; another desk's request is not found", async () => {
    expect(ids((await must(alice, 'history:search', PAGE)).rows)).toEqual(
      newestFirst('revealed-twice', 'cancelled', 'completed'),
    );
    expect(await must(bob, 'history:search', PAGE)).toMatchObject({ total: 2 });
    expect(await must(alice, 'history:search', { ...PAGE, desk: '2' })).toEqual({
      rows: [],
      total: 0,
    });
    expect(await must(alice, 'history:search', { ...PAGE, username: 'mlee' })).toEqual({
      rows: [],
      total: 0,
    });
    expect(await ask(alice, 'history:get', { requestId: idOf('denied') })).toMatchObject({
      error: { code: 'not-found' },
    });
    // An admin reads every desk, not only the one they staff.
    expect((await must(root, 'history:get', { requestId: idOf('denied') })).request.state).toBe(
      'denied',
    );
  });

  it('refuses a query it does not understand, with the field named', async () => {
    const answer = await ask(root, 'history:search', { outcome: 'claimed' });
    expect(answer).toMatchObject({
      error: { code: 'bad-request', fields: { outcome: expect.any(String) } },
    });
    expect(await ask(root, 'history:search', { limit: 10_000 })).toMatchObject({
      error: { code: 'bad-request' },
    });
  });
});

describe('history:get', () => {
  it("tells a request's whole trail in words, oldest first: claim, checks with notes, reveal, wrong passcode, outcome", async () => {
    const { request, trail } = await must(alice, 'history:get', { requestId: idOf('completed') });
    expect(request).toMatchObject({
      state: 'completed',
      username: 'jsmith',
      claimedBy: { username: 'alice' },
    });
    const words = trail.map((entry) => entry.words);
    const reference = requestOf('completed').asked.reference;
    expect(words.slice(0, 7)).toEqual([
      expect.stringMatching(
        new RegExp(`^jsmith asked Help Desk 1 for a passcode \\(reference ${reference}`),
      ),
      'alice claimed the request',
      "alice recorded 'Called back the phone number on file': Called back",
      "alice recorded 'Caller stated the employee ID on file': Gave E1",
      'alice revealed a passcode (reveal #1)',
      'jsmith typed a wrong passcode',
      'jsmith typed the right passcode: the request is completed',
    ]);
    expect(trail.map((e) => e.seq)).toEqual([...trail.map((e) => e.seq)].sort((a, b) => a - b));
    expect(trail.every((e) => e.requestId === idOf('completed'))).toBe(true);
    // No directory details in the history: the request as agents saw it, and the log.
    expect(JSON.stringify(request)).not.toContain('jsmith@example.com');
  });

  it('shows a second reveal and the denial, and an open request with its trail so far', async () => {
    const twice = await must(carol, 'history:get', { requestId: idOf('revealed-twice') });
    expect(twice.trail.map((e) => e.words)).toEqual(
      expect.arrayContaining([
        'carol revealed a passcode (reveal #1)',
        'carol revealed a passcode (reveal #2)',
        'carol denied the request: Caller hung up',
      ]),
    );
    const expired = await must(root, 'history:get', { requestId: idOf('expired') });
    expect(expired.trail.at(-1)?.words).toBe('system expired the request');

    const open = await askForHelp(server.url, 'kwong', '1');
    await must(alice, 'request:claim', { requestId: open.requestId });
    const now = await must(alice, 'history:get', { requestId: open.requestId });
    expect(now.request.state).toBe('claimed');
    expect(now.trail.map((e) => e.words).at(-1)).toBe('alice claimed the request');
    await must(alice, 'request:deny', { requestId: open.requestId, reason: 'Test over' });
    expect(ids((await must(root, 'history:search', { offset: 0, limit: 1 })).rows)).toEqual([
      open.requestId,
    ]);
  });

  it('answers not-found for an id nobody has', async () => {
    expect(await ask(root, 'history:get', { requestId: 'x'.repeat(24) })).toMatchObject({
      error: { code: 'not-found' },
    });
  });
});

describe('audit:search', () => {
  it('finds entries by actor, action, request (id or reference) and time, newest first, in words, a page at a time', async () => {
    const log = await readAudit(server);
    const byAlice = await must(root, 'audit:search', {
      offset: 0,
      actor: 'agent:alice',
      limit: 200,
    });
    expect(byAlice.total).toBe(log.filter((e) => e.actor === 'agent:alice').length);
    expect(byAlice.entries.map((e) => e.seq)).toEqual(
      log
        .filter((e) => e.actor === 'agent:alice')
        .map((e) => e.seq)
        .reverse(),
    );
    const reveals = await must(root, 'audit:search', { ...PAGE, action: 'request.otp-revealed' });
    expect(reveals.entries.map((e) => e.words)).toEqual([
      'carol revealed a passcode (reveal #2)',
      'carol revealed a passcode (reveal #1)',
      'alice revealed a passcode (reveal #1)',
    ]);
    const byReference = await must(root, 'audit:search', {
      ...PAGE,
      request: requestOf('completed').asked.reference.toLowerCase(),
    });
    const byId = await must(root, 'audit:search', { ...PAGE, request: idOf('completed') });
    expect(byReference).toEqual(byId);
    expect(byId.entries.map((e) => e.seq)).toEqual(
      log
        .filter((e) => e.requestId === idOf('completed'))
        .map((e) => e.seq)
        .reverse(),
    );
    // Entries are stamped by the server's wall clock: the window is cut from the log's own times.
    const entries = await readAuditEntries();
    const stamp = (action: string, name: string) =>
      Date.parse(entries.find((e) => e.action === action && e.requestId === idOf(name))!.at);
    const window = {
      from: stamp('request.denied', 'denied'),
      to: stamp('request.cancelled', 'cancelled') + 1,
    };
    const inWindow = await must(root, 'audit:search', { ...PAGE, ...window });
    const expected = entries.filter((e) => {
      const at = Date.parse(e.at);
      return at >= window.from && at < window.to;
    });
    expect(inWindow.entries.map((e) => e.seq)).toEqual(expected.map((e) => e.seq).reverse());
    expect(inWindow.total).toBeGreaterThan(0);

    const page = await must(root, 'audit:search', { offset: 3, limit: 4 });
    expect(page.entries.map((e) => e.seq)).toEqual(
      log
        .map((e) => e.seq)
        .reverse()
        .slice(3, 7),
    );
    expect(page.total).toBeGreaterThanOrEqual(log.length);
  });

  it('is for admins: an agent is refused, and the refusal is on the record', async () => {
    expect(await ask(alice, 'audit:search', {})).toMatchObject({ error: { code: 'forbidden' } });
    expect(await ask(alice, 'audit:verify', {})).toMatchObject({ error: { code: 'forbidden' } });
    const refusals = (await readAudit(server)).filter(
      (e) => e.actor === 'agent:alice' && e.action === 'authz.denied',
    );
    expect(refusals.map((e) => e.details.event)).toEqual(['audit:search', 'audit:verify']);
  });
});

describe('audit export', () => {
  const exportUrl = (query: string) => `${server.url}/api/audit/export?${query}`;

  it('streams the filtered entries as CSV, oldest first, in words, with every formula neutralised', async () => {
    // A sign-in attempt under a name a spreadsheet would run: it lands in the log as the actor.
    const formula = '=hyperlink("http://evil.example","click")';
    await fetch(`${server.url}/api/agent/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: formula, password: 'not the password' }),
    });
    const token = await login(server.url, 'root');
    const res = await fetch(exportUrl('format=csv&action=agent.login'), {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('content-disposition')).toMatch(
      /^attachment; filename="audit-log-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    const bytes = Buffer.from(await res.arrayBuffer());
    // A byte-order mark first, so a spreadsheet reads the file as UTF-8.
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.toString('utf8');
    const rows = parse(text, { bom: true, columns: true }) as Record<string, string>[];
    const logins = (await readAudit(server)).filter((e) => e.action.startsWith('agent.login'));
    expect(rows.map((r) => Number(r.seq))).toEqual(logins.map((e) => e.seq));
    expect(Object.keys(rows[0]!)).toEqual([
      'seq',
      'at',
      'actor',
      'action',
      'requestId',
      'words',
      'details',
      'hash',
    ]);
    const attempt = rows.find((r) => r.actor === `agent:${formula}`)!;
    expect(attempt.words).toBe(`'${formula} failed to sign in to the console (no such agent)`);
    expect(rows.every((r) => !/^[=+\-@]/.test(r.words!))).toBe(true);
  });

  it('streams JSONL: each entry exactly as the log holds it, its hash checkable', async () => {
    const token = await login(server.url, 'root');
    const res = await fetch(
      exportUrl(`format=jsonl&request=${encodeURIComponent(idOf('revealed-twice'))}&actor=agent:`),
      { headers: { authorization: `Bearer ${token}` } },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toMatch(/filename="audit-log-.*\.jsonl"/);
    const lines = (await res.text()).trimEnd().split('\n');
    const entries = lines.map((line) => JSON.parse(line) as AuditEntry);
    const stored = (await readAuditEntries()).filter(
      (e) => e.requestId === idOf('revealed-twice') && e.actor.startsWith('agent:'),
    );
    expect(entries).toEqual(stored);
    for (const entry of entries) expect(computeEntryHash(entry)).toBe(entry.hash);
    // Who exported what is on the record.
    const exports = (await readAudit(server)).filter((e) => e.action === 'audit.exported');
    expect(exports.at(-1)).toMatchObject({
      actor: 'agent:root',
      details: { format: 'jsonl', filter: { actor: 'agent:', request: idOf('revealed-twice') } },
    });
  });

  it('is for admins, and refuses a filter it does not understand', async () => {
    expect((await fetch(exportUrl('format=csv'))).status).toBe(401);
    const agentToken = await login(server.url, 'alice');
    const refused = await fetch(exportUrl('format=csv'), {
      headers: { authorization: `Bearer ${agentToken}` },
    });
    expect(refused.status).toBe(403);
    const token = await login(server.url, 'root');
    const bad = await fetch(exportUrl('format=xlsx&from=yesterday'), {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { error: { fields: Record<string, string> } };
    expect(Object.keys(body.error.fields).sort()).toEqual(['format', 'from']);
    const dated = await fetch(exportUrl('format=jsonl&from=2000-01-01&to=2000-01-02'), {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(dated.status).toBe(200);
    expect(await dated.text()).toBe('');
  });
});

describe('audit:verify', () => {
  it('says the chain is intact, then names the seq of an entry altered on disk while the server was stopped', async () => {
    const intact = await must(root, 'audit:verify', {});
    const log = await readAudit(server);
    expect(intact).toMatchObject({ ok: true, entries: log.length });

    // Someone edits a note in the log while the server is down.
    const file = path.join(server.dataDir, 'audit.jsonl');
    const lines = (await readFile(file, 'utf8')).split('\n');
    const at = lines.findIndex((line) => line.includes('"note":"Called back"'));
    expect(at).toBeGreaterThan(0);
    const seq = (JSON.parse(lines[at]!) as AuditEntry).seq;
    lines[at] = lines[at]!.replace('"note":"Called back"', '"note":"Called back twice"');
    for (const socket of [root, alice, bob, carol]) socket.disconnect();
    await server.stop();
    await writeFile(file, lines.join('\n'));
    await server.restart();
    await connectAll();

    const broken = await must(root, 'audit:verify', {});
    expect(broken).toMatchObject({ ok: false, seq, line: seq, entries: seq - 1 });
    if (!broken.ok) expect(broken.reason).toMatch(/altered/);
    // The history is still searchable, and the altered entry reads as it now is.
    const trail = await must(root, 'history:get', { requestId: idOf('completed') });
    expect(trail.trail.map((e) => e.words)).toContain(
      "alice recorded 'Called back the phone number on file': Called back twice",
    );
  });
});

/** The audit log as stored, entries whole. */
async function readAuditEntries(): Promise<AuditEntry[]> {
  const text = await readFile(path.join(server.dataDir, 'audit.jsonl'), 'utf8');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as AuditEntry);
}

describe('a long history', () => {
  it('starts with 100,000 closed requests in the data dir and searches them correctly at once', async () => {
    const big = await startTestServer();
    try {
      await seedRealm(big, [
        { username: 'root', displayName: 'Root', role: 'admin', desks: ['1'] },
        { username: 'alice', displayName: 'Alice', role: 'agent', desks: ['1'] },
      ]);
      await big.stop();
      const plan: HistoryPlan = {
        count: 100_000,
        agents: [
          { id: 'a-alice', username: 'alice' },
          { id: 'a-bob', username: 'bob' },
          { id: 'a-carol', username: 'carol' },
        ],
        users: 7_919,
        firstClosedAt: Date.UTC(2026, 0, 1),
        auditEvery: 1_000,
      };
      await generateHistory(big.dataDir, plan);
      const started = performance.now();
      await big.restart();
      const startMs = performance.now() - started;
      // Start-up does not wait for the history to be indexed.
      expect(startMs).toBeLessThan(10_000);
      const health = (await (await fetch(`${big.url}/healthz`)).json()) as {
        storage: { closedRequests: number };
      };
      expect(health.storage.closedRequests).toBe(100_000);

      const requests = Array.from({ length: plan.count }, (_, n) => generatedRequest(n, plan));
      const rootSocket = await connectAs(big.url, 'root');
      const aliceSocket = await connectAs(big.url, 'alice');
      try {
        const queries: HistorySearch[] = [
          { offset: 0, limit: 50 },
          { username: 'user42', offset: 0, limit: 50 },
          { reference: requests[77_777]!.reference.slice(0, 3), offset: 0, limit: 50 },
          { reference: requests[12_345]!.reference, offset: 0, limit: 50 },
          { agent: 'bob', outcome: 'denied', offset: 100, limit: 50 },
          { desk: '2', from: Date.UTC(2026, 1, 1), to: Date.UTC(2026, 1, 8), offset: 0, limit: 50 },
        ];
        for (const query of queries) {
          const expected = requests.filter((r) => historyMatches(r, query)).reverse();
          const page = await must(rootSocket, 'history:search', query);
          expect({ query, total: page.total, ids: ids(page.rows) }).toEqual({
            query,
            total: expected.length,
            ids: expected.slice(query.offset, query.offset + query.limit).map((r) => r.id),
          });
        }
        // An agent of desk 1 sees only desk 1's two thirds.
        const desk1 = await must(aliceSocket, 'history:search', { offset: 0, limit: 1 });
        expect(desk1.total).toBe(requests.filter((r) => r.desk === '1').length);
        // The trail of a generated request, from the audit log.
        const detail = await must(rootSocket, 'history:get', { requestId: requests[5_000]!.id });
        expect(detail.request).toMatchObject({
          state: 'completed',
          claimedBy: { username: 'carol' },
        });
        expect(detail.trail.map((e) => e.words)).toEqual([
          'user5000 asked Help Desk 1 for a passcode (reference ' +
            requests[5_000]!.reference +
            ')',
          'carol claimed the request',
          'user5000 typed the right passcode: the request is completed',
        ]);
      } finally {
        rootSocket.disconnect();
        aliceSocket.disconnect();
      }
    } finally {
      await big.cleanup();
    }
  }, 120_000);
});
