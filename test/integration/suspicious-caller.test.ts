// "Suspicious caller" over the real server: the holder ends the request with a description; the
// help-desk method is blocked for the user for the policy's hours (a neutral message), the user's
// other open request ends, every admin is alerted live and by mail, the evidence is in the audit
// log, and an admin can clear the block with a reason.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultRiskPolicy } from '../../server/contract/risk';
import type { OutboxMessage } from '../../server/store/repositories';
import { pageText } from '../support/form-browser';
import { askForHelp, identify } from '../support/sign-in-pages';
import type { AgentSocket, TestServer } from '../support/test-server';
import {
  ask,
  connectAs,
  must,
  nextEvent,
  readAudit,
  seedRealm,
  startTestServer,
} from '../support/test-server';

let server: TestServer;
let alice: AgentSocket;
let bob: AgentSocket;
let root: AgentSocket;

const BLOCKED_TEXT =
  "The help desk can't take a request for this account right now. Contact your administrator.";
const HOUR = 3_600_000;

beforeAll(async () => {
  server = await startTestServer();
  await seedRealm(
    server,
    [
      { username: 'alice', displayName: 'Alice', role: 'agent', desks: ['1'] },
      { username: 'bob', displayName: 'Bob', role: 'agent', desks: ['1'] },
      { username: 'root', displayName: 'Root', role: 'admin', desks: ['2'] },
    ],
    ['jsmith', 'mlee', 'kwong'],
  );
  [alice, bob, root] = await Promise.all([
    connectAs(server.url, 'alice'),
    connectAs(server.url, 'bob'),
    connectAs(server.url, 'root'),
  ]);
  await must(root, 'config:update', {
    workflow: 'username|second-factor',
    riskPolicy: { ...defaultRiskPolicy(), suspiciousBlockHours: 24 },
    notifications: {
      passcodeIssued: false,
      signInCompleted: false,
      deskNewRequest: { '1': false, '2': false },
      securityAlertsTo: 'security@example.com',
    },
  });
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
  for (const socket of [alice, bob, root]) socket?.disconnect();
  await server?.cleanup();
});

async function outbox(): Promise<OutboxMessage[]> {
  const text = await readFile(path.join(server.dataDir, 'outbox.json'), 'utf8');
  return (JSON.parse(text) as { messages: OutboxMessage[] }).messages;
}

