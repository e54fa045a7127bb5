// Opening a connection to the directory: the URL, TLS (ldaps:// or StartTLS, trusting the configured CA), timeouts, a bind.
import type { EventEmitter } from 'node:events';
import net from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { Client } from 'ldapts';
import type { LdapSettings } from '../../contract/directory';

export interface LdapTimeouts {
  /** TCP connect, and for ldaps:// the TLS handshake. */
  connectTimeoutMs: number;
  /** Each request (bind, search, StartTLS). */
  operationTimeoutMs: number;
}

export const DEFAULT_LDAP_TIMEOUTS: LdapTimeouts = {
  connectTimeoutMs: 5000,
  operationTimeoutMs: 5000,
};

/** Host, port and whether the URL is ldaps://. */
export function ldapAddress(url: string): { host: string; port: number; secure: boolean } {
  const secure = /^ldaps:/i.test(url);
  try {
    const parsed = new URL(url);
    const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
    return { host, port: parsed.port ? Number(parsed.port) : secure ? 636 : 389, secure };
  } catch {
    return { host: url, port: secure ? 636 : 389, secure };
  }
}

/** TLS options: the pasted CA (else the system's), the host name checked against the certificate. */
function tlsOptions(settings: LdapSettings, host: string): ConnectionOptions {
  return {
    ...(settings.caCertificate !== '' ? { ca: settings.caCertificate } : {}),
    host,
    // SNI carries names only; an IP is still checked against the certificate's IP SANs.
    ...(net.isIP(host) ? {} : { servername: host }),
    minVersion: 'TLSv1.2',
  };
}

/** Where in a conversation with the server an error happened. */
export type LdapStep = 'connect' | 'starttls' | 'bind' | 'search' | 'group';

/** An error that marks which step failed, so a connection test can say where it stopped. */
export class LdapStepError extends Error {
  constructor(
    readonly step: LdapStep,
    readonly original: unknown,
  ) {
    super(original instanceof Error ? original.message : String(original));
    this.name = 'LdapStepError';
  }
}

/** Rejects with a timeout error (code LDAP_DEADLINE) when `promise` takes longer than `ms`. */
async function withDeadline<T>(promise: Promise<T>, ms: number, onTimeout: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      reject(Object.assign(new Error('Operation timed out'), { code: 'LDAP_DEADLINE' }));
    }, ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs one step, marking what it throws with the step's name. */
export async function atStep<T>(step: LdapStep, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw error instanceof LdapStepError ? error : new LdapStepError(step, error);
  }
}

/**
 * Clients whose StartTLS connection the server closed. ldapts 8 watches only the plain socket it
 * upgraded: when the server closes the TLS one, `isConnected` stays true and every request (even
 * an unbind) waits for its timeout. We watch the TLS socket ourselves.
 */
const lostAfterStartTls = new WeakSet<Client>();

function watchUpgradedSocket(client: Client): void {
  const socket = (client as unknown as { socket?: EventEmitter }).socket;
  if (!socket) return;
  const lost = () => lostAfterStartTls.add(client);
  socket.once('close', lost);
  socket.once('end', lost);
}

/** Whether a request sent now would go out on a live connection. */
export function isOpen(client: Client): boolean {
  return client.isConnected && !lostAfterStartTls.has(client);
}

/** Ends a client without waiting on a server that may be gone. */
export function discardClient(client: Client): void {
  // A lost connection has nothing to unbind; ldapts would wait out its timeout trying.
  if (!isOpen(client)) return;
  client.unbind().catch(() => undefined);
}

/**
 * A client for the settings' server, connected and, with StartTLS, encrypted (ldaps:// encrypts on
 * the first request). Not yet bound. StartTLS failures are thrown as LdapStepError('starttls').
 */
export async function openClient(settings: LdapSettings, timeouts: LdapTimeouts): Promise<Client> {
  const { host, secure } = ldapAddress(settings.url);
  const client = new Client({
    url: settings.url,
    connectTimeout: timeouts.connectTimeoutMs,
    timeout: timeouts.operationTimeoutMs,
    // ldapts treats any tlsOptions as "connect with TLS": StartTLS passes its own below.
    ...(secure ? { tlsOptions: tlsOptions(settings, host) } : {}),
  });
  if (settings.startTls && !secure) {
    try {
      await withDeadline(
        client.startTLS(tlsOptions(settings, host)),
        timeouts.connectTimeoutMs + timeouts.operationTimeoutMs,
        () => discardClient(client),
      );
      watchUpgradedSocket(client);
    } catch (error) {
      discardClient(client);
      // Marked, so the server refusing StartTLS or closing mid-handshake reads as a TLS problem
      // (a refused or unresolvable connection still reads as what it is).
      throw new LdapStepError('starttls', error);
    }
  }
  return client;
}

/**
 * Binds: as `dn` with `password`, or anonymously when `dn` is ''. The caller refuses an empty
 * password for a DN before calling (that would be an unauthenticated bind).
 */
export async function bindClient(client: Client, dn: string, password: string): Promise<void> {
  await client.bind(dn, dn === '' ? '' : password);
}
