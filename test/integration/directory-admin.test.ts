// Admins manage the embedded directory's users over real sockets: add, search, edit, disable, reset, delete.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentEventName } from '../../server/contract/agent-events';
import type { DirectoryUserInput } from '../../server/contract/directory';
import { FormBrowser } from '../support/form-browser';
import { askForHelp } from '../support/sign-in-pages';
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
let dave: AgentSocket;
/** Every password the server answered in these tests: none may reach the audit log. */
const passwordsSeen: string[] = [];

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
  admin = await connectAgent(server.url, await login(server.url, 'root'));
  dave = await connectAgent(server.url, await login(server.url, 'dave'));
});

afterAll(async () => {
  admin?.disconnect();
  dave?.disconnect();
  await server?.cleanup();
});

function person(username: string, overrides: Partial<DirectoryUserInput> = {}): DirectoryUserInput {
  return {
    username,
    displayName: `Person ${username}`,
    email: `${username}@example.com`,
    phone: '',
    employeeId: '',
    department: 'Finance',
    manager: '',
    enabled: true,
    privileged: false,
    ...overrides,
  };
}

async function addUser(username: string, overrides: Partial<DirectoryUserInput> = {}) {
  const result = await must(admin, 'users:add', { user: person(username, overrides) });
  if (result.password) passwordsSeen.push(result.password);
  return result;
}

/** The latest audit entry of this action. */
async function lastAudit(action: string) {
  return (await readAudit(server)).findLast((e) => e.action === action);
}

/** Whether the sign-in page takes this username and password (the password-first workflow). */
async function signsIn(username: string, password: string): Promise<boolean> {
  const browser = new FormBrowser(server.url);
  await browser.get('/sign-in');
  const res = await browser.post('/sign-in', { username, password });
  return res.status === 303 && res.location === '/sign-in/method';
}

describe('adding and finding users', () => {
  it('adds a user with a generated password, answered once, that signs them in', async () => {
    const { user, password } = await addUser('ada', {
      displayName: 'Ada Lovelace',
      phone: '(415) 555-0123',
      employeeId: 'E-1815',
      department: 'Analytical Engines',
    });
    expect(user).toEqual({
      username: 'ada',
      displayName: 'Ada Lovelace',
      email: 'ada@example.com',
      phone: '+14155550123',
      employeeId: 'E-1815',
      department: 'Analytical Engines',
      manager: '',
      enabled: true,
      privileged: false,
      changedAt: expect.any(Number),
    });
    expect(password).toMatch(/^[A-Za-z0-9]{5}(-[A-Za-z0-9]{5}){3}$/);
    expect(await signsIn('ada', password!)).toBe(true);
    expect(await signsIn('ada', 'not the password at all')).toBe(false);
    expect(JSON.stringify(user)).not.toMatch(/scrypt|passwordHash/);
  });

  it('adds a user with the password the admin gives, normalising the username', async () => {
    const given = 'a password the admin chose';
    passwordsSeen.push(given);
    const result = await must(admin, 'users:add', {
      user: person('  Grace.Hopper ', { email: 'grace@example.com' }),
      password: given,
    });
    expect(result.user.username).toBe('grace.hopper');
    expect(result.password).toBeUndefined();
    expect(await signsIn('GRACE.HOPPER', given)).toBe(true);
  });

  it('refuses a username that is taken, as a conflict, and leaves the user as they were', async () => {
    const result = await ask(admin, 'users:add', {
      user: person('ADA', { displayName: 'Impostor' }),
    });
    expect(result).toEqual({
      error: expect.objectContaining({
        code: 'conflict',
        fields: { 'user.username': expect.any(String) },
      }),
    });
    const { users } = await must(admin, 'users:search', { query: 'ada', offset: 0, limit: 10 });
    expect(users.map((u) => u.displayName)).toEqual(['Ada Lovelace']);
  });

  it('refuses bad input with a message per field and stores nothing', async () => {
    const before = await must(admin, 'users:search', { query: '', offset: 0, limit: 1 });
    const bad = await ask(admin, 'users:add', {
      user: person('new.user', { displayName: '', email: 'not-an-email' }),
    });
    expect(bad).toEqual({
      error: expect.objectContaining({
        code: 'bad-request',
        fields: expect.objectContaining({
          'user.displayName': 'Enter a name',
          'user.email': expect.stringMatching(/email/),
        }),
      }),
    });
    const badPhone = await ask(admin, 'users:add', { user: person('new.user', { phone: '555' }) });
    expect(badPhone).toEqual({
      error: expect.objectContaining({
        code: 'bad-request',
        fields: { 'user.phone': expect.stringMatching(/Not a valid phone number/) },
      }),
    });
    const shortPassword = await ask(admin, 'users:add', {
      user: person('new.user'),
      password: 'short',
    });
    expect(shortPassword).toMatchObject({
      error: { code: 'bad-request', fields: { password: 'At least 12 characters' } },
    });
    const after = await must(admin, 'users:search', { query: '', offset: 0, limit: 1 });
    expect(after.total).toBe(before.total);
    expect(server.app.embeddedDirectory.count).toBe(before.total);
  });

  it("reads a local phone number with the realm's default country", async () => {
    const config = await must(admin, 'config:get', {});
    const settings = { ...config.directory, phoneCountry: 'GB' };
    await must(admin, 'directory:configure', { settings });
    try {
      const { user } = await addUser('london', { phone: '020 7946 0000' });
      expect(user.phone).toBe('+442079460000');
      const us = await ask(admin, 'users:update', {
        username: 'london',
        changes: { phone: '(415) 555-0123' },
      });
      expect(us).toMatchObject({ error: { code: 'bad-request' } });
    } finally {
      await must(admin, 'directory:configure', { settings: { ...settings, phoneCountry: 'US' } });
    }
  });

  it('searches username, name, email, employee ID and department in any case, a page at a time', async () => {
    for (const name of ['s1', 's2', 's3'])
      await addUser(`searchme-${name}`, { department: 'Quantum Research' });
    const search = (query: string, offset = 0, limit = 50) =>
      must(admin, 'users:search', { query, offset, limit });
    expect((await search('QUANTUM')).total).toBe(3);
    expect((await search('lovelace')).users.map((u) => u.username)).toEqual(['ada']);
    expect((await search('e-1815')).users.map((u) => u.username)).toEqual(['ada']);
    expect((await search('ADA@EXAMPLE')).users.map((u) => u.username)).toEqual(['ada']);
    const page = await search('searchme', 1, 1);
    expect(page).toEqual({
      users: [expect.objectContaining({ username: 'searchme-s2' })],
      total: 3,
    });
    expect((await search('no such thing')).total).toBe(0);
  });
});

