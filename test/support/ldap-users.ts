// Adds people to a test slapd as its root: an organisational unit of inetOrgPerson entries, disabled
// ones marked `employeeType: disabled`, and a groupOfNames of the privileged ones.
import { Client } from 'ldapts';
import type { DirectoryUserView } from '../../server/contract/directory';
import type { LdapSettings } from '../../server/contract/directory';
import type { Slapd } from './slapd';
import { ROOT_DN, ROOT_PASSWORD, sshaHash } from './slapd';

export interface LdapPerson extends Partial<DirectoryUserView> {
  username: string;
  displayName: string;
  password: string;
}

/**
 * Creates `ou=<ou>` under the base with these people (and `cn=privileged,ou=<ou>` when any is
 * privileged), and answers settings that search only there.
 */
export async function addLdapPeople(
  slapd: Slapd,
  ou: string,
  people: readonly LdapPerson[],
): Promise<LdapSettings> {
  const base = `ou=${ou},${slapd.baseDn}`;
  const dnOf = (username: string) => `uid=${username},${base}`;
  const client = new Client({ url: slapd.url });
  try {
    await client.bind(ROOT_DN, ROOT_PASSWORD);
    await client.add(base, { objectClass: ['organizationalUnit'], ou });
    for (const person of people) {
      const attributes: Record<string, string | string[]> = {
        objectClass: ['inetOrgPerson'],
        uid: person.username,
        cn: person.displayName,
        sn: person.displayName.split(' ').at(-1) ?? person.displayName,
        userPassword: sshaHash(person.password),
      };
      if (person.email) attributes.mail = person.email;
      if (person.phone) attributes.telephoneNumber = person.phone;
      if (person.employeeId) attributes.employeeNumber = person.employeeId;
      if (person.department) attributes.departmentNumber = person.department;
      if (person.manager) attributes.manager = dnOf(person.manager);
      if (person.enabled === false) attributes.employeeType = 'disabled';
      await client.add(dnOf(person.username), attributes);
    }
    const privileged = people.filter((p) => p.privileged).map((p) => dnOf(p.username));
    const groupDn = `cn=privileged,${base}`;
    if (privileged.length > 0)
      await client.add(groupDn, {
        objectClass: ['groupOfNames'],
        cn: 'privileged',
        member: privileged,
      });
    return slapd.settings({
      baseDn: base,
      privilegedGroup: privileged.length > 0 ? groupDn : '',
      disabled: { kind: 'attribute', attribute: 'employeeType', value: 'disabled' },
    });
  } finally {
    await client.unbind().catch(() => {});
  }
}
