// The organisation's LDAP / Active Directory as the realm's directory: pooled service connections, live reads, a short display cache.
import { randomUUID } from 'node:crypto';
import {
  InappropriateAuthError,
  InvalidCredentialsError,
  ResultCodeError,
  UnwillingToPerformError,
  type Client,
  type SearchOptions,
  type SearchResult,
} from 'ldapts';
import type { LdapSettings } from '../../contract/directory';
import { normaliseUsername } from '../../contract/username';
import {
  DirectoryUnavailableError,
  type Directory,
  type DirectoryProfile,
  type LookupOptions,
} from '../directory';
import {
  DEFAULT_LDAP_TIMEOUTS,
  LdapStepError,
  atStep,
  bindClient,
  discardClient,
  isOpen,
  openClient,
  type LdapTimeouts,
} from './ldap-connection';
import { AmbiguousUserError, LdapFailure, classifyLdapError } from './ldap-errors';
import { FilterTemplateError } from './ldap-filter';
import { lookupUser, type FoundUser } from './ldap-lookup';

export interface LdapDirectoryOptions {
  /** TCP connect (and ldaps:// handshake); 5000 by default. */
  connectTimeoutMs?: number;
  /** Each LDAP request; 5000 by default. */
  operationTimeoutMs?: number;
  /** The clock, in ms, for the cache's age. */
  now?: () => number;
  /** Service connections kept open at most; 4 by default. */
  poolSize?: number;
  /** Users kept in the display cache at most; 1000 by default. */
  cacheEntries?: number;
}

/** A bind refused for these reasons is a wrong or unusable password, not a broken directory. */
function isRefusedBind(error: unknown): boolean {
  return (
    error instanceof InvalidCredentialsError ||
    error instanceof InappropriateAuthError ||
    // e.g. an account locked by a password policy.
    error instanceof UnwillingToPerformError
  );
}

/** The connection itself is unusable (closed, timed out, reset), as opposed to an LDAP answer. */
function isConnectionProblem(error: unknown): boolean {
  const cause = error instanceof LdapStepError ? error.original : error;
  return !(
    cause instanceof ResultCodeError ||
    cause instanceof FilterTemplateError ||
    cause instanceof AmbiguousUserError ||
    cause instanceof LdapFailure
  );
}

/** The connection closed under a request (not a timeout): worth one more try on a new one. */
function isConnectionLoss(error: unknown): boolean {
  const cause = error instanceof LdapStepError ? error.original : error;
  const message = cause instanceof Error ? cause.message : '';
  const code = (cause as { code?: unknown } | null)?.code;
  return (
    cause instanceof ConnectionLostError ||
    code === 'ECONNRESET' ||
    code === 'EPIPE' ||
    /Connection closed|Socket error|not established/i.test(message)
  );
}

class ConnectionLostError extends Error {
  constructor() {
    super('The connection to the directory closed');
    this.name = 'ConnectionLostError';
  }
}

/** One pooled service connection, opened on first use and again after it is lost. */
interface ServiceSlot {
  client: Client | undefined;
  opening: Promise<Client> | undefined;
  inFlight: number;
}

interface CachedLookup {
  at: number;
  profile: DirectoryProfile | undefined;
}

export class LdapDirectory implements Directory {
  readonly kind = 'ldap';
  private readonly timeouts: LdapTimeouts;
  private readonly now: () => number;
  private readonly slots: ServiceSlot[];
  private readonly cache = new Map<string, CachedLookup>();
  private readonly cacheEntries: number;
  /** Unknown users are bound against this DN, which nobody has, so they cost what known ones do. */
  private readonly decoyDn: string;
  private closed = false;

  constructor(
    private readonly settings: LdapSettings,
    private readonly bindPassword: string | undefined,
    options: LdapDirectoryOptions = {},
  ) {
    this.timeouts = {
      connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_LDAP_TIMEOUTS.connectTimeoutMs,
      operationTimeoutMs: options.operationTimeoutMs ?? DEFAULT_LDAP_TIMEOUTS.operationTimeoutMs,
    };
    this.now = options.now ?? Date.now;
    this.cacheEntries = options.cacheEntries ?? 1000;
    this.slots = Array.from({ length: Math.max(1, options.poolSize ?? 4) }, () => ({
      client: undefined,
      opening: undefined,
      inFlight: 0,
    }));
    const suffix = settings.baseDn === '' ? '' : `,${settings.baseDn}`;
    this.decoyDn = `cn=helpdesk-no-such-user-${randomUUID()}${suffix}`;
  }

  async findUser(
    username: string,
    options: LookupOptions = {},
  ): Promise<DirectoryProfile | undefined> {
    const key = normaliseUsername(username);
    if (key === '') return undefined;
    if (options.cached) {
      const hit = this.cache.get(key);
      const age = hit ? this.now() - hit.at : Infinity;
      if (hit && age >= 0 && age <= this.settings.cacheSeconds * 1000)
        return hit.profile && { ...hit.profile };
    }
    const found = await this.lookupLive(key);
    return found?.profile;
  }

  async checkPassword(username: string, password: string): Promise<boolean> {
    // An empty password would be an unauthenticated bind, which some servers accept as anonymous.
    if (password === '') return false;
    const key = normaliseUsername(username);
    if (key === '') return false;
    const found = await this.lookupLive(key);
    const accepted = await this.passwordBinds(found?.dn ?? this.decoyDn, password);
    return accepted && found !== undefined && found.profile.enabled;
  }

