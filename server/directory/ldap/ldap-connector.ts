// The realm's way into LDAP: directories opened with ldapts, and the settings' connection test.
import type { LdapConnector } from '../realm-directory';
import { LdapDirectory } from './ldap-directory';
import { testLdapConnection } from './ldap-test-connection';

export const ldapConnector: LdapConnector = {
  open: (settings, bindPassword) => new LdapDirectory(settings, bindPassword),
  test: (settings, bindPassword, username) => testLdapConnection(settings, bindPassword, username),
};