describe('editing users', () => {
  it('changes only the fields given, normalising the phone', async () => {
    await addUser('edith');
    const { user } = await must(admin, 'users:update', {
      username: 'EDITH',
      changes: { department: 'Operations', phone: '+44 20 7946 0000' },
    });
    expect(user).toMatchObject({
      username: 'edith',
      department: 'Operations',
      phone: '+442079460000',
      email: 'edith@example.com',
      displayName: 'Person edith',
    });
    expect(await lastAudit('directory.user-updated')).toMatchObject({
      actor: 'agent:root',
      action: 'directory.user-updated',
      details: { username: 'edith', fields: expect.arrayContaining(['department', 'phone']) },
    });
  });

  it('refuses a bad change with the field named, and changes nothing', async () => {
    const result = await ask(admin, 'users:update', {
      username: 'edith',
      changes: { department: 'Sales', phone: 'call reception' },
    });
    expect(result).toMatchObject({
      error: { code: 'bad-request', fields: { 'changes.phone': expect.any(String) } },
    });
    const badEmail = await ask(admin, 'users:update', {
      username: 'edith',
      changes: { email: 'nope' },
    });
    expect(badEmail).toMatchObject({
      error: { code: 'bad-request', fields: { 'changes.email': expect.any(String) } },
    });
    const { users } = await must(admin, 'users:search', { query: 'edith', offset: 0, limit: 5 });
    expect(users[0]).toMatchObject({ department: 'Operations', email: 'edith@example.com' });
  });

  it('answers not-found for a user that does not exist, for every change', async () => {
    const calls: [AgentEventName, unknown][] = [
      ['users:update', { username: 'ghost', changes: { department: 'X' } }],
      ['users:set-enabled', { username: 'ghost', enabled: false }],
      ['users:reset-password', { username: 'ghost' }],
      ['users:delete', { username: 'ghost' }],
    ];
    for (const [event, payload] of calls)
      expect(await ask(admin, event, payload)).toMatchObject({ error: { code: 'not-found' } });
  });

  it('resets a password: the new one, answered once, signs in and the old one no longer does', async () => {
    const { password: old } = await addUser('reset.me');
    expect(await signsIn('reset.me', old!)).toBe(true);
    const { password, user } = await must(admin, 'users:reset-password', { username: 'reset.me' });
    passwordsSeen.push(password);
    expect(password).not.toBe(old);
    expect(user.username).toBe('reset.me');
    expect(await signsIn('reset.me', password)).toBe(true);
    expect(await signsIn('reset.me', old!)).toBe(false);
    expect(await lastAudit('directory.password-reset')).toMatchObject({
      actor: 'agent:root',
      action: 'directory.password-reset',
      details: { username: 'reset.me' },
    });
  });
});

