// The LDAP directory against a real OpenLDAP: mapping, binds, disabled and privileged users, injection, TLS, outages, the cache and Test connection.
import net from 'node:net';
import { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LdapSettings } from '../../server/contract/directory';
import { DirectoryUnavailableError } from '../../server/directory/directory';
import {
  LdapDirectory,
  type LdapDirectoryOptions,
} from '../../server/directory/ldap/ldap-directory';
import { testLdapConnection } from '../../server/directory/ldap/ldap-test-connection';
import {
  PRIVILEGED_GROUP_DN,
  ROOT_DN,
  ROOT_PASSWORD,
  SEED_USERS,
  freePort,
  startSlapd,
  userDn,
  type Slapd,
} from '../support/slapd';

let ldap: Slapd;
const opened: LdapDirectory[] = [];

beforeAll(async () => {
  ldap = await startSlapd();
});

afterAll(async () => {
  await Promise.allSettled(opened.map((d) => d.close()));
  await ldap?.dispose();
});

function directory(
  overrides: Partial<LdapSettings> = {},
  options: LdapDirectoryOptions = {},
  bindPassword: string | undefined = ldap.bindPassword,
): LdapDirectory {
  const made = new LdapDirectory(ldap.settings(overrides), bindPassword, options);
  opened.push(made);
  return made;
}

/** A client bound as slapd's root DN, to change entries behind the directory's back. */
async function asRoot<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ url: ldap.url });
  try {
    await client.bind(ROOT_DN, ROOT_PASSWORD);
    return await work(client);
  } finally {
    await client.unbind();
  }
}

async function replaceAttribute(dn: string, type: string, value: string): Promise<void> {
  const { Attribute, Change } = await import('ldapts');
  await asRoot((client) =>
    client.modify(
      dn,
      new Change({ operation: 'replace', modification: new Attribute({ type, values: [value] }) }),
    ),
  );
}

const JSMITH_PROFILE = {
  username: 'jsmith',
  displayName: 'Jane Smith',
  email: 'jane.smith@example.com',
  phone: '+1 555 0100',
  employeeId: 'E1001',
  department: 'Finance',
  manager: 'mlee',
  enabled: true,
  privileged: false,
  // slapd's modifyTimestamp, set when the entry was added.
  changedAt: expect.any(Number) as unknown as number,
};

/** Settings that read the seeded AD attributes (sAMAccountName, userAccountControl). */
function activeDirectoryLike(): Partial<LdapSettings> {
  return {
    userFilter: '(&(objectClass=helpdeskAdAccount)(sAMAccountName={username}))',
    attributes: {
      username: 'sAMAccountName',
      displayName: 'displayName',
      email: 'mail',
      phone: 'telephoneNumber',
      employeeId: 'employeeNumber',
      department: 'departmentNumber',
      manager: 'manager',
    },
    disabled: { kind: 'ad-user-account-control' },
  };
}

