// The user filter sent to LDAP: the admin's template with the username escaped per RFC 4515, checked to parse.
import { FilterParser, type Filter } from 'ldapts';
import { USERNAME_PLACEHOLDER } from '../../contract/directory';

/**
 * A value made safe inside an RFC 4515 filter: `*`, `(`, `)`, `\` and NUL become `\2a`, `\28`,
 * `\29`, `\5c`, `\00`, so a username can only ever be compared, never add wildcards or clauses.
 * Other characters (including non-ASCII, sent as UTF-8) stay as they are: ldapts decodes `\XX`
 * one byte per character, so escaping UTF-8 bytes would change the value.
 */
export function escapeFilterValue(value: string): string {
  return value.replace(/[*()\\\0]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** The template with every `{username}` replaced by the escaped username. */
export function userFilter(template: string, username: string): string {
  return template.split(USERNAME_PLACEHOLDER).join(escapeFilterValue(username));
}

/** The template's filter does not parse: the admin's template is broken, not the username. */
export class FilterTemplateError extends Error {
  constructor(
    readonly template: string,
    detail: string,
  ) {
    super(`The user filter ${template} is not a valid LDAP filter (${detail})`);
    this.name = 'FilterTemplateError';
  }
}

/**
 * The parsed filter for a username. Throws FilterTemplateError when the template cannot make a
 * valid filter; since the username is escaped, only the template can be at fault.
 */
export function parseUserFilter(template: string, username: string): Filter {
  const text = userFilter(template, username);
  if (!text.startsWith('(') || !text.endsWith(')'))
    throw new FilterTemplateError(template, 'it must be enclosed in parentheses');
  // ldapts accepts a missing final `)` (`(&(uid=x)`); a filter the server would refuse is caught here.
  let depth = 0;
  for (const c of text) {
    depth += c === '(' ? 1 : c === ')' ? -1 : 0;
    if (depth < 0) break;
  }
  if (depth !== 0) throw new FilterTemplateError(template, 'its parentheses do not balance');
  try {
    return FilterParser.parseString(text);
  } catch (error) {
    throw new FilterTemplateError(template, error instanceof Error ? error.message : String(error));
  }
}

/** An equality filter `(|(member=dn)(uniqueMember=dn))` for a group membership check. */
export function memberFilter(userDn: string): string {
  const dn = escapeFilterValue(userDn);
  return `(|(member=${dn})(uniqueMember=${dn}))`;
}
