// "This wasn't me" over the real server: the link in the user's notice mail, opened (changes nothing)
// and confirmed (ends the open request, blocks the help-desk method, alerts admins live, audited),
// once; forged and expired links refused; and admins listing and clearing blocks.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { NOT_ME_LINK_TTL_MS } from '../../server/requests/not-me-reports';
import type { OutboxMessage } from '../../server/store/repositories';
import { FormBrowser, pageText } from '../support/form-browser';
import { askForHelp, identify } from '../support/sign-in-pages';
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
let alice: AgentSocket;
let root: AgentSocket;

const BLOCKED_TEXT =
  "The help desk can't take a request for this account right now. Contact your administrator.";

beforeAll(async () => {
  server = await startTestServer();
  await seedRealm(
    server,
    [
      { username: 'alice', displayName: 'Alice', role: 'agent', desks: ['1'] },
      { username: 'root', displayName: 'Root', role: 'admin', desks: ['1', '2'] },
    ],
    ['jsmith', 'rpatel', 'mlee', 'kwong', 'agarcia', 'tnguyen'],
  );
  alice = await connectAgent(server.url, await login(server.url, 'alice'));
  root = await connectAgent(server.url, await login(server.url, 'root'));
  await must(root, 'config:update', { workflow: 'username|second-factor' });
  await must(root, 'mail:configure', {
    settings: {
      enabled: true,
      host: 'smtp.example.com',
      port: 587,
      tls: 'starttls',
      caCertificate: '',
      username: '',
      fromAddress: 'helpdesk@example.com',
      fromName: 'Help Desk',
    },
  });
});

afterAll(async () => {
  alice?.disconnect();
  root?.disconnect();
  await server?.cleanup();
});

async function outbox(): Promise<OutboxMessage[]> {
  const text = await readFile(path.join(server.dataDir, 'outbox.json'), 'utf8');
  return (JSON.parse(text) as { messages: OutboxMessage[] }).messages;
}

/**
 * A request of `username` with a passcode revealed, and the "This wasn't me" link (path and query)
 * from the notice mailed to them.
 */
async function revealedWithLink(username: string) {
  const asked = await askForHelp(server.url, username, '1');
  const { requestId } = asked;
  await must(alice, 'request:claim', { requestId });
  await must(alice, 'request:verify', { requestId, checkId: 'callback', note: 'Called back' });
  await must(alice, 'request:verify', { requestId, checkId: 'employee-id', note: 'Gave E1' });
  await must(alice, 'request:reveal', { requestId });
  const mail = await vi.waitFor(
    async () => {
      const found = (await outbox()).find(
        (m) => m.requestId === requestId && m.kind === 'passcode-issued',
      );
      if (!found) throw new Error('no notice yet');
      return found;
    },
    { timeout: 5_000, interval: 20 },
  );
  const url = /(http:\/\/\S+\/sign-in\/not-me\?t=\S+)/.exec(mail.text)?.[1];
  if (!url) throw new Error('no link in the notice');
  expect(url.startsWith(`${server.url}/sign-in/not-me?t=`)).toBe(true);
  const link = url.slice(server.url.length);
  const token = decodeURIComponent(new URL(url).searchParams.get('t') ?? '');
  return { ...asked, link, token };
}

const notMeAudits = async (requestId: string) =>
  (await readAudit(server)).filter(
    (e) => e.action === 'signin.not-me' && e.requestId === requestId,
  );

