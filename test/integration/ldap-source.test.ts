// The realm on an LDAP source (a real slapd started for this file): an admin configures it over the
// socket, users sign in with their LDAP passwords, and when slapd stops the product fails closed —
// sign-in unavailable, reveal refused, agents told, audited once — and recovers by itself.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DirectoryStatus, LdapSettings } from '../../server/contract/directory';
import { claimAndVerify } from '../e2e/support/agent-desk';
import { pageText } from '../support/form-browser';
import { addLdapPeople } from '../support/ldap-users';
import { askForHelp, enterCode, identify } from '../support/sign-in-pages';
import type { Slapd } from '../support/slapd';
import { startSlapd } from '../support/slapd';
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

const PEOPLE = [
  {
    username: 'lena',
    displayName: 'Lena Ldap',
    email: 'lena@example.com',
    phone: '+14155550161',
    employeeId: 'L100234',
    department: 'Legal',
    password: 'lena-Ldap-Pass-1',
    privileged: true,
  },
  { username: 'omar', displayName: 'Omar Ldap', password: 'omar-Ldap-Pass-1' },
];
const lena = PEOPLE[0]!;

let slapd: Slapd;
let settings: LdapSettings;
let server: TestServer;
let admin: AgentSocket;
let agent: AgentSocket;

beforeAll(async () => {
  slapd = await startSlapd();
  // No display cache: what agents see follows slapd at once.
  settings = { ...(await addLdapPeople(slapd, 'staff', PEOPLE)), cacheSeconds: 0 };
  server = await startTestServer();
  await seedRealm(
    server,
    [
      { username: 'root', displayName: 'Root', role: 'admin', desks: ['1', '2'] },
      { username: 'alice', displayName: 'Alice', role: 'agent', desks: ['1'] },
    ],
    [],
  );
  admin = await connectAgent(server.url, await login(server.url, 'root'));
  agent = await connectAgent(server.url, await login(server.url, 'alice'));
});

afterAll(async () => {
  admin?.disconnect();
  agent?.disconnect();
  await server?.cleanup();
  await slapd?.dispose();
});

describe('an admin connects LDAP', () => {
  it('tests unsaved settings, then saves them; the password is kept but never sent back', async () => {
    const wrong = await must(admin, 'directory:test', {
      ldap: settings,
      bindPassword: 'not the password',
      username: 'lena',
    });
    expect(wrong).toMatchObject({ ok: false, stage: 'bind' });
    const right = await must(admin, 'directory:test', {
      ldap: settings,
      bindPassword: slapd.bindPassword,
      username: 'lena',
    });
    expect(right).toMatchObject({
      ok: true,
      dn: `uid=lena,${settings.baseDn}`,
      profile: { username: 'lena', displayName: 'Lena Ldap', privileged: true, enabled: true },
    });
    // Testing saved nothing.
    expect((await must(admin, 'config:get', {})).directory.source).toBe('embedded');

    const heard = nextEvent(agent, 'config:updated');
    const saved = await must(admin, 'directory:configure', {
      settings: { source: 'ldap', ldap: settings, phoneCountry: 'US' },
      bindPassword: slapd.bindPassword,
    });
    expect(saved.status).toMatchObject({
      source: 'ldap',
      state: 'available',
      bindPasswordSaved: true,
    });
    expect((await heard).directory.source).toBe('ldap');

    // Never sent back, never audited; kept with the keys.
    const config = await must(admin, 'config:get', {});
    expect(JSON.stringify(config)).not.toContain(slapd.bindPassword);
    expect(JSON.stringify(await must(agent, 'directory:status', {}))).not.toContain(
      slapd.bindPassword,
    );
    const audit = await readFile(path.join(server.dataDir, 'audit.jsonl'), 'utf8');
    expect(audit).toContain('realm.directory-updated');
    expect(audit).not.toContain(slapd.bindPassword);
    const keys = await readFile(path.join(server.dataDir, 'keys.json'), 'utf8');
    expect(keys).toContain(slapd.bindPassword);

    // Saving again without a password keeps the saved one.
    const again = await must(admin, 'directory:configure', {
      settings: { source: 'ldap', ldap: { ...settings, cacheSeconds: 0 }, phoneCountry: 'US' },
    });
    expect(again.status.bindPasswordSaved).toBe(true);
    expect(await must(admin, 'directory:test', { ldap: settings, username: 'omar' })).toMatchObject(
      { ok: true },
    );
  });

  it('refuses the settings and the test to an agent who is not an admin', async () => {
    for (const event of ['directory:configure', 'directory:test'] as const) {
      const answer = await ask(agent, event, {
        settings: { source: 'embedded', ldap: settings, phoneCountry: 'US' },
      });
      expect(answer).toMatchObject({ error: { code: 'forbidden' } });
    }
    expect((await must(admin, 'config:get', {})).directory.source).toBe('ldap');
  });

  it('refuses settings that cannot work, naming the field', async () => {
    const answer = await ask(admin, 'directory:configure', {
      settings: {
        source: 'ldap',
        ldap: { ...settings, url: 'http://example.com', userFilter: '(uid=x)' },
        phoneCountry: 'US',
      },
    });
    expect(answer).toMatchObject({
      error: {
        code: 'bad-request',
        fields: {
          'settings.ldap.url': expect.any(String),
          'settings.ldap.userFilter': expect.any(String),
        },
      },
    });
  });
});