describe('looking a user up', () => {
  it('maps every field, the manager DN shown as its uid', async () => {
    const found = await directory().findUser('jsmith');
    expect(found).toEqual(JSMITH_PROFILE);
  });

  it('finds the user whatever the case and spacing typed, and composed or not', async () => {
    const dir = directory();
    expect(await dir.findUser('  JSmith ')).toEqual(JSMITH_PROFILE);
    expect((await dir.findUser('JOSÉ'))?.displayName).toBe('José Núñez');
    expect((await dir.findUser('jose\u0301'))?.username).toBe('josé');
  });

  it('answers undefined for nobody', async () => {
    expect(await directory().findUser('nobody')).toBeUndefined();
    expect(await directory().findUser('')).toBeUndefined();
  });

  it('marks members of the privileged group, and nobody when no group is set', async () => {
    expect((await directory().findUser('boss'))?.privileged).toBe(true);
    expect((await directory().findUser('jsmith'))?.privileged).toBe(false);
    expect((await directory({ privilegedGroup: '' }).findUser('boss'))?.privileged).toBe(false);
  });

  it('applies the attribute rule: employeeType=disabled is a disabled user', async () => {
    expect((await directory().findUser('gone'))?.enabled).toBe(false);
    expect((await directory({ disabled: { kind: 'none' } }).findUser('gone'))?.enabled).toBe(true);
  });

  it('applies the Active Directory rule on userAccountControl', async () => {
    const dir = directory(activeDirectoryLike());
    expect(await dir.findUser('adactive')).toMatchObject({ username: 'adactive', enabled: true });
    expect(await dir.findUser('addisabled')).toMatchObject({
      username: 'addisabled',
      enabled: false,
    });
    expect(await dir.checkPassword('adactive', SEED_USERS.adActive.password)).toBe(true);
    expect(await dir.checkPassword('addisabled', SEED_USERS.adDisabled.password)).toBe(false);
  });

  it('refuses to pick when two entries match one username', async () => {
    const dir = directory();
    await expect(dir.findUser('twin')).rejects.toThrow(DirectoryUnavailableError);
    await expect(dir.findUser('twin')).rejects.toThrow(/More than one entry/);
    await expect(dir.checkPassword('twin', SEED_USERS.twin.password)).rejects.toThrow(
      DirectoryUnavailableError,
    );
  });

  it('reports a base DN that does not exist as unavailable, in words', async () => {
    const dir = directory({ baseDn: 'dc=nowhere,dc=test' });
    await expect(dir.findUser('jsmith')).rejects.toThrow(
      /base DN dc=nowhere,dc=test does not exist/,
    );
  });

  it('reports a broken filter template and a missing service password as unavailable', async () => {
    await expect(directory({ userFilter: '(uid={username}' }).findUser('jsmith')).rejects.toThrow(
      /not a valid LDAP filter/,
    );
    const before = await ldap.counters();
    const unsaved = new LdapDirectory(ldap.settings(), undefined);
    opened.push(unsaved);
    await expect(unsaved.findUser('jsmith')).rejects.toThrow(
      /No password is saved for the service account/,
    );
    // Not tried as an unauthenticated bind.
    expect((await ldap.counters()).binds).toBe(before.binds);
  });

  it('reports a wrong service password as unavailable, never as "no such user"', async () => {
    const dir = directory({}, {}, 'not-the-password');
    const error = await dir.findUser('jsmith').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DirectoryUnavailableError);
    expect((error as Error).message).toMatch(/invalid credentials/);
    expect((error as Error).message).not.toContain('not-the-password');
  });

  it('shares at most poolSize service connections, bound once each, across many lookups', async () => {
    const before = await ldap.counters();
    const dir = directory({}, { poolSize: 3 });
    const burst = () =>
      Promise.all(Array.from({ length: 40 }, (_, i) => dir.findUser(['jsmith', 'mlee'][i % 2]!)));
    await burst();
    const after = await ldap.counters();
    // Connections other tests left closing can only lower the count, never raise it.
    expect(after.connections - before.connections).toBeLessThanOrEqual(3);
    expect(after.binds - before.binds).toBeGreaterThanOrEqual(1);
    expect(after.binds - before.binds).toBeLessThanOrEqual(3);
    await burst();
    // Reused: no new connection, no new bind.
    expect((await ldap.counters()).binds).toBe(after.binds);
  });

  it('answers concurrent lookups over its pool, each with its own user', async () => {
    const dir = directory({}, { poolSize: 2 });
    const names = Array.from(
      { length: 24 },
      (_, i) => ['jsmith', 'mlee', 'boss', 'nobody'][i % 4]!,
    );
    const found = await Promise.all(names.map((n) => dir.findUser(n)));
    expect(found.map((p) => p?.username)).toEqual(
      names.map((n) => (n === 'nobody' ? undefined : n)),
    );
  });
});

describe('checking a password', () => {
  it('is true for the right password and false for a wrong one or an unknown user', async () => {
    const dir = directory();
    expect(await dir.checkPassword('jsmith', SEED_USERS.jsmith.password)).toBe(true);
    expect(await dir.checkPassword('JSmith ', SEED_USERS.jsmith.password)).toBe(true);
    expect(await dir.checkPassword('jsmith', 'wrong')).toBe(false);
    expect(await dir.checkPassword('jsmith', SEED_USERS.mlee.password)).toBe(false);
    expect(await dir.checkPassword('nobody', SEED_USERS.jsmith.password)).toBe(false);
  });

  it('is false for an empty password, which this server would accept as an anonymous bind', async () => {
    // The trap is real: slapd here allows unauthenticated binds (a DN with no password).
    const naive = new Client({ url: ldap.url });
    await expect(naive.bind(userDn('jsmith'), '')).resolves.toBeUndefined();
    await naive.unbind();
    const before = await ldap.counters();
    expect(await directory().checkPassword('jsmith', '')).toBe(false);
    // Refused before asking: slapd received no bind at all.
    expect((await ldap.counters()).binds).toBe(before.binds);
  });

  it('binds once for an unknown user too, so "no such user" costs what a wrong password does', async () => {
    const dir = directory();
    await dir.findUser('jsmith'); // the service connection is open and bound
    const start = await ldap.counters();
    expect(await dir.checkPassword('jsmith', 'wrong')).toBe(false);
    const afterKnown = await ldap.counters();
    expect(await dir.checkPassword('nobody', 'wrong')).toBe(false);
    const afterUnknown = await ldap.counters();
    expect(afterKnown.binds - start.binds).toBe(1);
    expect(afterUnknown.binds - afterKnown.binds).toBe(1);
  });

  it('is false for a disabled user with the right password', async () => {
    expect(await directory().checkPassword('gone', SEED_USERS.gone.password)).toBe(false);
  });

  it('leaves the pooled connection bound as the service account', async () => {
    // jsmith may read only herself: had her bind replaced the service bind, mlee would vanish.
    const dir = directory({}, { poolSize: 1 });
    expect(await dir.checkPassword('jsmith', SEED_USERS.jsmith.password)).toBe(true);
    expect(await dir.findUser('mlee')).toMatchObject({ username: 'mlee', department: 'Finance' });
  });
});