describe('reporting a suspicious caller', () => {
  it('ends the request, blocks the user, ends their other request, alerts admins live and by mail, and keeps the evidence', async () => {
    const first = await askForHelp(server.url, 'jsmith', '1');
    const second = await askForHelp(server.url, 'jsmith', '1');
    const { requestId } = first;
    await must(alice, 'request:claim', { requestId });
    await must(alice, 'request:verify', {
      requestId,
      checkId: 'employee-id',
      note: 'Knew the ID but not the manager',
    });
    const alert = nextEvent(root, 'alert:raised', (a) => a.kind === 'suspicious-caller');
    const description = 'Caller pushed for speed and refused a callback to the number on file.';
    const ended = await must(alice, 'request:suspicious', { requestId, description });
    expect(ended).toMatchObject({
      state: 'denied',
      closedReason: `Suspicious caller: ${description}`,
    });

    const raised = await alert;
    expect(raised).toMatchObject({ username: 'jsmith', reference: first.reference });
    expect(raised.message).toContain(description);

    // The other open request of the user ended with it.
    const other = await must(alice, 'request:get', { requestId: second.requestId });
    expect(other.state).toBe('denied');

    // The user is told only to contact their administrator, whatever they try.
    const browser = await identify(server.url, 'jsmith');
    await browser.get('/sign-in/method');
    const refused = await browser.submit('/sign-in/method', { desk: '1' });
    expect(pageText(refused.html)).toContain(BLOCKED_TEXT);
    expect(pageText(refused.html)).not.toMatch(/suspicious/i);

    // Admins see the block with its end; agents may not.
    const { blocks } = await must(root, 'blocks:list', {});
    const block = blocks.find((b) => b.username === 'jsmith');
    expect(block).toMatchObject({ reason: 'suspicious-caller', by: 'agent:alice' });
    expect(block?.until).toBeGreaterThan(Date.now() + 23 * HOUR);
    expect(await ask(alice, 'blocks:list', {})).toMatchObject({ error: { code: 'forbidden' } });

    // The evidence: the request, its origin, the checks with their notes, the description.
    const audit = await readAudit(server);
    const evidence = audit.find((e) => e.action === 'request.suspicious-caller');
    expect(evidence).toMatchObject({
      actor: 'agent:alice',
      requestId,
      details: {
        description,
        reference: first.reference,
        username: 'jsmith',
        origin: { ip: expect.any(String), userAgent: expect.any(String) },
        checks: [
          {
            checkId: 'employee-id',
            note: 'Knew the ID but not the manager',
            by: 'alice',
            method: 'attested',
          },
        ],
        risk: { level: expect.any(String) },
      },
    });
    expect(audit.find((e) => e.action === 'block.added')).toMatchObject({
      details: { username: 'jsmith', reason: 'suspicious-caller' },
    });
    expect(
      audit.find(
        (e) => e.action === 'request.ended-suspicious-caller' && e.requestId === second.requestId,
      ),
    ).toBeDefined();

    // And the security address gets the alert by mail.
    const mails = (await outbox()).filter((m) => m.kind === 'security-alert');
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({ to: ['security@example.com'] });
    expect(mails[0]?.subject).toContain('suspicious caller');
    expect(mails[0]?.text).toContain(description);
  });

  it('only the holder may report, with a description', async () => {
    const { requestId } = await askForHelp(server.url, 'mlee', '1');
    expect(
      await ask(alice, 'request:suspicious', { requestId, description: 'Nobody holds this yet' }),
    ).toMatchObject({ error: { code: 'invalid-state' } });
    await must(alice, 'request:claim', { requestId });
    expect(
      await ask(bob, 'request:suspicious', { requestId, description: 'Not mine to report here' }),
    ).toMatchObject({ error: { code: 'not-claimed-by-you' } });
    expect(await ask(alice, 'request:suspicious', { requestId, description: 'odd' })).toMatchObject(
      { error: { code: 'bad-request' } },
    );
    expect((await must(alice, 'request:get', { requestId })).state).toBe('claimed');
    expect((await must(root, 'blocks:list', {})).blocks.map((b) => b.username)).not.toContain(
      'mlee',
    );
    await must(alice, 'request:deny', { requestId, reason: 'Test done' });
  });

  it('lapses after the policy’s hours by itself', async () => {
    await must(root, 'config:update', {
      riskPolicy: { ...defaultRiskPolicy(), suspiciousBlockHours: 1 },
    });
    const { requestId } = await askForHelp(server.url, 'kwong', '1');
    await must(alice, 'request:claim', { requestId });
    await must(alice, 'request:suspicious', {
      requestId,
      description: 'Could not name their own department.',
    });
    const blocked = await identify(server.url, 'kwong');
    await blocked.get('/sign-in/method');
    expect(pageText((await blocked.submit('/sign-in/method', { desk: '1' })).html)).toContain(
      BLOCKED_TEXT,
    );
    server.clock.advance(HOUR + 1_000);
    try {
      expect((await must(root, 'blocks:list', {})).blocks.map((b) => b.username)).not.toContain(
        'kwong',
      );
      const again = await askForHelp(server.url, 'kwong', '1');
      expect(again.reference).toMatch(/\w/);
    } finally {
      server.clock.advance(-(HOUR + 1_000));
    }
  });

  it('an admin clears the block with a reason, audited, and the user may ask again', async () => {
    expect(await ask(root, 'blocks:clear', { username: 'jsmith', reason: '' })).toMatchObject({
      error: { code: 'bad-request' },
    });
    await must(root, 'blocks:clear', {
      username: 'jsmith',
      reason: 'Verified in person at the front desk',
    });
    const audit = await readAudit(server);
    expect(audit.find((e) => e.action === 'block.cleared')).toMatchObject({
      actor: 'agent:root',
      details: {
        username: 'jsmith',
        reason: 'Verified in person at the front desk',
        blockedFor: 'suspicious-caller',
      },
    });
    const asked = await askForHelp(server.url, 'jsmith', '1');
    expect(asked.reference).toMatch(/\w/);
  });
});
