// An LDAP entry mapped to what agents see: values as text, the disabled rules, a manager DN shortened.
import type { Entry } from 'ldapts';
import { describe, expect, it } from 'vitest';
import {
  ACTIVE_DIRECTORY_PRESET,
  OPENLDAP_PRESET,
  type LdapSettings,
} from '../../../server/contract/directory';
import {
  changedAtOf,
  entryToProfile,
  isDisabled,
  managerName,
  parseGeneralizedTime,
  requestedAttributes,
} from '../../../server/directory/ldap/ldap-entry';

const base = {
  url: 'ldap://ldap.example.com',
  startTls: false,
  caCertificate: '',
  bindDn: '',
  baseDn: 'dc=example,dc=com',
  privilegedGroup: '',
  cacheSeconds: 30,
};
const openldap: LdapSettings = { ...base, ...structuredClone(OPENLDAP_PRESET) };
const ad: LdapSettings = { ...base, ...structuredClone(ACTIVE_DIRECTORY_PRESET) };

describe('the Active Directory rule (bit 0x2 of userAccountControl)', () => {
  const rule = { kind: 'ad-user-account-control' } as const;
  it.each([
    ['512', false], // NORMAL_ACCOUNT
    ['514', true], // NORMAL_ACCOUNT | ACCOUNTDISABLE
    ['66048', false], // NORMAL_ACCOUNT | DONT_EXPIRE_PASSWORD
    ['66050', true],
    ['2', true],
    ['-2147483646', true], // a signed 32-bit word with 0x2 set
    ['16', false], // LOCKOUT alone is not "disabled"
  ])('userAccountControl %s → disabled %s', (value, disabled) => {
    expect(isDisabled(rule, { dn: 'cn=x', userAccountControl: value })).toBe(disabled);
  });

  it('fails closed when the attribute is missing or not a number', () => {
    expect(isDisabled(rule, { dn: 'cn=x' })).toBe(true);
    expect(isDisabled(rule, { dn: 'cn=x', userAccountControl: 'abc' })).toBe(true);
  });

  it('reads a Buffer value and a differently-cased attribute name', () => {
    expect(isDisabled(rule, { dn: 'cn=x', useraccountcontrol: Buffer.from('514') })).toBe(true);
    expect(isDisabled(rule, { dn: 'cn=x', USERACCOUNTCONTROL: ['512'] })).toBe(false);
  });
});

describe('the attribute rule', () => {
  const rule = { kind: 'attribute', attribute: 'employeeType', value: 'Disabled' } as const;
  it('matches any value case-insensitively', () => {
    expect(isDisabled(rule, { dn: 'x', employeeType: ['staff', 'DISABLED'] })).toBe(true);
    expect(isDisabled(rule, { dn: 'x', employeeType: 'staff' })).toBe(false);
    expect(isDisabled(rule, { dn: 'x' })).toBe(false);
  });

  it('none never disables', () => {
    expect(isDisabled({ kind: 'none' }, { dn: 'x', userAccountControl: '514' })).toBe(false);
  });
});

describe('managerName', () => {
  it.each([
    ['uid=mlee,ou=people,dc=example,dc=com', 'mlee'],
    ['CN=Lee\\, Min,OU=People,DC=example,DC=com', 'Lee, Min'],
    ['cn=Jos\\C3\\A9 N,ou=people', 'José N'],
    ['cn=A+uid=b,dc=x', 'A'],
    ['Min Lee', 'Min Lee'],
    ['', ''],
  ])('%j → %j', (value, name) => {
    expect(managerName(value)).toBe(name);
  });
});