describe('signing in against LDAP', () => {
  it('takes the LDAP password, refuses a wrong or empty one, and shows agents the privileged user', async () => {
    await server.app.realm.update({ workflow: 'username-password|second-factor' }, 'test');
    const wrong = await identify(server.url, 'lena', 'wrong password').catch((e: Error) => e);
    expect(wrong).toBeInstanceOf(Error);
    const empty = await identify(server.url, 'lena', '').catch((e: Error) => e);
    expect(empty).toBeInstanceOf(Error);

    const asked = await askForHelp(server.url, 'lena', '1', lena.password);
    const requestId = await claimAndVerify(agent, asked.reference);
    const detail = await must(agent, 'request:get', { requestId });
    expect(detail).toMatchObject({
      displayName: 'Lena Ldap',
      inDirectory: true,
      directoryUnavailable: false,
      directory: { privileged: true, department: 'Legal', employeeId: '••••••34' },
      approvalNeeded: true,
    });
    // A member of the LDAP privileged group: a second person approves before the reveal.
    await must(agent, 'request:ask-approval', { requestId, note: 'Privileged user' });
    await must(admin, 'request:approve', { requestId, note: 'Approved' });
    const { otp } = await must(agent, 'request:reveal', { requestId });
    const done = await enterCode(asked.browser, otp);
    expect(pageText(done.html)).toContain("You're signed in");
  });
});

describe('when LDAP stops', () => {
  it('fails closed, tells agents, audits the outage once, and recovers by itself', async () => {
    const asked = await askForHelp(server.url, 'omar', '1', PEOPLE[1]!.password);
    const requestId = await claimAndVerify(agent, asked.reference);

    const down = nextEvent(
      agent,
      'directory:status',
      (s: DirectoryStatus) => s.state === 'unavailable',
    );
    await slapd.stop();

    // Reveal is refused (audited), and the agent hears the directory is down.
    const refused = await ask(agent, 'request:reveal', { requestId });
    expect(refused).toMatchObject({ error: { code: 'unavailable' } });
    expect((await down).problem).toEqual(expect.any(String));
    expect(await must(agent, 'request:get', { requestId })).toMatchObject({
      directoryUnavailable: true,
      directory: null,
    });

    // A new sign-in gets the page that says to call the help desk, with the desks' numbers.
    const browser = await identify(server.url, 'lena', lena.password).catch((e: Error) => e);
    expect(browser).toBeInstanceOf(Error);
    expect((browser as Error).message).toMatch(/^identify: 503/);
    expect((browser as Error).message).toContain('Sign-in is unavailable right now');
    const health = (await (await fetch(`${server.url}/healthz`)).json()) as Record<string, unknown>;
    expect(health).toMatchObject({
      status: 'ok',
      directory: 'ldap',
      directoryState: 'unavailable',
    });

    // However many reads failed, the outage is one audit entry.
    const outages = (await readAudit(server)).filter((e) => e.action === 'directory.unavailable');
    expect(outages).toHaveLength(1);
    expect(
      (await readAudit(server)).filter(
        (e) =>
          e.action === 'request.reveal-refused' &&
          (e.details as { reason?: string }).reason === 'directory-unavailable',
      ),
    ).toHaveLength(1);

    // slapd comes back: the probe (what the server's timer runs) notices without any user.
    const up = nextEvent(
      agent,
      'directory:status',
      (s: DirectoryStatus) => s.state === 'available',
    );
    await slapd.start();
    await server.app.directory.probe();
    expect((await up).state).toBe('available');
    expect(
      (await readAudit(server)).filter((e) => e.action === 'directory.recovered'),
    ).toHaveLength(1);

    // And the same request carries on: reveal, the code, signed in.
    const { otp } = await must(agent, 'request:reveal', { requestId });
    const done = await enterCode(asked.browser, otp);
    expect(pageText(done.html)).toContain("You're signed in");
  });
});
