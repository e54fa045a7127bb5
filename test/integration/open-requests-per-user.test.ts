// One open request per browser and at most two per user, under concurrency; a second browser contests, never cancels.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestView } from '../../server/contract/request-view';
import { FormBrowser, pageText, requestIdOn } from '../support/form-browser';
import { askForHelp, cancelRequest, enterCode, sendRequest } from '../support/sign-in-pages';
import type { AgentSocket, TestServer } from '../support/test-server';
import {
  ask,
  connectAgent,
  login,
  must,
  nextEvent,
  readAudit,
  seedRealm,
  startTestServer,
} from '../support/test-server';

let server: TestServer;
let admin: AgentSocket;

const USERS = ['jsmith', 'mlee', 'agarcia', 'rpatel', 'tnguyen', 'kwong'];

beforeAll(async () => {
  server = await startTestServer();
  await seedRealm(
    server,
    [{ username: 'root', displayName: 'Root', role: 'admin', desks: ['1', '2'] }],
    USERS,
  );
  await server.app.realm.update({ workflow: 'username|second-factor' }, 'test');
  admin = await connectAgent(server.url, await login(server.url, 'root'));
});

afterAll(async () => {
  admin?.disconnect();
  await server?.cleanup();
});

/** The user's open requests as the agents' queue lists them, oldest first. */
async function openFor(username: string): Promise<RequestView[]> {
  const { requests } = await must(admin, 'queue:list', {});
  return requests.filter((r) => r.username === username);
}

/** A browser on the sign-in pages that has typed `username` and is on the method page. */
async function onMethodPage(username: string): Promise<FormBrowser> {
  const browser = new FormBrowser(server.url);
  await browser.get('/sign-in');
  const identified = await browser.post('/sign-in', { username });
  expect(identified).toMatchObject({ status: 303, location: '/sign-in/method' });
  await browser.get('/sign-in/method');
  return browser;
}

async function verifyFully(requestId: string) {
  await must(admin, 'request:claim', { requestId });
  await must(admin, 'request:verify', { requestId, checkId: 'callback', note: 'Called back' });
  await must(admin, 'request:verify', { requestId, checkId: 'employee-id', note: 'Gave E1' });
}

describe('simultaneous submissions for one user', () => {
  it('from one browser (one cookie), 20 at once leave exactly one open request; the rest are superseded and audited', async () => {
    const browser = await onMethodPage('rpatel');
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => browser.post('/sign-in/method', { desk: '1' })),
    );
    const accepted = answers.filter((a) => a.status === 303 && a.location === '/sign-in/request');
    // The per-username limit of the request step lets some through; the rest are told to wait.
    const limited = answers.filter((a) => a.status === 429);
    expect(accepted.length + limited.length).toBe(20);
    expect(accepted.length).toBeGreaterThanOrEqual(5);

    const open = await openFor('rpatel');
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ contested: false, contestedWith: [] });

    const audit = await readAudit(server);
    const submitted = audit
      .filter((e) => e.action === 'request.submitted' && e.actor === 'user:rpatel')
      .map((e) => e.requestId!);
    expect(submitted).toHaveLength(accepted.length);
    const superseded = audit
      .filter((e) => e.action === 'request.superseded' && submitted.includes(e.requestId!))
      .map((e) => e.requestId);
    expect(superseded).toHaveLength(accepted.length - 1);
    expect(superseded).not.toContain(open[0]!.id);
    for (const id of submitted.filter((id) => id !== open[0]!.id)) {
      expect(server.app.requests.find(id)).toMatchObject({
        state: 'cancelled',
        closedReason: expect.stringMatching(/superseded/i),
      });
    }
    expect(audit.some((e) => e.action === 'request.contested' && e.actor === 'user:rpatel')).toBe(
      false,
    );
  });

  it('from many browsers at once, at most two stay open and the first is never cancelled', async () => {
    const first = await onMethodPage('tnguyen');
    const firstPage = await first.submit('/sign-in/method', { desk: '1' });
    const firstId = requestIdOn(firstPage.html);

    const others = await Promise.all(Array.from({ length: 9 }, () => onMethodPage('tnguyen')));
    const answers = await Promise.all(
      others.map((browser) => browser.post('/sign-in/method', { desk: '2' })),
    );
    const accepted = answers.filter((a) => a.status === 303).length;
    expect(accepted).toBeGreaterThanOrEqual(5);

    const open = await openFor('tnguyen');
    expect(open).toHaveLength(2);
    expect(open.map((r) => r.id)).toContain(firstId);
    const [oldest, newest] = open;
    expect(oldest).toMatchObject({
      id: firstId,
      contested: true,
      contestedWith: [newest!.reference],
    });
    expect(newest).toMatchObject({ contested: true, contestedWith: [oldest!.reference] });
    // Every other accepted request was superseded by a later one, and said so in the audit log.
    const audit = await readAudit(server);
    const tnguyen = audit.filter(
      (e) => e.action === 'request.submitted' && e.actor === 'user:tnguyen',
    );
    expect(tnguyen).toHaveLength(accepted + 1);
    const superseded = audit.filter(
      (e) => e.action === 'request.superseded' && tnguyen.some((s) => s.requestId === e.requestId),
    );
    expect(superseded).toHaveLength(accepted - 1);
    expect(superseded.map((e) => e.requestId)).not.toContain(firstId);
  });
});