describe('entryToProfile', () => {
  const entry: Entry = {
    dn: 'CN=Jane Smith,OU=People,DC=example,DC=com',
    sAMAccountName: ' JSmith ',
    displayName: 'Jane Smith',
    mail: ['jane@example.com', 'j.smith@example.com'],
    telephoneNumber: Buffer.from('+1 555 0100'),
    employeeID: 'E1001',
    department: 'Finance',
    manager: 'CN=Min Lee,OU=People,DC=example,DC=com',
    userAccountControl: '512',
    whenChanged: '20261201171708.0Z',
  };

  it('maps every field with the AD preset, taking first values and normalising the username', () => {
    expect(entryToProfile(entry, ad, true, 'jsmith')).toEqual({
      username: 'jsmith',
      displayName: 'Jane Smith',
      email: 'jane@example.com',
      phone: '+1 555 0100',
      employeeId: 'E1001',
      department: 'Finance',
      manager: 'Min Lee',
      enabled: true,
      privileged: true,
      changedAt: Date.UTC(2026, 11, 1, 17, 17, 8),
    });
  });

  it('leaves unmapped and missing attributes empty', () => {
    const settings = { ...openldap, attributes: { ...openldap.attributes, phone: '' } };
    const profile = entryToProfile({ dn: 'uid=a', uid: 'a', cn: 'A' }, settings, false, 'a');
    expect(profile).toMatchObject({
      username: 'a',
      displayName: 'A',
      phone: '',
      manager: '',
      changedAt: null,
    });
  });

  it('never asks for every attribute, and asks for the one the disabled rule reads', () => {
    expect(requestedAttributes(ad)).toContain('userAccountControl');
    expect(requestedAttributes(ad)).not.toContain('*');
    const byAttribute: LdapSettings = {
      ...openldap,
      disabled: { kind: 'attribute', attribute: 'employeeType', value: 'disabled' },
    };
    expect(requestedAttributes(byAttribute)).toEqual([
      'uid',
      'cn',
      'mail',
      'telephoneNumber',
      'employeeNumber',
      'departmentNumber',
      'manager',
      'employeeType',
      'modifyTimestamp',
      'whenChanged',
    ]);
  });
});

describe('when an entry changed (LDAP GeneralizedTime)', () => {
  it.each([
    ['20261201171708Z', Date.UTC(2026, 11, 1, 17, 17, 8)],
    ['20261201171708.0Z', Date.UTC(2026, 11, 1, 17, 17, 8)],
    ['20261201171708.25Z', Date.UTC(2026, 11, 1, 17, 17, 8, 250)],
    ['20261201171708,5Z', Date.UTC(2026, 11, 1, 17, 17, 8, 500)],
    ['202612011717Z', Date.UTC(2026, 11, 1, 17, 17)],
    ['2026120117Z', Date.UTC(2026, 11, 1, 17)],
    ['2026120117.5Z', Date.UTC(2026, 11, 1, 17, 30)],
    ['202612011717.5Z', Date.UTC(2026, 11, 1, 17, 17, 30)],
    ['20261201181708+0100', Date.UTC(2026, 11, 1, 17, 17, 8)],
    ['20261201121708-0530', Date.UTC(2026, 11, 1, 17, 47, 8)],
    ['20261201191708+02', Date.UTC(2026, 11, 1, 17, 17, 8)],
    ['20161231235960Z', Date.UTC(2016, 11, 31, 23, 59, 59)],
  ])('reads %s', (text, at) => {
    expect(parseGeneralizedTime(text)).toBe(at);
  });

  it.each([
    '',
    'yesterday',
    '2026-12-01T17:17:08Z',
    '20261201171708',
    '20261301171708Z',
    '20260231171708Z',
    '20261201241708Z',
    '20261201176008Z',
    '20261201171708+2500',
    '20261201171708.Z',
  ])('refuses %j', (text) => {
    expect(parseGeneralizedTime(text)).toBeUndefined();
  });

  it('takes the newest of modifyTimestamp and whenChanged, in any case, from text or bytes', () => {
    expect(
      changedAtOf({
        dn: 'uid=a',
        modifytimestamp: Buffer.from('20261201100000Z'),
        WhenChanged: '20261130100000.0Z',
      }),
    ).toBe(Date.UTC(2026, 11, 1, 10));
    expect(changedAtOf({ dn: 'uid=a', modifyTimestamp: 'garbage' })).toBeNull();
    expect(changedAtOf({ dn: 'uid=a' })).toBeNull();
  });
});
