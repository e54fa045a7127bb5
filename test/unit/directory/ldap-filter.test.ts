// The user filter: a username is escaped per RFC 4515 and can only be compared; a broken template is the template's fault.
import { FilterParser } from 'ldapts';
import { describe, expect, it } from 'vitest';
import {
  FilterTemplateError,
  escapeFilterValue,
  memberFilter,
  parseUserFilter,
  userFilter,
} from '../../../server/directory/ldap/ldap-filter';

const TEMPLATE = '(&(objectClass=person)(uid={username}))';

describe('escapeFilterValue', () => {
  it.each([
    ['*', '\\2a'],
    ['(', '\\28'],
    [')', '\\29'],
    ['\\', '\\5c'],
    ['\0', '\\00'],
    ['*)(uid=*', '\\2a\\29\\28uid=\\2a'],
    ['jsmith)(|(uid=*', 'jsmith\\29\\28|\\28uid=\\2a'],
  ])('escapes %j as %j', (raw, escaped) => {
    expect(escapeFilterValue(raw)).toBe(escaped);
  });

  it('leaves letters, digits, punctuation and non-ASCII as they are', () => {
    expect(escapeFilterValue('jane.doe+x@example.com')).toBe('jane.doe+x@example.com');
    expect(escapeFilterValue('josé')).toBe('josé');
  });
});

describe('userFilter', () => {
  it('substitutes every {username}', () => {
    expect(userFilter('(|(uid={username})(mail={username}))', 'a*')).toBe(
      '(|(uid=a\\2a)(mail=a\\2a))',
    );
  });

  it.each(['*', '*)(uid=*', 'jsmith)(|(uid=*', '\\', '(', '\0', 'a)(objectClass=*'])(
    'keeps %j a single equality assertion on uid',
    (username) => {
      const filter = parseUserFilter(TEMPLATE, username);
      // The parsed filter is the template's AND of two equalities, the value being the raw username.
      expect(filter.toString()).toBe(`(&(objectClass=person)(uid=${escapeFilterValue(username)}))`);
      const parsed = FilterParser.parseString(filter.toString());
      expect(parsed.constructor.name).toBe('AndFilter');
      const [, uid] = (parsed as unknown as { filters: { attribute: string; value: string }[] })
        .filters;
      expect(uid?.attribute).toBe('uid');
      expect(uid?.value).toBe(username);
    },
  );
});

describe('parseUserFilter', () => {
  it.each([
    ['(uid={username}', 'missing close'],
    ['(&(uid={username})', 'unbalanced and'],
    ['uid={username}))', 'extra close'],
    ['(uid={username})(cn=x)', 'two filters'],
    ['(ui d={username})', 'bad attribute'],
    ['uid={username}', 'no parentheses'],
  ])('refuses the template %j (%s) as a template error', (template) => {
    expect(() => parseUserFilter(template, 'jsmith')).toThrow(FilterTemplateError);
  });

  it('accepts the OpenLDAP and Active Directory presets', () => {
    expect(() => parseUserFilter(TEMPLATE, 'jsmith')).not.toThrow();
    expect(() =>
      parseUserFilter(
        '(&(objectCategory=person)(objectClass=user)(sAMAccountName={username}))',
        'jsmith',
      ),
    ).not.toThrow();
  });
});

describe('memberFilter', () => {
  it('escapes the DN so a comma-escaped RDN stays one value', () => {
    expect(memberFilter('CN=Lee\\, Min,OU=People,DC=example,DC=com')).toBe(
      '(|(member=CN=Lee\\5c, Min,OU=People,DC=example,DC=com)(uniqueMember=CN=Lee\\5c, Min,OU=People,DC=example,DC=com))',
    );
  });
});
