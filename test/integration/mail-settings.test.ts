// The realm's SMTP connection as an admin sets it up over the socket, against a real SMTP server
// started for this file: the password is kept with the keys and never sent or audited, only admins
// may touch it, and "Send test mail" either delivers or names the stage that failed.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RealmConfig } from '../../server/contract/realm-config';
import type { SmtpTestServer } from '../support/smtp-server';
import { freePort, startSmtpServer } from '../support/smtp-server';
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

let smtp: SmtpTestServer;
/** Takes mail without TLS or a login (a local relay), and refuses STARTTLS. */
let relay: SmtpTestServer;
/** TLS from the first byte (as on port 465), with a login. */
let implicit: SmtpTestServer;
let server: TestServer;
let admin: AgentSocket;
let agent: AgentSocket;

beforeAll(async () => {
  [smtp, relay, implicit] = await Promise.all([
    startSmtpServer({ rejectRecipients: ['nobody@example.com'] }),
    startSmtpServer({ tls: 'none', auth: 'none' }),
    startSmtpServer({ tls: 'implicit' }),
  ]);
  server = await startTestServer();
  await seedRealm(server, [
    { username: 'root', displayName: 'Root', role: 'admin', desks: ['1', '2'] },
    { username: 'alice', displayName: 'Alice', role: 'agent', desks: ['1'] },
  ]);
  admin = await connectAgent(server.url, await login(server.url, 'root'));
  agent = await connectAgent(server.url, await login(server.url, 'alice'));
});

afterAll(async () => {
  admin?.disconnect();
  agent?.disconnect();
  await server?.cleanup();
  await Promise.all([smtp?.dispose(), relay?.dispose(), implicit?.dispose()]);
});

describe('an admin configures SMTP', () => {
  it('saves the settings and keeps the password with the keys, never in an answer, an event or the audit', async () => {
    const pushed = nextEvent(admin, 'config:updated');
    const answer = await must(admin, 'mail:configure', {
      settings: smtp.settings(),
      password: smtp.password,
    });
    expect(answer.settings).toEqual(smtp.settings());
    expect(answer.status).toMatchObject({ enabled: true, passwordSaved: true });
    const config: RealmConfig = await pushed;
    expect(config.mail).toEqual(smtp.settings());
    const fetched = await must(admin, 'config:get', {});
    expect(fetched.mail).toEqual(smtp.settings());

    for (const seen of [answer, config, fetched, await must(admin, 'mail:status', {})])
      expect(JSON.stringify(seen)).not.toContain(smtp.password);
    const auditText = await readFile(path.join(server.dataDir, 'audit.jsonl'), 'utf8');
    expect(auditText).not.toContain(smtp.password);
    const keysText = await readFile(path.join(server.dataDir, 'keys.json'), 'utf8');
    expect(keysText).toContain(smtp.password);

    const entry = (await readAudit(server)).findLast((e) => e.action === 'realm.mail-updated');
    expect(entry).toMatchObject({
      actor: 'agent:root',
      details: { smtpPassword: 'changed', enabledBefore: false, after: smtp.settings() },
    });
  });

  it('keeps the saved password when none is sent, and removes it when an empty one is', async () => {
    await must(admin, 'mail:configure', { settings: smtp.settings({ fromName: 'Desk' }) });
    expect((await must(admin, 'mail:status', {})).passwordSaved).toBe(true);
    await must(admin, 'mail:configure', { settings: smtp.settings(), password: '' });
    expect((await must(admin, 'mail:status', {})).passwordSaved).toBe(false);
    const keysText = await readFile(path.join(server.dataDir, 'keys.json'), 'utf8');
    expect(keysText).not.toContain(smtp.password);
    const updates = (await readAudit(server)).filter((e) => e.action === 'realm.mail-updated');
    expect(updates.slice(-2).map((e) => e.details.smtpPassword)).toEqual(['kept', 'removed']);
    await must(admin, 'mail:configure', { settings: smtp.settings(), password: smtp.password });
  });

  it('names the field of a bad setting and changes nothing', async () => {
    const before = await must(admin, 'config:get', {});
    const result = await ask(admin, 'mail:configure', {
      settings: smtp.settings({ host: '', port: 70_000 }),
    });
    expect(result).toMatchObject({ error: { code: 'bad-request' } });
    const fields = 'error' in result ? (result.error.fields ?? {}) : {};
    expect(Object.keys(fields)).toEqual(expect.arrayContaining(['settings.host', 'settings.port']));
    const noFrom = await ask(admin, 'mail:test', {
      settings: smtp.settings({ fromAddress: 'not an address' }),
      to: 'jsmith@example.com',
    });
    expect('error' in noFrom && noFrom.error.fields).toHaveProperty('settings.fromAddress');
    expect((await must(admin, 'config:get', {})).mail).toEqual(before.mail);
  });

  it('refuses an agent who is not an admin, and audits the refusal', async () => {
    for (const [event, payload] of [
      ['mail:configure', { settings: smtp.settings({ host: 'evil.example.com' }) }],
      ['mail:test', { settings: smtp.settings(), to: 'alice@example.com' }],
      ['mail:status', {}],
    ] as const) {
      const result = await ask(agent, event, payload);
      expect(result, event).toMatchObject({ error: { code: 'forbidden' } });
    }
    expect((await must(admin, 'config:get', {})).mail.host).toBe('127.0.0.1');
    const denied = (await readAudit(server)).filter(
      (e) => e.action === 'authz.denied' && e.actor === 'agent:alice',
    );
    expect(denied.map((e) => e.details.event)).toEqual(
      expect.arrayContaining(['mail:configure', 'mail:test', 'mail:status']),
    );
  });
});

