// PLACEHOLDER until the ldapts directory lands: LDAP reads as unavailable.
import type { LdapConnector } from '../realm-directory';
import { DirectoryUnavailableError } from '../directory';

const unavailable = () => Promise.reject(new DirectoryUnavailableError('LDAP is not built yet.'));

export const ldapConnector: LdapConnector = {
  open: () => ({
    kind: 'ldap',
    findUser: unavailable,
    checkPassword: unavailable,
    probe: unavailable,
    close: () => Promise.resolve(),
  }),
  test: () =>
    Promise.resolve({
      ok: false,
      stage: 'settings',
      message: 'LDAP is not built yet.',
      elapsedMs: 0,
    }),
};
