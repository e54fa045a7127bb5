// What went wrong talking to LDAP, in words an admin can act on, and at which stage of a connection test.
import {
  ConfidentialityRequiredError,
  InappropriateAuthError,
  InsufficientAccessError,
  InvalidCredentialsError,
  InvalidDNSyntaxError,
  NoSuchObjectError,
  ResultCodeError,
  StrongAuthRequiredError,
  UnwillingToPerformError,
} from 'ldapts';
import type { DirectoryTestStage, LdapSettings } from '../../contract/directory';
import { FilterTemplateError } from './ldap-filter';
import { ldapAddress, LdapStepError, type LdapStep } from './ldap-connection';

/** An LDAP problem, classified: the stage a connection test reports and a message for people. */
export class LdapFailure extends Error {
  constructor(
    readonly stage: DirectoryTestStage,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message);
    this.name = 'LdapFailure';
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}

/** More than one entry matches one username: the filter or the directory is wrong; never pick one. */
export class AmbiguousUserError extends Error {
  constructor(readonly count: number) {
    super('More than one entry matches the username');
    this.name = 'AmbiguousUserError';
  }
}

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_FAIL', 'EAI_NODATA']);
const UNREACHABLE_CODES = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'EADDRNOTAVAIL']);
/** Node's certificate verification failures (tls.TLSSocket#authorizationError codes). */
const CERTIFICATE_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'INVALID_CA',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Classifies anything thrown while talking to the server. Messages never contain passwords: they
 * name the host, DNs and filter from the settings and the server's own words.
 */
export function classifyLdapError(
  error: unknown,
  step: LdapStep,
  settings: LdapSettings,
  timeouts: { connectTimeoutMs: number; operationTimeoutMs: number },
): LdapFailure {
  if (error instanceof LdapFailure) return error;
  if (error instanceof LdapStepError)
    return classifyLdapError(error.original, error.step, settings, timeouts);
  const fail = (stage: DirectoryTestStage, message: string) =>
    new LdapFailure(stage, message, { cause: error });
  if (error instanceof FilterTemplateError) return fail('filter', error.message);
  if (error instanceof AmbiguousUserError)
    return fail(
      'search',
      `More than one entry under ${settings.baseDn} matches the user filter for this username; ` +
        'make the filter match exactly one entry per username.',
    );

  const { host, port, secure } = ldapAddress(settings.url);
  const where = `${host}:${port}`;
  const code = codeOf(error);
  const message = messageOf(error);
  const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

  if (error instanceof ResultCodeError) {
    // ldapts's message is the server's diagnostic, or only " Code: 0x20" when it sent none.
    const said = message.trim();
    const server = /^Code: 0x[\da-f]+$/i.test(said)
      ? `(LDAP result ${error.code})`
      : `(the server said: ${said}; LDAP result ${error.code})`;
    if (error instanceof ConfidentialityRequiredError || error instanceof StrongAuthRequiredError)
      return fail(
        'tls',
        `The server requires an encrypted connection: use ldaps:// or StartTLS ${server}.`,
      );
    if (step === 'starttls')
      return fail('tls', `The server refused StartTLS; is TLS configured on it? ${server}`);
    if (step === 'bind') {
      if (error instanceof InvalidCredentialsError)
        return fail(
          'bind',
          `The server refused the bind DN or its password (invalid credentials) for ${settings.bindDn || 'an anonymous bind'}.`,
        );
      if (error instanceof InvalidDNSyntaxError)
        return fail('bind', `The bind DN ${settings.bindDn} is not a valid DN ${server}.`);
      if (error instanceof UnwillingToPerformError || error instanceof InappropriateAuthError)
        return fail(
          'bind',
          `The server refused to bind as ${settings.bindDn || 'anonymous'}; enter the service account's DN and password ${server}.`,
        );
      return fail('bind', `The bind as ${settings.bindDn || 'anonymous'} failed ${server}.`);
    }
    const what = step === 'group' ? 'privileged group' : 'base DN';
    const dn = step === 'group' ? settings.privilegedGroup : settings.baseDn;
    if (error instanceof NoSuchObjectError)
      return fail(
        'search',
        `The ${what} ${dn} does not exist on the server, or the service account may not read it ${server}.`,
      );
    if (error instanceof InvalidDNSyntaxError)
      return fail('search', `The ${what} ${dn} is not a valid DN ${server}.`);
    if (error instanceof InsufficientAccessError)
      return fail('search', `The service account may not read ${dn} ${server}.`);
    return fail('search', `Searching ${dn} failed ${server}.`);
  }

  if (DNS_CODES.has(code))
    return fail(
      'dns',
      `The host name ${host} could not be resolved (${code}); check the server name in the URL.`,
    );
  if (code === 'ECONNREFUSED')
    return fail(
      'connect',
      `Nothing accepts connections at ${where} (connection refused); is the server running and the port right?`,
    );
  if (UNREACHABLE_CODES.has(code))
    return fail('connect', `${where} cannot be reached from this server (${code}).`);
  if (code === 'ETIMEDOUT' || /^Connection timeout$/i.test(message))
    return fail(
      'timeout',
      `No connection to ${where} within ${seconds(timeouts.connectTimeoutMs)}; a firewall may be dropping it.`,
    );
  if (/Operation timed out/i.test(message) || code === 'LDAP_DEADLINE')
    return fail(
      'timeout',
      `${where} did not answer within ${seconds(timeouts.operationTimeoutMs)}.`,
    );
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID')
    return fail(
      'tls',
      `The server's certificate is not for ${host} (${message}); use a host name the certificate names.`,
    );
  if (CERTIFICATE_CODES.has(code))
    return fail(
      'tls',
      `The server's certificate is not trusted (${code}: ${message}); paste the CA certificate that signed it, and use the host name the certificate names.`,
    );
  if (code.startsWith('ERR_SSL_') || code === 'EPROTO' || /SSL|TLS/.test(message))
    return fail(
      'tls',
      `The TLS handshake with ${where} failed (${code || message}); ${secure ? 'is this an ldaps:// port? Plain LDAP ports use ldap:// with StartTLS.' : "check the server's TLS setup."}`,
    );
  if (code === 'ECONNRESET' || code === 'EPIPE' || /closed|disconnected/i.test(message)) {
    if (secure || step === 'starttls')
      return fail(
        'tls',
        `${where} closed the connection during the TLS handshake; is it an ldaps:// port? Plain LDAP ports use ldap:// with StartTLS.`,
      );
    return fail(
      'connect',
      `${where} closed the connection before answering: the server stopped, or the port expects ldaps://.`,
    );
  }
  return fail('connect', `The directory at ${where} could not be read: ${message}`);
}