describe('send test mail', () => {
  it('delivers with the saved password, from the realm, and nothing is queued', async () => {
    const to = 'tester@example.com';
    const result = await must(admin, 'mail:test', { settings: smtp.settings(), to });
    expect(result).toMatchObject({ ok: true });
    const mail = await smtp.waitFor((m) => m.to.includes(to));
    expect(result.ok && result.messageId).toBe(mail.messageId);
    expect(mail).toMatchObject({ fromAddress: 'helpdesk@example.com', user: smtp.username });
    const realmName = (await must(admin, 'config:get', {})).name;
    expect(mail.subject).toContain(realmName);
    expect(mail.text).toContain(realmName);
    expect(mail.html).toContain(realmName);
    expect((await must(admin, 'mail:status', {})).outbox.pending).toBe(0);
    const entry = (await readAudit(server)).findLast((e) => e.action === 'mail.tested');
    expect(entry).toMatchObject({ actor: 'agent:root', details: { to, ok: true } });
  });

  it('delivers through a relay without TLS or a login', async () => {
    const result = await must(admin, 'mail:test', {
      settings: relay.settings(),
      to: 'r@example.com',
    });
    expect(result).toMatchObject({ ok: true });
    await relay.waitFor((m) => m.to.includes('r@example.com'));
  });

  it('delivers over implicit TLS, and names TLS when STARTTLS is chosen for that port instead', async () => {
    const ok = await must(admin, 'mail:test', {
      settings: implicit.settings(),
      password: implicit.password,
      to: 'i@example.com',
    });
    expect(ok).toMatchObject({ ok: true });
    expect(await implicit.waitFor((m) => m.to.includes('i@example.com'))).toMatchObject({
      user: implicit.username,
    });
    const plainOnTls = await must(admin, 'mail:test', {
      settings: smtp.settings({ tls: 'implicit' }),
      to: 'i@example.com',
    });
    expect(plainOnTls).toMatchObject({ ok: false, stage: 'tls' });
    expect(!plainOnTls.ok && plainOnTls.message).toMatch(/does not speak TLS from the start/);
  });

  it('reports the sender stage when the server refuses the From address', async () => {
    smtp.rejectSenders.add('helpdesk@example.com');
    try {
      const result = await must(admin, 'mail:test', {
        settings: smtp.settings(),
        to: 'tester@example.com',
      });
      expect(result).toMatchObject({ ok: false, stage: 'sender' });
      expect(!result.ok && result.message).toMatch(/refused the sender helpdesk@example\.com.*550/);
    } finally {
      smtp.rejectSenders.delete('helpdesk@example.com');
    }
  });

  const failures = [
    {
      stage: 'dns',
      why: 'a host that does not resolve',
      settings: () => smtp.settings({ host: 'smtp.helpdesk-test.invalid' }),
      says: /smtp\.helpdesk-test\.invalid/,
    },
    {
      stage: 'connect',
      why: 'a closed port',
      settings: async () => smtp.settings({ port: await freePort() }),
      says: /Could not connect to 127\.0\.0\.1:\d+/,
    },
    {
      stage: 'tls',
      why: 'a CA that did not sign the server certificate',
      settings: () => smtp.settings({ caCertificate: smtp.otherCaPem }),
      says: /certificate is not signed by the CA/,
    },
    {
      stage: 'tls',
      why: 'STARTTLS required by a server that does not offer it',
      settings: () => relay.settings({ tls: 'starttls' }),
      says: /did not agree to STARTTLS/,
    },
    {
      stage: 'auth',
      why: 'a wrong password',
      settings: () => smtp.settings(),
      password: 'not-the-password',
      says: /refused the login for mailer/,
    },
    {
      stage: 'recipient',
      why: 'a recipient the server refuses',
      settings: () => smtp.settings(),
      to: 'nobody@example.com',
      says: /refused the recipient.*550/,
    },
  ] as const;

  for (const failure of failures) {
    it(`reports the ${failure.stage} stage for ${failure.why}, without the password`, async () => {
      const delivered = smtp.messages.length + relay.messages.length;
      const password = 'password' in failure ? failure.password : undefined;
      const result = await must(admin, 'mail:test', {
        settings: await failure.settings(),
        ...(password !== undefined ? { password } : {}),
        to: 'to' in failure ? failure.to : 'tester@example.com',
      });
      expect(result).toMatchObject({ ok: false, stage: failure.stage });
      expect(!result.ok && result.message).toMatch(failure.says);
      expect(JSON.stringify(result)).not.toContain(smtp.password);
      if (password !== undefined) expect(JSON.stringify(result)).not.toContain(password);
      expect(smtp.messages.length + relay.messages.length).toBe(delivered);
      const entry = (await readAudit(server)).findLast((e) => e.action === 'mail.tested');
      expect(entry?.details).toMatchObject({ ok: false, stage: failure.stage });
    });
  }

  it('reports the settings stage when a login is set and no password is saved or sent', async () => {
    const result = await must(admin, 'mail:test', {
      settings: smtp.settings({ username: 'someone-else' }),
      password: '',
      to: 'tester@example.com',
    });
    expect(result).toMatchObject({ ok: false, stage: 'settings' });
  });
});