describe('a second browser contests, it does not cancel', () => {
  it('two browsers asking for one user: both stay open and contested, reveal is refused until the agent denies the other', async () => {
    const caller = await askForHelp(server.url, 'jsmith');
    const first = { id: caller.requestId, reference: caller.reference };
    const partnerUpdated = nextEvent(
      admin,
      'request:updated',
      (r) => r.id === first.id && r.contested,
    );
    const created = nextEvent(admin, 'request:created', (r) => r.username === 'jsmith');
    const impostor = await askForHelp(server.url, 'jsmith', '2');
    const second = { id: impostor.requestId, reference: impostor.reference };

    // Both agents' views say so, live: the new row arrives contested and the first row is updated.
    expect(await created).toMatchObject({
      id: second.id,
      contested: true,
      contestedWith: [first.reference],
    });
    expect(await partnerUpdated).toMatchObject({ contestedWith: [second.reference] });
    const open = await openFor('jsmith');
    expect(open.map((r) => [r.id, r.contested, r.contestedWith])).toEqual([
      [first.id, true, [second.reference]],
      [second.id, true, [first.reference]],
    ]);
    expect((await must(admin, 'request:get', { requestId: first.id })).contested).toBe(true);

    const contested = (await readAudit(server)).filter((e) => e.action === 'request.contested');
    expect(contested.at(-1)).toMatchObject({
      actor: 'user:jsmith',
      requestId: second.id,
      details: { with: first.reference, ip: expect.any(String) },
    });

    // Verified or not, neither gets a passcode while the other is open.
    await verifyFully(first.id);
    for (const id of [first.id, second.id]) {
      if (id === second.id) await must(admin, 'request:claim', { requestId: id });
      const refused = await ask(admin, 'request:reveal', { requestId: id });
      expect(refused).toEqual({
        error: {
          code: 'contested',
          message:
            'Two browsers asked for jsmith. Ask the caller for their reference, then deny the other request before revealing.',
        },
      });
    }
    const refusals = (await readAudit(server)).filter(
      (e) => e.action === 'request.reveal-refused' && e.requestId === first.id,
    );
    expect(refusals.at(-1)?.details).toMatchObject({ reason: 'contested' });

    // The caller reads out their reference; the agent denies the other one.
    const uncontested = nextEvent(
      admin,
      'request:updated',
      (r) => r.id === first.id && !r.contested,
    );
    await must(admin, 'request:deny', { requestId: second.id, reason: 'Not the caller' });
    expect(await uncontested).toMatchObject({ contested: false, contestedWith: [] });
    const { otp } = await must(admin, 'request:reveal', { requestId: first.id });
    const done = await enterCode(caller.browser, otp);
    expect(pageText(done.html)).toContain("You're signed in");
    expect(server.app.requests.find(first.id)?.state).toBe('completed');
  });

  it('a newer request from the same browser still supersedes the older one, uncontested', async () => {
    const first = await askForHelp(server.url, 'mlee');
    const cancelled = nextEvent(
      admin,
      'request:updated',
      (r) => r.id === first.requestId && r.state === 'cancelled',
    );
    const second = await sendRequest(first.browser, '2');
    expect((await cancelled).closedReason).toMatch(/superseded/i);
    const open = await openFor('mlee');
    expect(open.map((r) => [r.id, r.contested])).toEqual([[second.requestId, false]]);
  });

  it('a third browser supersedes the newest other request, never the oldest', async () => {
    const a = await askForHelp(server.url, 'agarcia');
    const b = await askForHelp(server.url, 'agarcia');
    const bCancelled = nextEvent(
      admin,
      'request:updated',
      (r) => r.id === b.requestId && r.state === 'cancelled',
    );
    const aRelinked = nextEvent(
      admin,
      'request:updated',
      (r) =>
        r.id === a.requestId && r.contestedWith.length === 1 && r.contestedWith[0] !== b.reference,
    );
    const c = await askForHelp(server.url, 'agarcia');
    expect((await bCancelled).closedReason).toMatch(/superseded/i);
    expect(await aRelinked).toMatchObject({ contested: true, contestedWith: [c.reference] });
    const open = await openFor('agarcia');
    expect(open.map((r) => r.id)).toEqual([a.requestId, c.requestId]);
    const audit = await readAudit(server);
    expect(audit.filter((e) => e.requestId === b.requestId).map((e) => e.action)).toEqual([
      'request.submitted',
      'request.contested',
      'request.superseded',
    ]);
    // Flagged contested once (when b asked), and never cancelled.
    expect(audit.filter((e) => e.requestId === a.requestId).map((e) => e.action)).toEqual([
      'request.submitted',
      'request.risk-flagged',
    ]);
  });

  it('stops being contested by itself when the other request ends, e.g. its user cancels', async () => {
    const first = await askForHelp(server.url, 'kwong');
    const other = await askForHelp(server.url, 'kwong');
    expect((await openFor('kwong')).every((r) => r.contested)).toBe(true);
    const settled = nextEvent(
      admin,
      'request:updated',
      (r) => r.id === first.requestId && !r.contested,
    );
    await cancelRequest(other.browser);
    expect(server.app.requests.find(other.requestId)?.state).toBe('cancelled');
    expect(await settled).toMatchObject({ contested: false, contestedWith: [] });
  });
});
