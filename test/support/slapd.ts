// A private OpenLDAP server for tests: one slapd per test file, on free ports, with seeded users and a throwaway CA.
//
// Usage (once per file):
//
//   let ldap: Slapd;
//   beforeAll(async () => { ldap = await startSlapd(); });
//   afterAll(() => ldap.dispose());
//   ...new LdapDirectory(ldap.settings(), ldap.bindPassword)
//
// What it runs: Debian's slapd (`/usr/sbin/slapd`, packages slapd + ldap-utils, and openssl for the
// certificates) in the foreground (`-d none`: any -d keeps the child's pid slapd's; `none`, unlike
// 0, still prints errors such as a port in use, which a failed start shows), configured by a cn=config
// LDIF in a fresh temp dir: back_mdb from /usr/lib/ldap, schemas core → cosine → inetorgperson from
// /etc/ldap/schema, a tiny schema with Active Directory's `sAMAccountName` and `userAccountControl`
// (real AD OIDs) on an auxiliary class `helpdeskAdAccount`, and one mdb database `dc=example,dc=com`.
// It listens on `ldap://127.0.0.1:PORT/` (StartTLS offered) and `ldaps://127.0.0.1:PORT2/`, with a
// server certificate for 127.0.0.1 and localhost signed by a CA made for this run (`caPem`).
//
// cn=Monitor is on (readable by the root DN): `counters()` tells binds received and connections open.
//
// Access: the service account `cn=svc,dc=example,dc=com` (SVC_PASSWORD) reads everything but
// passwords; anonymous may only bind. Unauthenticated binds (a DN with an empty password) are
// ALLOWED (`olcAllows: bind_anon_dn`), as some real directories allow them: a client that forgets to
// refuse an empty password would "sign in" — tests can see that.
//
// `stop()`/`start()` take the server down and bring it back on the same ports and data (for outage
// tests); `dispose()` stops it for good and removes the temp dir. Start takes ~150 ms here.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'ldapts';
import { OPENLDAP_PRESET, type LdapSettings } from '../../server/contract/directory';
import { freePort, makeTestCertificates } from './throwaway-tls';

export { freePort };

const run = promisify(execFile);

const SLAPD = '/usr/sbin/slapd';
const SLAPADD = '/usr/sbin/slapadd';
const MODULE_DIR = '/usr/lib/ldap';
const SCHEMA_DIR = '/etc/ldap/schema';

export const BASE_DN = 'dc=example,dc=com';
export const PEOPLE_DN = `ou=people,${BASE_DN}`;
export const PRIVILEGED_GROUP_DN = `cn=privileged,ou=groups,${BASE_DN}`;
export const SVC_DN = `cn=svc,${BASE_DN}`;
export const SVC_PASSWORD = 'svc-Secret-123';
export const ROOT_DN = `cn=admin,${BASE_DN}`;
export const ROOT_PASSWORD = 'root-Secret-123';

/** A seeded person: their uid, password and the values the directory holds. */
export interface SeedUser {
  uid: string;
  password: string;
  cn: string;
  mail?: string;
  telephoneNumber?: string;
  employeeNumber?: string;
  departmentNumber?: string;
  /** A uid under ou=people; stored as that entry's DN. */
  manager?: string;
  /** `disabled` marks a disabled account for the attribute rule (employeeType/disabled). */
  employeeType?: string;
  /** Adds the AD attributes (sAMAccountName = uid, this userAccountControl). */
  userAccountControl?: number;
  /** Defaults to ou=people. */
  ou?: string;
}

