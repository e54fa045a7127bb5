// Finding one user's entry: the escaped filter under the base DN, exactly one match, the privileged group checked.
import type { SearchOptions, SearchResult } from 'ldapts';
import type { LdapSettings } from '../../contract/directory';
import type { DirectoryProfile } from '../directory';
import { atStep } from './ldap-connection';
import { entryToProfile, requestedAttributes } from './ldap-entry';
import { AmbiguousUserError } from './ldap-errors';
import { memberFilter, parseUserFilter } from './ldap-filter';

/** Runs one search on a bound connection. */
export type LdapSearch = (baseDn: string, options: SearchOptions) => Promise<SearchResult>;

export interface FoundUser {
  dn: string;
  profile: DirectoryProfile;
}

/** Whether `userDn` is a member (`member` or `uniqueMember`) of the group entry `groupDn`. */
export async function isMember(search: LdapSearch, groupDn: string, userDn: string) {
  const result = await search(groupDn, {
    scope: 'base',
    filter: memberFilter(userDn),
    attributes: ['1.1'],
    sizeLimit: 1,
  });
  return result.searchEntries.length > 0;
}

/**
 * The entry for a (normalised) username, or undefined when none matches. Two or more matches throw
 * AmbiguousUserError: never pick one. Errors are marked with their step ('search', 'group').
 */
export async function lookupUser(
  search: LdapSearch,
  settings: LdapSettings,
  username: string,
): Promise<FoundUser | undefined> {
  const filter = parseUserFilter(settings.userFilter, username);
  const result = await atStep('search', () =>
    search(settings.baseDn, {
      scope: 'sub',
      filter,
      // Two are enough to know one is not alone.
      sizeLimit: 2,
      attributes: requestedAttributes(settings),
    }),
  );
  const [entry, ...others] = result.searchEntries;
  if (others.length > 0) throw new AmbiguousUserError(result.searchEntries.length);
  if (!entry) return undefined;
  const privileged =
    settings.privilegedGroup === ''
      ? false
      : await atStep('group', () => isMember(search, settings.privilegedGroup, entry.dn));
  return { dn: entry.dn, profile: entryToProfile(entry, settings, privileged, username) };
}
