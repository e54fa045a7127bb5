// The directory contract: what every source (the embedded directory, LDAP / Active Directory) must
// answer for the same users, so the services never need to know which one they read.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DirectoryUserView } from '../../server/contract/directory';
import type { Directory } from '../../server/directory/directory';

/** A user every source is seeded with, and the password they sign in with. */
export interface DirectoryFixture extends DirectoryUserView {
  password: string;
}

const user = (over: Partial<DirectoryFixture> & { username: string }): DirectoryFixture => ({
  displayName: `User ${over.username}`,
  email: `${over.username}@example.com`,
  phone: '+14155550100',
  employeeId: 'E0',
  department: 'Finance',
  manager: 'mlee',
  enabled: true,
  privileged: false,
  password: `pw of ${over.username} with length`,
  ...over,
});

export const DIRECTORY_FIXTURES: readonly DirectoryFixture[] = [
  user({
    username: 'jsmith',
    displayName: 'Jane Smith',
    email: 'jane.smith@example.com',
    phone: '+14155550101',
    employeeId: 'E10234',
    department: 'Finance',
    manager: 'mlee',
  }),
  user({
    username: 'mlee',
    displayName: 'Morgan Lee',
    phone: '+442079460000',
    employeeId: 'E20001',
    department: 'IT',
    manager: '',
    privileged: true,
  }),
  user({ username: 'gone', displayName: 'Gone Away', employeeId: 'E30003', enabled: false }),
  // Names an injected filter would match if it were not escaped.
  user({ username: 'star', displayName: 'Star User', employeeId: 'E40004' }),
  ...Array.from({ length: 20 }, (_, i) =>
    user({ username: `crowd${i}`, displayName: `Crowd ${i}`, employeeId: `C${i}` }),
  ),
];

export interface DirectoryUnderTest {
  directory: Directory;
  dispose(): Promise<void>;
}

/** Filters and values an attacker types as a username: each must find nobody and sign in nobody. */
const INJECTIONS = [
  '*',
  'j*',
  '*)(uid=*',
  'jsmith)(|(uid=*',
  '*)(|(objectClass=*)',
  'jsmith)(&',
  '\\2a',
  '(',
  ')',
  '\\',
  'jsmith\u0000',
];

export function describeDirectoryContract(
  name: string,
  create: (fixtures: readonly DirectoryFixture[]) => Promise<DirectoryUnderTest>,
): void {
  describe(`directory contract: ${name}`, () => {
    let subject: DirectoryUnderTest;
    const directory = () => subject.directory;
    const fixture = (username: string) => DIRECTORY_FIXTURES.find((u) => u.username === username)!;
    const profileOf = ({ password: _password, ...profile }: DirectoryFixture) => profile;

    beforeAll(async () => {
      subject = await create(DIRECTORY_FIXTURES);
    });
    afterAll(async () => {
      await subject?.directory.close?.();
      await subject?.dispose();
    });

    it('finds a user with every field mapped', async () => {
      const changedAt = expect.any(Number) as unknown as number;
      expect(await directory().findUser('jsmith')).toEqual({
        ...profileOf(fixture('jsmith')),
        changedAt,
      });
      expect(await directory().findUser('mlee')).toEqual({
        ...profileOf(fixture('mlee')),
        changedAt,
      });
    });

    it('says when the account changed: users added just now changed within the last minute', async () => {
      // The embedded directory stamps its own record; slapd sets modifyTimestamp (whole seconds).
      for (const username of ['jsmith', 'gone', 'crowd7']) {
        const changedAt = (await directory().findUser(username))?.changedAt;
        expect(changedAt, username).toBeTypeOf('number');
        expect(changedAt!, username).toBeGreaterThan(Date.now() - 60_000);
        expect(changedAt!, username).toBeLessThanOrEqual(Date.now());
      }
    });

    it('finds a user however the username is typed (case, surrounding spaces)', async () => {
      expect((await directory().findUser('  JSmith '))?.username).toBe('jsmith');
    });

    it('answers undefined for a user it does not have', async () => {
      expect(await directory().findUser('nobody')).toBeUndefined();
    });

    it('says a disabled user is disabled, and privileged members are privileged', async () => {
      expect(await directory().findUser('gone')).toMatchObject({ enabled: false });
      expect(await directory().findUser('mlee')).toMatchObject({ privileged: true });
      expect(await directory().findUser('jsmith')).toMatchObject({ privileged: false });
    });

    it('accepts the right password of an enabled user and nothing else', async () => {
      const { password } = fixture('jsmith');
      expect(await directory().checkPassword('jsmith', password)).toBe(true);
      expect(await directory().checkPassword('JSMITH', password)).toBe(true);
      expect(await directory().checkPassword('jsmith', `${password}x`)).toBe(false);
      expect(await directory().checkPassword('jsmith', '')).toBe(false);
      expect(await directory().checkPassword('jsmith', fixture('mlee').password)).toBe(false);
      expect(await directory().checkPassword('nobody', password)).toBe(false);
      expect(await directory().checkPassword('gone', fixture('gone').password)).toBe(false);
    });

    it('treats filter syntax in a username as text: nobody found, nobody signed in', async () => {
      for (const typed of INJECTIONS) {
        expect(await directory().findUser(typed), typed).toBeUndefined();
        expect(await directory().checkPassword(typed, fixture('jsmith').password), typed).toBe(
          false,
        );
      }
    });

    it('answers a cached lookup as the live one does', async () => {
      const live = await directory().findUser('star');
      expect(await directory().findUser('star', { cached: true })).toEqual(live);
    });

    it('answers many simultaneous lookups each with its own user', async () => {
      const crowd = DIRECTORY_FIXTURES.filter((u) => u.username.startsWith('crowd'));
      const answers = await Promise.all(
        [...crowd, ...crowd].map((u) => directory().findUser(u.username)),
      );
      expect(answers.map((a) => a?.employeeId)).toEqual(
        [...crowd, ...crowd].map((u) => u.employeeId),
      );
    });

    it('checks simultaneous passwords each against its own user', async () => {
      const crowd = DIRECTORY_FIXTURES.filter((u) => u.username.startsWith('crowd')).slice(0, 8);
      const answers = await Promise.all(
        crowd.flatMap((u, i) => [
          directory().checkPassword(u.username, u.password),
          directory().checkPassword(u.username, crowd[(i + 1) % crowd.length]!.password),
        ]),
      );
      expect(answers).toEqual(crowd.flatMap(() => [true, false]));
    });
  });
}