/** The people every slapd starts with. Passwords are the users' own, so tests can bind. */
export const SEED_USERS = {
  jsmith: {
    uid: 'jsmith',
    password: 'jsmith-Pass-1',
    cn: 'Jane Smith',
    mail: 'jane.smith@example.com',
    telephoneNumber: '+1 555 0100',
    employeeNumber: 'E1001',
    departmentNumber: 'Finance',
    manager: 'mlee',
  },
  mlee: {
    uid: 'mlee',
    password: 'mlee-Pass-1',
    cn: 'Min Lee',
    mail: 'min.lee@example.com',
    telephoneNumber: '+1 555 0101',
    employeeNumber: 'E1002',
    departmentNumber: 'Finance',
  },
  /** Disabled by the attribute rule `employeeType` = `disabled`. */
  gone: {
    uid: 'gone',
    password: 'gone-Pass-1',
    cn: 'Gail One',
    mail: 'gail.one@example.com',
    employeeType: 'disabled',
  },
  /** The one member of cn=privileged,ou=groups. */
  boss: {
    uid: 'boss',
    password: 'boss-Pass-1',
    cn: 'Bo Boss',
    mail: 'bo.boss@example.com',
    employeeNumber: 'E0001',
    departmentNumber: 'Board',
  },
  /** A non-ASCII uid, to see that UTF-8 survives the filter. */
  jose: { uid: 'josé', password: 'jose-Pass-1', cn: 'José Núñez' },
  /** Active Directory attributes: enabled (512 = NORMAL_ACCOUNT). */
  adActive: {
    uid: 'adactive',
    password: 'adactive-Pass-1',
    cn: 'Ada Active',
    userAccountControl: 512,
  },
  /** Active Directory attributes: disabled (514 = NORMAL_ACCOUNT | ACCOUNTDISABLE). */
  adDisabled: {
    uid: 'addisabled',
    password: 'addisabled-Pass-1',
    cn: 'Ada Disabled',
    userAccountControl: 514,
  },
  /** Two entries share this uid (ou=people and ou=contractors): a misconfigured directory. */
  twin: { uid: 'twin', password: 'twin-Pass-1', cn: 'Twin One' },
  twinToo: { uid: 'twin', password: 'twin-Pass-2', cn: 'Twin Two', ou: 'contractors' },
} satisfies Record<string, SeedUser>;

export function userDn(uid: string, ou = 'people'): string {
  return `uid=${uid},ou=${ou},${BASE_DN}`;
}

export interface Slapd {
  /** `ldap://127.0.0.1:PORT` (StartTLS available). */
  url: string;
  /** `ldaps://127.0.0.1:PORT2`. */
  ldapsUrl: string;
  port: number;
  ldapsPort: number;
  /** The throwaway CA that signed the server's certificate (PEM). */
  caPem: string;
  baseDn: string;
  /** The read-only service account. */
  bindDn: string;
  bindPassword: string;
  /** The temp dir holding config, data, certificates. */
  dir: string;
  /** The running slapd's pid, or undefined while stopped. */
  pid(): number | undefined;
  /**
   * Settings for this server: ldap:// without TLS, the service account, the OpenLDAP preset, the
   * attribute rule `employeeType` = `disabled`, the privileged group cn=privileged,ou=groups and a
   * 30 s display cache. Overrides win (e.g. `{ url: ldapsUrl, caCertificate: caPem }`).
   */
  settings(overrides?: Partial<LdapSettings>): LdapSettings;
  /**
   * slapd's own counters (cn=Monitor), read as the root DN and not counting that read: binds
   * received since start, and connections open now. For "no bind happened", "the pool holds N".
   */
  counters(): Promise<SlapdCounters>;
  /** SIGTERM and wait for exit. The ports then refuse connections. */
  stop(): Promise<void>;
  /** Starts slapd again on the same ports and data. */
  start(): Promise<void>;
  /** Stops for good and removes the temp dir. */
  dispose(): Promise<void>;
}

export interface SlapdCounters {
  binds: number;
  connections: number;
}

/** `earlierReads`: counter reads since slapd started, whose binds are not the caller's either. */
async function readCounters(url: string, earlierReads: number): Promise<SlapdCounters> {
  const client = new Client({ url });
  try {
    await client.bind(ROOT_DN, ROOT_PASSWORD);
    const read = async (dn: string, attribute: string) => {
      const { searchEntries } = await client.search(dn, { scope: 'base', attributes: [attribute] });
      const value = searchEntries[0]?.[attribute];
      return Number(Array.isArray(value) ? value[0] : value);
    };
    const binds = await read('cn=Bind,cn=Operations,cn=Monitor', 'monitorOpInitiated');
    const connections = await read('cn=Current,cn=Connections,cn=Monitor', 'monitorCounter');
    // This read's own bind and connection, and earlier reads' binds, are not the caller's.
    return { binds: binds - 1 - earlierReads, connections: connections - 1 };
  } finally {
    await client.unbind().catch(() => undefined);
  }
}

/** `{SSHA}` of a password, as slappasswd makes it. */
export function sshaHash(password: string): string {
  const salt = randomBytes(8);
  const digest = createHash('sha1').update(password, 'utf8').update(salt).digest();
  return `{SSHA}${Buffer.concat([digest, salt]).toString('base64')}`;
}

/** An LDIF line; values that are not plain ASCII (or start oddly) are base64 (`attr:: …`). */
function ldifLine(attribute: string, value: string): string {
  const safe = /^[\x21-\x39\x3b\x3d-\x7e][\x20-\x7e]*$/.test(value) && !value.endsWith(' ');
  return safe
    ? `${attribute}: ${value}`
    : `${attribute}:: ${Buffer.from(value, 'utf8').toString('base64')}`;
}

