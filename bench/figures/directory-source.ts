// Figure 8's measure: the sign-in pages answered with the realm on LDAP (a private slapd) beside the
// same realm on the embedded directory, same users, same run. Without a password (8a) the directory
// read is the live lookup when the request is made; with one (8b) the password check comes first
// (embedded: scrypt; LDAP: a bind as the user).
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { DirectorySettings } from '../../server/contract/directory';
import type { RealmConfig, Workflow } from '../../server/contract/realm-config';
import { addLdapPeople } from '../../test/support/ldap-users';
import { startSlapd, type Slapd } from '../../test/support/slapd';
import { ipFor, openLoop } from '../lib/load';
import { PageClient } from '../lib/sign-in';
import { summarize, type LatencySummary } from '../lib/stats';

/** Every bench directory user's password (buildDataDir hashes the same one for the embedded side). */
export const BENCH_USER_PASSWORD = 'bench agent password';

export interface DirectorySourceSetup {
  slapd: Slapd;
  /** Makes the data dir's realm read users from this slapd, with the service password saved. */
  useLdap(dataDir: string): Promise<void>;
}

/** Starts slapd with `users` people `life0`… (the embedded directory's names and password). */
export async function startBenchLdap(users: number): Promise<DirectorySourceSetup> {
  const slapd = await startSlapd();
  const ldap = await addLdapPeople(
    slapd,
    'bench',
    Array.from({ length: users }, (_, i) => ({
      username: `life${i}`,
      displayName: `Life ${i}`,
      email: `life${i}@example.com`,
      phone: '+14155550111',
      employeeId: `E${i}`,
      department: 'Bench',
      password: BENCH_USER_PASSWORD,
    })),
  );
  return {
    slapd,
    async useLdap(dataDir) {
      const realmFile = path.join(dataDir, 'realm.json');
      const realm = JSON.parse(await readFile(realmFile, 'utf8')) as RealmConfig;
      const directory: DirectorySettings = { source: 'ldap', ldap, phoneCountry: 'US' };
      await writeFile(realmFile, JSON.stringify({ ...realm, directory }), { mode: 0o600 });
      const keysFile = path.join(dataDir, 'keys.json');
      const keys = JSON.parse(await readFile(keysFile, 'utf8')) as Record<string, unknown>;
      await writeFile(
        keysFile,
        JSON.stringify({ ...keys, secrets: { 'ldap-bind-password': slapd.bindPassword } }),
        { mode: 0o600 },
      );
    },
  };
}

/** Sets the data dir's workflow. */
export async function setWorkflow(dataDir: string, workflow: Workflow): Promise<void> {
  const realmFile = path.join(dataDir, 'realm.json');
  const realm = JSON.parse(await readFile(realmFile, 'utf8')) as RealmConfig;
  await writeFile(realmFile, JSON.stringify({ ...realm, workflow }), { mode: 0o600 });
}

export interface SignInPagesResult {
  /** Every page answer: start page, identify form, method page, desk form, request page. */
  pages: LatencySummary;
  /** The answers that read the directory: the desk form, and the identify form with a password. */
  directoryReads: LatencySummary;
  /** People whose walk did not end on the request page. */
  failed: number;
  failures: string[];
}

/** At `perSecond`, `count` people each walk the pages (with their password if asked) to desk 1. */
export async function measureSignInPages(
  url: string,
  options: {
    count: number;
    perSecond: number;
    firstUser: number;
    ipOffset: number;
    withPassword: boolean;
  },
): Promise<SignInPagesResult> {
  const pages: number[] = [];
  const reads: number[] = [];
  const failures: string[] = [];
  const timed = async <T>(work: () => Promise<T>, alsoRead = false): Promise<T> => {
    const t0 = performance.now();
    const result = await work();
    const ms = performance.now() - t0;
    pages.push(ms);
    if (alsoRead) reads.push(ms);
    return result;
  };
  await openLoop(options.count, options.perSecond, async (i) => {
    const browser = new PageClient(url, ipFor(options.ipOffset + i));
    const username = `life${options.firstUser + i}`;
    try {
      await timed(() => browser.get('/sign-in'));
      const identified = await timed(
        () =>
          browser.post(
            '/sign-in',
            options.withPassword ? { username, password: BENCH_USER_PASSWORD } : { username },
          ),
        options.withPassword,
      );
      if (identified.location !== '/sign-in/method')
        throw new Error(`identify form answered ${identified.status}`);
      await timed(() => browser.get('/sign-in/method'));
      const asked = await timed(() => browser.post('/sign-in/method', { desk: '1' }), true);
      if (asked.location !== '/sign-in/request')
        throw new Error(`desk form answered ${asked.status}`);
      await timed(() => browser.get('/sign-in/request'));
    } catch (error) {
      failures.push(String(error));
    }
  });
  return {
    pages: summarize(pages),
    directoryReads: summarize(reads),
    failed: failures.length,
    failures: failures.slice(0, 3),
  };
}