describe('a username is a value, never part of the filter', () => {
  const attempts = ['*', '*)(uid=*', 'jsmith)(|(uid=*', '\\', '(', '\0', 'j*', 'jsmith\0'];

  it.each(attempts)('%j finds nobody and signs nobody in', async (username) => {
    const dir = directory();
    expect(await dir.findUser(username)).toBeUndefined();
    expect(await dir.checkPassword(username, SEED_USERS.jsmith.password)).toBe(false);
  });

  it('the same inputs, unescaped, would have matched users (the test can fail)', async () => {
    const raw = new Client({ url: ldap.url });
    await raw.bind(ldap.bindDn, ldap.bindPassword);
    const found = await raw.search(ldap.baseDn, {
      filter: '(&(objectClass=person)(uid=jsmith)(|(uid=*)))',
    });
    await raw.unbind();
    expect(found.searchEntries.map((e) => e.dn)).toEqual([userDn('jsmith')]);
  });
});

describe('TLS', () => {
  it('StartTLS with the pasted CA reads and binds', async () => {
    const dir = directory({ startTls: true, caCertificate: ldap.caPem });
    expect(await dir.findUser('jsmith')).toEqual(JSMITH_PROFILE);
    expect(await dir.checkPassword('jsmith', SEED_USERS.jsmith.password)).toBe(true);
  });

  it('StartTLS by host name checks the name against the certificate', async () => {
    const dir = directory({
      url: `ldap://localhost:${ldap.port}`,
      startTls: true,
      caCertificate: ldap.caPem,
    });
    expect((await dir.findUser('mlee'))?.username).toBe('mlee');
  });

  it('StartTLS without the CA is refused as an untrusted certificate', async () => {
    const dir = directory({ startTls: true });
    await expect(dir.findUser('jsmith')).rejects.toThrow(DirectoryUnavailableError);
    await expect(dir.findUser('jsmith')).rejects.toThrow(/certificate is not trusted/);
  });

  it('LDAPS with the pasted CA reads and binds; without it, it is refused', async () => {
    const good = directory({ url: ldap.ldapsUrl, caCertificate: ldap.caPem });
    expect(await good.findUser('jsmith')).toEqual(JSMITH_PROFILE);
    expect(await good.checkPassword('jsmith', SEED_USERS.jsmith.password)).toBe(true);
    const bad = directory({ url: ldap.ldapsUrl });
    await expect(bad.findUser('jsmith')).rejects.toThrow(/certificate is not trusted/);
  });
});