function entry(lines: [string, string][]): string {
  return lines.map(([a, v]) => ldifLine(a, v)).join('\n') + '\n';
}

function configLdif(dir: string, rootPasswordHash: string): string {
  const file = (name: string) => `file://${SCHEMA_DIR}/${name}.ldif`;
  return `dn: cn=config
objectClass: olcGlobal
cn: config
olcPidFile: ${dir}/slapd.pid
olcTLSCACertificateFile: ${dir}/tls/ca.pem
olcTLSCertificateFile: ${dir}/tls/server.pem
olcTLSCertificateKeyFile: ${dir}/tls/server.key
olcAllows: bind_anon_dn

dn: cn=module{0},cn=config
objectClass: olcModuleList
cn: module{0}
olcModulePath: ${MODULE_DIR}
olcModuleLoad: back_mdb

dn: cn=schema,cn=config
objectClass: olcSchemaConfig
cn: schema

include: ${file('core')}

include: ${file('cosine')}

include: ${file('inetorgperson')}

dn: cn=adaccount,cn=schema,cn=config
objectClass: olcSchemaConfig
cn: adaccount
olcAttributeTypes: ( 1.2.840.113556.1.4.8 NAME 'userAccountControl' EQUALITY integerMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.27 SINGLE-VALUE )
olcAttributeTypes: ( 1.2.840.113556.1.4.221 NAME 'sAMAccountName' EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
olcObjectClasses: ( 2.25.211429461926134541328036468396566383001.1 NAME 'helpdeskAdAccount' DESC 'Active Directory account attributes, for tests' SUP top AUXILIARY MAY ( sAMAccountName $ userAccountControl ) )

dn: olcDatabase={-1}frontend,cn=config
objectClass: olcDatabaseConfig
objectClass: olcFrontendConfig
olcDatabase: {-1}frontend

dn: olcDatabase={0}config,cn=config
objectClass: olcDatabaseConfig
olcDatabase: {0}config
olcAccess: {0}to * by * none

dn: olcDatabase={1}mdb,cn=config
objectClass: olcDatabaseConfig
objectClass: olcMdbConfig
olcDatabase: {1}mdb
olcSuffix: ${BASE_DN}
olcRootDN: ${ROOT_DN}
olcRootPW: ${rootPasswordHash}
olcDbDirectory: ${dir}/data
olcDbMaxSize: 33554432
olcDbIndex: objectClass eq
olcDbIndex: uid eq
olcDbIndex: member,uniqueMember eq
olcAccess: {0}to attrs=userPassword by anonymous auth by * none
olcAccess: {1}to * by dn.exact="${SVC_DN}" read by self read by * none

dn: olcDatabase={2}monitor,cn=config
objectClass: olcDatabaseConfig
olcDatabase: {2}monitor
olcAccess: {0}to * by dn.exact="${ROOT_DN}" read by * none
`;
}

function dataLdif(): string {
  const parts = [
    entry([
      ['dn', BASE_DN],
      ['objectClass', 'dcObject'],
      ['objectClass', 'organization'],
      ['dc', 'example'],
      ['o', 'Example'],
    ]),
    ...['people', 'contractors', 'groups'].map((ou) =>
      entry([
        ['dn', `ou=${ou},${BASE_DN}`],
        ['objectClass', 'organizationalUnit'],
        ['ou', ou],
      ]),
    ),
    entry([
      ['dn', SVC_DN],
      ['objectClass', 'organizationalRole'],
      ['objectClass', 'simpleSecurityObject'],
      ['cn', 'svc'],
      ['userPassword', sshaHash(SVC_PASSWORD)],
    ]),
  ];
  for (const user of Object.values(SEED_USERS) as SeedUser[]) {
    const lines: [string, string][] = [
      ['dn', userDn(user.uid, user.ou)],
      ['objectClass', 'inetOrgPerson'],
    ];
    if (user.userAccountControl !== undefined) lines.push(['objectClass', 'helpdeskAdAccount']);
    lines.push(['uid', user.uid], ['cn', user.cn], ['sn', user.cn.split(' ').at(-1) ?? user.cn]);
    lines.push(['displayName', user.cn], ['userPassword', sshaHash(user.password)]);
    const optional = [
      'mail',
      'telephoneNumber',
      'employeeNumber',
      'departmentNumber',
      'employeeType',
    ] as const;
    for (const key of optional) {
      const value = user[key];
      if (value !== undefined) lines.push([key, value]);
    }
    if (user.manager !== undefined) lines.push(['manager', userDn(user.manager)]);
    if (user.userAccountControl !== undefined) {
      lines.push(['sAMAccountName', user.uid]);
      lines.push(['userAccountControl', String(user.userAccountControl)]);
    }
    parts.push(entry(lines));
  }
  parts.push(
    entry([
      ['dn', PRIVILEGED_GROUP_DN],
      ['objectClass', 'groupOfNames'],
      ['cn', 'privileged'],
      ['member', userDn(SEED_USERS.boss.uid)],
    ]),
  );
  return parts.join('\n');
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function slapadd(dir: string, database: number, ldifFile: string): Promise<void> {
  try {
    await run(SLAPADD, [
      '-q',
      '-n',
      String(database),
      '-F',
      path.join(dir, 'slapd.d'),
      '-l',
      ldifFile,
    ]);
  } catch (error) {
    const { stderr } = error as { stderr?: string };
    throw new Error(`slapadd -n${database} failed:\n${stderr ?? String(error)}`, {
      cause: error,
    });
  }
}

/** Every slapd still running, killed if this process exits without disposing of it. */
const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function killOnExit(child: ChildProcess): void {
  running.add(child);
  child.once('exit', () => running.delete(child));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const proc of running) proc.kill('SIGKILL');
  });
}

