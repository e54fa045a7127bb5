// LDAP (a real slapd started for this file) against the directory contract: the same users as the
// embedded directory, read through ldapts with the OpenLDAP preset.
import { LdapDirectory } from '../../server/directory/ldap/ldap-directory';
import { addLdapPeople } from '../support/ldap-users';
import { startSlapd } from '../support/slapd';
import { describeDirectoryContract } from './directory-contract';

describeDirectoryContract('LDAP (OpenLDAP slapd)', async (fixtures) => {
  const slapd = await startSlapd();
  const settings = await addLdapPeople(slapd, 'contract', fixtures);
  return {
    directory: new LdapDirectory(settings, slapd.bindPassword),
    dispose: () => slapd.dispose(),
  };
});