  /** Binds the service account and reads the base DN; throws DirectoryUnavailableError if it cannot. */
  async probe(): Promise<void> {
    try {
      await this.withService((search) =>
        atStep('search', () =>
          search(this.settings.baseDn, {
            scope: 'base',
            filter: '(objectClass=*)',
            attributes: ['1.1'],
          }),
        ),
      );
    } catch (error) {
      throw this.unavailable(error);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled(this.slots.map((slot) => slot.opening));
    const clients = this.slots.flatMap((slot) => (slot.client ? [slot.client] : []));
    for (const slot of this.slots) slot.client = undefined;
    await Promise.allSettled(clients.filter(isOpen).map((client) => client.unbind()));
    this.cache.clear();
  }

  /** Reads the user from LDAP now and refreshes the cache. */
  private async lookupLive(key: string): Promise<FoundUser | undefined> {
    let found: FoundUser | undefined;
    try {
      found = await this.withService((search) => lookupUser(search, this.settings, key));
    } catch (error) {
      throw this.unavailable(error);
    }
    this.remember(key, found?.profile);
    return found;
  }

  private remember(key: string, profile: DirectoryProfile | undefined): void {
    if (this.settings.cacheSeconds <= 0) return;
    this.cache.delete(key);
    this.cache.set(key, { at: this.now(), profile: profile && { ...profile } });
    while (this.cache.size > this.cacheEntries) {
      const oldest = this.cache.keys().next();
      if (oldest.done) break;
      this.cache.delete(oldest.value);
    }
  }

  /** Whether `dn` binds with `password`, on a connection of its own (the pooled ones stay the service account). */
  private async passwordBinds(dn: string, password: string): Promise<boolean> {
    let client: Client | undefined;
    try {
      client = await atStep('connect', () => openClient(this.settings, this.timeouts));
      const opened = client;
      await atStep('bind', () => bindClient(opened, dn, password));
      return true;
    } catch (error) {
      const cause = error instanceof LdapStepError ? error.original : error;
      if (error instanceof LdapStepError && error.step === 'bind' && isRefusedBind(cause))
        return false;
      throw this.unavailable(error);
    } finally {
      if (client) discardClient(client);
    }
  }

  private unavailable(error: unknown): DirectoryUnavailableError {
    if (error instanceof DirectoryUnavailableError) return error;
    const failure = classifyLdapError(error, 'search', this.settings, this.timeouts);
    return new DirectoryUnavailableError(failure.message, { cause: error });
  }

  /**
   * Runs `work` with a search bound as the service account. A connection that was lost while idle
   * is replaced; one lost under a request is retried once on a new connection (searches are reads).
   */
  private async withService<T>(
    work: (search: (baseDn: string, options: SearchOptions) => Promise<SearchResult>) => Promise<T>,
  ): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      if (this.closed) throw new DirectoryUnavailableError('The LDAP directory has been closed.');
      const slot = this.pickSlot();
      slot.inFlight++;
      let lease: { client: Client; fresh: boolean } | undefined;
      try {
        lease = await this.lease(slot);
        const { client } = lease;
        return await work((baseDn, options) => {
          // Checked in the same tick as the request is written: ldapts would otherwise reconnect
          // a lost connection by itself, unbound, and search anonymously.
          if (!isOpen(client)) return Promise.reject(new ConnectionLostError());
          return client.search(baseDn, options);
        });
      } catch (error) {
        if (lease && isConnectionProblem(error)) this.drop(slot, lease.client);
        if (lease && !lease.fresh && attempt === 0 && isConnectionLoss(error)) continue;
        throw error;
      } finally {
        slot.inFlight--;
      }
    }
  }

  /** An idle open connection, else one more connection, else the least busy one. */
  private pickSlot(): ServiceSlot {
    const inUse = (s: ServiceSlot) =>
      s.opening !== undefined || (s.client !== undefined && isOpen(s.client));
    const idle = this.slots.find((s) => inUse(s) && s.inFlight === 0);
    if (idle) return idle;
    const unopened = this.slots.find((s) => !inUse(s));
    if (unopened) return unopened;
    return this.slots.reduce((a, b) => (b.inFlight < a.inFlight ? b : a));
  }

  private async lease(slot: ServiceSlot): Promise<{ client: Client; fresh: boolean }> {
    if (slot.client && !isOpen(slot.client)) this.drop(slot, slot.client);
    if (slot.client) return { client: slot.client, fresh: false };
    if (!slot.opening) {
      const opening = this.openService().then((client) => {
        if (this.closed) {
          discardClient(client);
          throw new DirectoryUnavailableError('The LDAP directory has been closed.');
        }
        slot.client = client;
        return client;
      });
      slot.opening = opening;
      const clear = () => {
        if (slot.opening === opening) slot.opening = undefined;
      };
      opening.then(clear, clear);
    }
    return { client: await slot.opening, fresh: true };
  }

  /** A new connection bound as the service account (anonymous when the bind DN is ''). */
  private async openService(): Promise<Client> {
    const { bindDn } = this.settings;
    const password = this.bindPassword ?? '';
    if (bindDn !== '' && password === '')
      throw new LdapFailure(
        'settings',
        `No password is saved for the service account ${bindDn}; enter it in the directory settings.`,
      );
    const client = await atStep('connect', () => openClient(this.settings, this.timeouts));
    try {
      await atStep('bind', () => bindClient(client, bindDn, password));
    } catch (error) {
      discardClient(client);
      throw error;
    }
    return client;
  }

  private drop(slot: ServiceSlot, client: Client): void {
    if (slot.client === client) slot.client = undefined;
    discardClient(client);
  }
}