/** Starts a seeded slapd with TLS in a fresh temp dir. Call `dispose()` when done (afterAll). */
export async function startSlapd(): Promise<Slapd> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'helpdesk-slapd-'));
  try {
    await mkdir(path.join(dir, 'slapd.d'));
    await mkdir(path.join(dir, 'data'));
    await mkdir(path.join(dir, 'tls'));
    await makeTestCertificates(path.join(dir, 'tls'), '/CN=Help Desk OTP test CA');
    await writeFile(path.join(dir, 'config.ldif'), configLdif(dir, sshaHash(ROOT_PASSWORD)));
    await writeFile(path.join(dir, 'data.ldif'), dataLdif());
    await slapadd(dir, 0, path.join(dir, 'config.ldif'));
    await slapadd(dir, 1, path.join(dir, 'data.ldif'));
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const caPem = await readFile(path.join(dir, 'tls', 'ca.pem'), 'utf8');
  const port = await freePort();
  const ldapsPort = await freePort();
  const url = `ldap://127.0.0.1:${port}`;
  const ldapsUrl = `ldaps://127.0.0.1:${ldapsPort}`;

  let child: ChildProcess | undefined;
  /** cn=Monitor restarts from zero with slapd. */
  let counterReads = 0;
  let exited: Promise<void> = Promise.resolve();

  const start = async (): Promise<void> => {
    if (child) return;
    counterReads = 0;
    const proc = spawn(
      SLAPD,
      ['-d', 'none', '-F', path.join(dir, 'slapd.d'), '-h', `${url}/ ${ldapsUrl}/`],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    proc.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    proc.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    let exitCode: number | null | undefined;
    exited = new Promise((resolve) =>
      proc.once('exit', (code, signal) => {
        exitCode = code ?? (signal ? -1 : null);
        resolve();
      }),
    );
    child = proc;
    killOnExit(proc);
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (exitCode !== undefined) {
        child = undefined;
        throw new Error(`slapd exited (${exitCode}) before listening:\n${output}`);
      }
      if ((await accepts(port)) && (await accepts(ldapsPort))) return;
      if (Date.now() > deadline) {
        proc.kill('SIGKILL');
        await exited;
        child = undefined;
        throw new Error(`slapd did not listen on ${port}/${ldapsPort} within 10 s:\n${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };

  const stop = async (): Promise<void> => {
    const proc = child;
    if (!proc) return;
    proc.kill('SIGTERM');
    const killer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(killer);
    child = undefined;
  };

  try {
    await start();
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }

  return {
    url,
    ldapsUrl,
    port,
    ldapsPort,
    caPem,
    baseDn: BASE_DN,
    bindDn: SVC_DN,
    bindPassword: SVC_PASSWORD,
    dir,
    pid: () => child?.pid,
    counters: () => readCounters(url, counterReads++),
    settings: (overrides = {}) => ({
      url,
      startTls: false,
      caCertificate: '',
      bindDn: SVC_DN,
      baseDn: BASE_DN,
      ...structuredClone(OPENLDAP_PRESET),
      disabled: { kind: 'attribute', attribute: 'employeeType', value: 'disabled' },
      privilegedGroup: PRIVILEGED_GROUP_DN,
      cacheSeconds: 30,
      ...overrides,
    }),
    stop,
    start,
    dispose: async () => {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