describe('when the server goes away and comes back', () => {
  it('throws DirectoryUnavailableError at once (refused, not timed out), then recovers by itself', async () => {
    const dir = directory();
    expect(await dir.findUser('jsmith')).toEqual(JSMITH_PROFILE);
    await ldap.stop();
    try {
      const started = performance.now();
      const error = await dir.findUser('jsmith').catch((e: unknown) => e);
      const noticedMs = performance.now() - started;
      expect(error).toBeInstanceOf(DirectoryUnavailableError);
      // Refused, so noticed without waiting for a timeout.
      expect((error as Error).message).toMatch(/connection refused/);
      console.info(`[ldap] a stopped slapd was noticed in ${noticedMs.toFixed(1)} ms`);
      await expect(dir.checkPassword('jsmith', SEED_USERS.jsmith.password)).rejects.toThrow(
        DirectoryUnavailableError,
      );
      await expect(dir.probe()).rejects.toThrow(DirectoryUnavailableError);
    } finally {
      await ldap.start();
    }
    await expect(dir.probe()).resolves.toBeUndefined();
    expect(await dir.findUser('jsmith')).toEqual(JSMITH_PROFILE);
    expect(await dir.checkPassword('jsmith', SEED_USERS.jsmith.password)).toBe(true);
  });

  it.each([
    ['plain LDAP', {}],
    ['StartTLS', { startTls: true }],
    ['LDAPS', { ldaps: true }],
  ])(
    'replaces a pooled %s connection the server closed while idle, without an error',
    async (_, how: { startTls?: boolean; ldaps?: boolean }) => {
      const dir = directory(
        {
          ...(how.ldaps ? { url: ldap.ldapsUrl } : {}),
          startTls: how.startTls ?? false,
          caCertificate: ldap.caPem,
        },
        // Long enough that waiting on a dead connection would not pass for an answer.
        { poolSize: 1, operationTimeoutMs: 60_000 },
      );
      expect((await dir.findUser('mlee'))?.username).toBe('mlee');
      await ldap.stop();
      await ldap.start();
      expect((await dir.findUser('mlee'))?.username).toBe('mlee');
      await dir.close();
    },
  );

  it('times out on a server that accepts but never answers', async () => {
    const silent = net.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as net.AddressInfo).port;
    try {
      const dir = directory({ url: `ldap://127.0.0.1:${port}` }, { operationTimeoutMs: 200 });
      await expect(dir.findUser('jsmith')).rejects.toThrow(/did not answer within 0.2 s/);
    } finally {
      silent.close();
    }
  });
});

describe('the display cache', () => {
  it('answers cached lookups within cacheSeconds; live ones always read LDAP', async () => {
    let clock = 1_000_000;
    const dir = directory({ cacheSeconds: 30 }, { now: () => clock });
    expect((await dir.findUser('mlee'))?.department).toBe('Finance');
    await replaceAttribute(userDn('mlee'), 'departmentNumber', 'Audit');
    try {
      expect((await dir.findUser('mlee', { cached: true }))?.department).toBe('Finance');
      expect((await dir.findUser('mlee'))?.department).toBe('Audit');
      // The live read refreshed the cache.
      expect((await dir.findUser('mlee', { cached: true }))?.department).toBe('Audit');
      clock += 10_000;
      await ldap.stop();
      try {
        expect((await dir.findUser('mlee', { cached: true }))?.department).toBe('Audit');
        await expect(dir.findUser('mlee')).rejects.toThrow(DirectoryUnavailableError);
        clock += 20_001;
        await expect(dir.findUser('mlee', { cached: true })).rejects.toThrow(
          DirectoryUnavailableError,
        );
      } finally {
        await ldap.start();
      }
    } finally {
      await replaceAttribute(userDn('mlee'), 'departmentNumber', 'Finance');
    }
  });

  it('caches nothing with cacheSeconds 0', async () => {
    const dir = directory({ cacheSeconds: 0 });
    expect((await dir.findUser('boss'))?.username).toBe('boss');
    await ldap.stop();
    try {
      await expect(dir.findUser('boss', { cached: true })).rejects.toThrow(
        DirectoryUnavailableError,
      );
    } finally {
      await ldap.start();
    }
  });
});