describe('"This wasn\'t me"', () => {
  it('opening the link shows what confirming does and changes nothing', async () => {
    const { requestId, link } = await revealedWithLink('jsmith');
    const browser = new FormBrowser(server.url);
    // Opened twice, as a mail scanner and then the user would.
    await browser.get(link);
    const page = await browser.get(link);
    expect(page.status).toBe(200);
    expect(pageText(page.html)).toContain("Wasn't this you?");
    expect(page.html).toContain('action="/sign-in/not-me"');

    expect((await must(alice, 'request:get', { requestId })).state).toBe('otp-issued');
    expect((await must(root, 'blocks:list', {})).blocks).toEqual([]);
    expect(await notMeAudits(requestId)).toEqual([]);
  });

  it('confirming ends the open request, blocks the method, alerts admins live, and is audited', async () => {
    const { requestId, link, token } = await revealedWithLink('rpatel');
    const ended = nextEvent(
      alice,
      'request:updated',
      (r) => r.id === requestId && r.state === 'denied',
    );
    const alert = nextEvent(root, 'alert:raised', (a) => a.username === 'rpatel');
    let agentAlerted = false;
    const spy = () => {
      agentAlerted = true;
    };
    alice.on('alert:raised', spy);

    const browser = new FormBrowser(server.url);
    await browser.get(link);
    const done = await browser.post('/sign-in/not-me', { t: token });
    expect(done.status).toBe(200);
    expect(pageText(done.html)).toContain('help-desk sign-in is blocked for your account');

    expect((await ended).closedReason).toMatch(/wasn't them/);
    expect(await alert).toMatchObject({ kind: 'not-me', username: 'rpatel' });
    const audits = await notMeAudits(requestId);
    expect(audits).toHaveLength(1);
    expect(audits[0]!.details).toMatchObject({ ip: expect.any(String), endedRequests: 1 });
    expect((await must(root, 'blocks:list', {})).blocks).toEqual([
      expect.objectContaining({ username: 'rpatel', reason: 'not-me', by: 'user:rpatel' }),
    ]);
    // Admins only: an agent's console never heard it.
    await must(alice, 'queue:list', {});
    expect(agentAlerted).toBe(false);
    alice.off('alert:raised', spy);

    // The method page offers no desk and says nothing more; a form sent anyway is refused.
    const user = await identify(server.url, 'rpatel');
    const method = await user.get('/sign-in/method');
    expect(pageText(method.html)).toContain(BLOCKED_TEXT);
    expect(method.html).not.toContain('name="desk"');
    const sent = await user.post('/sign-in/method', { desk: '1' });
    expect(sent.status).toBe(403);
    expect(pageText(sent.html)).toContain(BLOCKED_TEXT);
    const queue = await must(alice, 'queue:list', {});
    expect(queue.requests.filter((r) => r.username === 'rpatel')).toEqual([]);
    const refusals = (await readAudit(server)).filter(
      (e) => e.action === 'request.refused' && e.actor === 'user:rpatel',
    );
    expect(refusals).toEqual([
      expect.objectContaining({ details: expect.objectContaining({ reason: 'method-blocked' }) }),
    ]);
  });

  it('a form without its CSRF token changes nothing', async () => {
    const { requestId, link, token } = await revealedWithLink('mlee');
    const browser = new FormBrowser(server.url);
    await browser.get(link);
    const refused = await browser.post('/sign-in/not-me', { t: token, _csrf: 'forged' });
    expect(refused.status).toBe(403);
    expect((await must(alice, 'request:get', { requestId })).state).toBe('otp-issued');
    expect(await notMeAudits(requestId)).toEqual([]);
  });

  it('works once: twenty simultaneous confirmations have one effect, the rest are told it was used', async () => {
    const { requestId, link, token } = await revealedWithLink('agarcia');
    let alerts = 0;
    const count = (a: { username: string }) => {
      if (a.username === 'agarcia') alerts += 1;
    };
    root.on('alert:raised', count);
    const browser = new FormBrowser(server.url);
    await browser.get(link);

    const pages = await Promise.all(
      Array.from({ length: 20 }, () => browser.post('/sign-in/not-me', { t: token })),
    );
    expect(pages.filter((p) => p.status === 200)).toHaveLength(1);
    const used = pages.filter((p) => p.status === 410);
    expect(used).toHaveLength(19);
    for (const page of used) expect(pageText(page.html)).toContain('already been used');

    expect(await notMeAudits(requestId)).toHaveLength(1);
    // The alert is sent before the answer it belongs to is over; a round trip later all are in.
    await must(root, 'blocks:list', {});
    expect(alerts).toBe(1);
    root.off('alert:raised', count);
    expect(
      (await must(root, 'blocks:list', {})).blocks.filter((b) => b.username === 'agarcia'),
    ).toHaveLength(1);
  });

  it('a forged link is refused, opened or confirmed, and changes nothing', async () => {
    const { requestId, link, token } = await revealedWithLink('kwong');
    const [payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >;
    const otherUser = Buffer.from(JSON.stringify({ ...claims, username: 'jsmith' })).toString(
      'base64url',
    );
    const forgeries = [`${otherUser}.${signature}`, `${payload}.${'A'.repeat(43)}`, 'nonsense'];
    const browser = new FormBrowser(server.url);
    await browser.get(link);
    for (const forged of forgeries) {
      const opened = await browser.get(`/sign-in/not-me?t=${encodeURIComponent(forged)}`);
      expect(opened.status).toBe(400);
      expect(pageText(opened.html)).toContain("This link isn't valid");
      const confirmed = await browser.post('/sign-in/not-me', { t: forged });
      expect(confirmed.status).toBe(400);
    }
    expect((await must(alice, 'request:get', { requestId })).state).toBe('otp-issued');
    expect(await notMeAudits(requestId)).toEqual([]);
    const blocked = (await must(root, 'blocks:list', {})).blocks.map((b) => b.username);
    expect(blocked).not.toContain('jsmith');
    expect(blocked).not.toContain('kwong');
  });
});

describe('blocks, as admins manage them', () => {
  it('only admins list or clear them', async () => {
    expect(await ask(alice, 'blocks:list', {})).toMatchObject({ error: { code: 'forbidden' } });
    expect(
      await ask(alice, 'blocks:clear', { username: 'rpatel', reason: 'Checked with the user' }),
    ).toMatchObject({ error: { code: 'forbidden' } });
  });

  it('clearing needs a reason, is audited with it, and lets the user ask the help desk again', async () => {
    expect(await ask(root, 'blocks:clear', { username: 'rpatel', reason: '' })).toMatchObject({
      error: { code: 'bad-request' },
    });
    const cleared = await must(root, 'blocks:clear', {
      username: 'RPatel',
      reason: 'Called the user back on the number on file; it was their colleague',
    });
    expect(cleared).toEqual({ username: 'rpatel' });
    const audit = (await readAudit(server)).filter((e) => e.action === 'block.cleared');
    expect(audit).toEqual([
      expect.objectContaining({
        actor: 'agent:root',
        details: expect.objectContaining({
          username: 'rpatel',
          reason: 'Called the user back on the number on file; it was their colleague',
          blockedFor: 'not-me',
        }),
      }),
    ]);
    expect((await must(root, 'blocks:list', {})).blocks.map((b) => b.username)).not.toContain(
      'rpatel',
    );
    expect(
      await ask(root, 'blocks:clear', { username: 'rpatel', reason: 'Again, by mistake' }),
    ).toMatchObject({ error: { code: 'not-found' } });

    const again = await askForHelp(server.url, 'rpatel', '1');
    expect((await must(alice, 'request:get', { requestId: again.requestId })).state).toBe('queued');
  });
});

describe('an expired link', () => {
  it('is refused, opened or confirmed, and changes nothing', async () => {
    const { requestId, link, token } = await revealedWithLink('tnguyen');
    const browser = new FormBrowser(server.url);
    await browser.get(link);
    server.clock.advance(NOT_ME_LINK_TTL_MS);
    const opened = await browser.get(link);
    expect(opened.status).toBe(410);
    expect(pageText(opened.html)).toContain('This link has expired');
    const confirmed = await browser.post('/sign-in/not-me', { t: token });
    expect(confirmed.status).toBe(410);
    expect(await notMeAudits(requestId)).toEqual([]);
    // A week on, the agents' sessions have lapsed too: an admin signs in again to look.
    const admin = await connectAgent(server.url, await login(server.url, 'root'));
    try {
      const blocks = (await must(admin, 'blocks:list', {})).blocks;
      expect(blocks.map((b) => b.username)).not.toContain('tnguyen');
    } finally {
      admin.disconnect();
    }
  });
});