describe('disabling and deleting users with an open request', () => {
  it('disabling ends the open request (agents see it closed), refuses sign-in, and is audited; enabling restores sign-in', async () => {
    const { password } = await addUser('dis.able');
    const asked = await askForHelp(server.url, 'dis.able', '1', password);
    const closed = nextEvent(dave, 'request:updated', (r) => r.id === asked.requestId);
    const { user } = await must(admin, 'users:set-enabled', {
      username: 'dis.able',
      enabled: false,
    });
    expect(user.enabled).toBe(false);
    expect(await closed).toMatchObject({ id: asked.requestId, state: 'denied' });
    const { requests } = await must(dave, 'queue:list', {});
    expect(requests.map((r) => r.id)).not.toContain(asked.requestId);
    expect(await signsIn('dis.able', password!)).toBe(false);

    const audit = await readAudit(server);
    expect(audit).toContainEqual(
      expect.objectContaining({
        action: 'request.ended-by-directory',
        requestId: asked.requestId,
        actor: 'agent:root',
      }),
    );
    expect(await lastAudit('directory.user-disabled')).toMatchObject({
      actor: 'agent:root',
      action: 'directory.user-disabled',
      details: { username: 'dis.able', cancelledRequests: 1 },
    });

    await must(admin, 'users:set-enabled', { username: 'dis.able', enabled: true });
    expect(await lastAudit('directory.user-enabled')).toMatchObject({
      action: 'directory.user-enabled',
      details: { username: 'dis.able' },
    });
    expect(await signsIn('dis.able', password!)).toBe(true);
  });

  it('disabling through an edit ends the open request too', async () => {
    const { password } = await addUser('edit.off');
    const asked = await askForHelp(server.url, 'edit.off', '1', password);
    const closed = nextEvent(dave, 'request:updated', (r) => r.id === asked.requestId);
    await must(admin, 'users:update', { username: 'edit.off', changes: { enabled: false } });
    expect(await closed).toMatchObject({ state: 'denied' });
    expect(await lastAudit('directory.user-updated')).toMatchObject({
      action: 'directory.user-updated',
      details: { username: 'edit.off', fields: ['enabled'], enabled: false, cancelledRequests: 1 },
    });
  });

  it('deleting ends the open request, removes the user and is audited', async () => {
    const { password } = await addUser('del.ete');
    const asked = await askForHelp(server.url, 'del.ete', '1', password);
    const closed = nextEvent(dave, 'request:updated', (r) => r.id === asked.requestId);
    const result = await must(admin, 'users:delete', { username: 'DEL.ETE' });
    expect(result).toEqual({ username: 'del.ete', cancelledRequests: 1 });
    expect(await closed).toMatchObject({ id: asked.requestId, state: 'denied' });
    expect(
      (await must(admin, 'users:search', { query: 'del.ete', offset: 0, limit: 5 })).total,
    ).toBe(0);
    expect(await signsIn('del.ete', password!)).toBe(false);
    expect(await lastAudit('directory.user-deleted')).toMatchObject({
      actor: 'agent:root',
      action: 'directory.user-deleted',
      details: { username: 'del.ete', cancelledRequests: 1 },
    });
  });
});

describe('who may manage users', () => {
  it('refuses an agent who is not an admin every users:* event, changes nothing, and audits each refusal', async () => {
    const calls: [AgentEventName, unknown][] = [
      ['users:search', { query: '', offset: 0, limit: 10 }],
      ['users:add', { user: person('sneaky') }],
      ['users:update', { username: 'ada', changes: { privileged: true } }],
      ['users:set-enabled', { username: 'ada', enabled: false }],
      ['users:reset-password', { username: 'ada' }],
      ['users:delete', { username: 'ada' }],
    ];
    const seqBefore = (await readAudit(server)).at(-1)?.seq ?? 0;
    for (const [event, payload] of calls)
      expect(await ask(dave, event, payload)).toMatchObject({ error: { code: 'forbidden' } });
    const denied = (await readAudit(server)).filter(
      (e) => e.seq > seqBefore && e.action === 'authz.denied' && e.actor === 'agent:dave',
    );
    expect(denied.map((e) => e.details.event)).toEqual(calls.map(([event]) => event));
    const { users } = await must(admin, 'users:search', { query: 'ada', offset: 0, limit: 5 });
    expect(users).toEqual([expect.objectContaining({ enabled: true, privileged: false })]);
    expect(
      (await must(admin, 'users:search', { query: 'sneaky', offset: 0, limit: 5 })).total,
    ).toBe(0);
  });
});

describe('the audit log', () => {
  it('records every change without a password or a hash', async () => {
    const text = await readFile(path.join(server.dataDir, 'audit.jsonl'), 'utf8');
    const actions = (await readAudit(server)).map((e) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'directory.user-added',
        'directory.user-updated',
        'directory.user-disabled',
        'directory.user-enabled',
        'directory.password-reset',
        'directory.user-deleted',
      ]),
    );
    expect(passwordsSeen.length).toBeGreaterThanOrEqual(5);
    for (const password of passwordsSeen) expect(text).not.toContain(password);
    expect(text).not.toContain('scrypt$');
  });
});