describe('Test connection', () => {
  const test = (overrides: Partial<LdapSettings>, username = 'jsmith', password?: string) =>
    testLdapConnection(ldap.settings(overrides), password ?? ldap.bindPassword, username, {
      operationTimeoutMs: 2000,
    });

  it('finds the user and shows the profile', async () => {
    const result = await test({});
    expect(result).toMatchObject({ ok: true, dn: userDn('jsmith'), profile: JSMITH_PROFILE });
  });

  it('works over StartTLS and LDAPS with the CA', async () => {
    expect(await test({ startTls: true, caCertificate: ldap.caPem })).toMatchObject({ ok: true });
    expect(await test({ url: ldap.ldapsUrl, caCertificate: ldap.caPem })).toMatchObject({
      ok: true,
    });
  });

  it('stops at settings when the URL or password is missing', async () => {
    expect(await test({ url: '' })).toMatchObject({ ok: false, stage: 'settings' });
    expect(await testLdapConnection(ldap.settings(), undefined, 'jsmith')).toMatchObject({
      ok: false,
      stage: 'settings',
      message: expect.stringMatching(/password/),
    });
  });

  it('stops at dns for a host that does not exist, naming it', async () => {
    const result = await test({ url: 'ldap://directory.example.invalid:389' });
    expect(result).toMatchObject({ ok: false, stage: 'dns' });
    expect(!result.ok && result.message).toContain('directory.example.invalid');
  });

  it('stops at connect for a closed port', async () => {
    const port = await freePort();
    const result = await test({ url: `ldap://127.0.0.1:${port}` });
    expect(result).toMatchObject({ ok: false, stage: 'connect' });
    expect(!result.ok && result.message).toMatch(/connection refused/);
    expect(await test({ url: `ldap://127.0.0.1:${port}`, startTls: true })).toMatchObject({
      ok: false,
      stage: 'connect',
    });
  });

  it('stops at tls for an untrusted certificate, over LDAPS and StartTLS', async () => {
    expect(await test({ url: ldap.ldapsUrl })).toMatchObject({ ok: false, stage: 'tls' });
    expect(await test({ startTls: true })).toMatchObject({ ok: false, stage: 'tls' });
  });

  it('stops at tls when the certificate does not name the host', async () => {
    // The certificate names 127.0.0.1 and localhost; this is the same address spelled as IPv6.
    const result = await test({
      url: `ldaps://[::ffff:127.0.0.1]:${ldap.ldapsPort}`,
      caCertificate: ldap.caPem,
    });
    expect(result).toMatchObject({ ok: false, stage: 'tls' });
    expect(!result.ok && result.message).toMatch(/certificate is not for ::ffff:/);
  });

  it('stops at connect, naming ldaps://, for ldap:// to an LDAPS port', async () => {
    const result = await test({ url: `ldap://127.0.0.1:${ldap.ldapsPort}` });
    expect(result).toMatchObject({ ok: false, stage: 'connect' });
    expect(!result.ok && result.message).toMatch(/ldaps:\/\//);
  });

  it('stops at tls for ldaps:// to a plain LDAP port', async () => {
    const result = await test({ url: `ldaps://127.0.0.1:${ldap.port}`, caCertificate: ldap.caPem });
    expect(result).toMatchObject({ ok: false, stage: 'tls' });
  });

  it('stops at bind for a wrong password or an unknown bind DN', async () => {
    expect(await test({}, 'jsmith', 'wrong password')).toMatchObject({ ok: false, stage: 'bind' });
    expect(await test({ bindDn: 'cn=nobody,dc=example,dc=com' })).toMatchObject({
      ok: false,
      stage: 'bind',
    });
  });

  it('stops at filter for a template that does not parse', async () => {
    const result = await test({ userFilter: '(&(uid={username})' });
    expect(result).toMatchObject({ ok: false, stage: 'filter' });
  });

  it('stops at search for a base DN that does not exist or a missing privileged group', async () => {
    expect(await test({ baseDn: 'dc=nowhere,dc=test' })).toMatchObject({
      ok: false,
      stage: 'search',
      message: expect.stringMatching(/dc=nowhere,dc=test does not exist/),
    });
    expect(
      await test({ privilegedGroup: PRIVILEGED_GROUP_DN.replace('privileged', 'nosuch') }),
    ).toMatchObject({ ok: false, stage: 'search', message: expect.stringMatching(/group/) });
    expect(await test({}, 'twin')).toMatchObject({ ok: false, stage: 'search' });
  });

  it('stops at no-such-user when nothing matches', async () => {
    expect(await test({}, 'nobody')).toMatchObject({ ok: false, stage: 'no-such-user' });
  });

  it('stops at timeout when the server never answers', async () => {
    const silent = net.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as net.AddressInfo).port;
    try {
      const result = await testLdapConnection(
        ldap.settings({ url: `ldap://127.0.0.1:${port}` }),
        ldap.bindPassword,
        'jsmith',
        { operationTimeoutMs: 200 },
      );
      expect(result).toMatchObject({ ok: false, stage: 'timeout' });
    } finally {
      silent.close();
    }
  });
});

describe('the slapd harness', () => {
  it("shows slapd's own words when it cannot start, and starts again once it can", async () => {
    await ldap.stop();
    const squatter = net.createServer();
    await new Promise<void>((resolve) => squatter.listen(ldap.port, '127.0.0.1', resolve));
    try {
      await expect(ldap.start()).rejects.toThrow(/Address already in use/);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
      await ldap.start();
    }
    expect((await directory().findUser('jsmith'))?.username).toBe('jsmith');
  });
});
