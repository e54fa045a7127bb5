// Settings' "Test connection": walks DNS → connect → TLS → bind → search for one username, and says where it stopped.
import { lookup } from 'node:dns/promises';
import net from 'node:net';
import type { Client } from 'ldapts';
import type { DirectoryTestResult, LdapSettings } from '../../contract/directory';
import { normaliseUsername } from '../../contract/username';
import {
  DEFAULT_LDAP_TIMEOUTS,
  atStep,
  bindClient,
  discardClient,
  ldapAddress,
  openClient,
} from './ldap-connection';
import { LdapFailure, classifyLdapError } from './ldap-errors';
import { parseUserFilter } from './ldap-filter';
import { lookupUser } from './ldap-lookup';

export interface TestConnectionOptions {
  connectTimeoutMs?: number;
  operationTimeoutMs?: number;
  now?: () => number;
}

/** Resolves the host; a resolver that does not answer in time counts as EAI_AGAIN (stage dns). */
async function resolve(host: string, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(Object.assign(new Error(`DNS lookup of ${host} timed out`), { code: 'EAI_AGAIN' })),
      ms,
    );
  });
  try {
    await Promise.race([lookup(host), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** The first problem with settings that cannot work, before any network. */
function settingsProblem(settings: LdapSettings, bindPassword: string | undefined): string | null {
  if (settings.url === '')
    return 'Enter the LDAP server URL (ldap://host:port or ldaps://host:port).';
  if (!/^ldaps?:\/\/[^\s/]+\/?$/i.test(settings.url))
    return `${settings.url} is not an LDAP URL; use ldap://host:port or ldaps://host:port.`;
  if (settings.startTls && /^ldaps:/i.test(settings.url))
    return 'ldaps:// is TLS already; StartTLS is for ldap:// URLs.';
  if (settings.baseDn === '') return 'Enter the base DN to search, e.g. dc=example,dc=com.';
  if (settings.bindDn !== '' && (bindPassword ?? '') === '')
    return `Enter the password of the service account ${settings.bindDn}.`;
  return null;
}

/**
 * Tries the settings for real against the server with one username. Never throws: a failure
 * answers the stage it stopped at and a message a person can act on.
 */
export async function testLdapConnection(
  settings: LdapSettings,
  bindPassword: string | undefined,
  username: string,
  options: TestConnectionOptions = {},
): Promise<DirectoryTestResult> {
  const now = options.now ?? Date.now;
  const started = now();
  const timeouts = {
    connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_LDAP_TIMEOUTS.connectTimeoutMs,
    operationTimeoutMs: options.operationTimeoutMs ?? DEFAULT_LDAP_TIMEOUTS.operationTimeoutMs,
  };
  const failed = (failure: LdapFailure): DirectoryTestResult => ({
    ok: false,
    stage: failure.stage,
    message: failure.message,
    elapsedMs: now() - started,
  });

  const problem = settingsProblem(settings, bindPassword);
  if (problem) return failed(new LdapFailure('settings', problem));
  const name = normaliseUsername(username);
  if (name === '') return failed(new LdapFailure('settings', 'Enter a username to look up.'));

  let client: Client | undefined;
  try {
    // The template is the admin's: check it before asking the server anything.
    parseUserFilter(settings.userFilter, name);
    const { host } = ldapAddress(settings.url);
    if (net.isIP(host) === 0)
      await atStep('connect', () => resolve(host, timeouts.connectTimeoutMs));
    client = await atStep('connect', () => openClient(settings, timeouts));
    const opened = client;
    await atStep('bind', () => bindClient(opened, settings.bindDn, bindPassword ?? ''));
    const found = await lookupUser(
      (baseDn, searchOptions) => opened.search(baseDn, searchOptions),
      settings,
      name,
    );
    if (!found)
      return failed(
        new LdapFailure(
          'no-such-user',
          `Connected and searched, but no entry under ${settings.baseDn} matches ${settings.userFilter} for ${name}.`,
        ),
      );
    return { ok: true, dn: found.dn, profile: found.profile, elapsedMs: now() - started };
  } catch (error) {
    return failed(classifyLdapError(error, 'connect', settings, timeouts));
  } finally {
    if (client) discardClient(client);
  }
}
