// The realm's directory as the services see it: the source the realm's settings name (embedded or
// LDAP), whether it answers, and the admin's settings. Fails closed: when LDAP cannot be read, every
// caller gets DirectoryUnavailableError; the outage and the recovery are audited once each, and while
// it is down a probe notices it come back without waiting for a user.
import type {
  DirectoryConfigure,
  DirectorySettings,
  DirectoryStatus,
  DirectoryTest,
  DirectoryTestResult,
  LdapSettings,
} from '../contract/directory';
import type { Logger } from '../logger';
import type { RealmService } from '../realm/realm-service';
import type { AuditLog, KeyRepository } from '../store/repositories';
import type { Directory, DirectoryProfile, LookupOptions } from './directory';
import { DirectoryUnavailableError } from './directory';
import type { EmbeddedDirectory } from './embedded-directory';

/** An LDAP directory as the realm drives it. */
export interface LdapSource extends Directory {
  /** Binds the service account and reads the base DN; throws DirectoryUnavailableError. */
  probe(): Promise<void>;
  close(): Promise<void>;
}

/** How the realm makes LDAP directories and tests settings (the composition root passes ldapts's). */
export interface LdapConnector {
  open(settings: LdapSettings, bindPassword: string | undefined): LdapSource;
  test(
    settings: LdapSettings,
    bindPassword: string | undefined,
    username: string,
  ): Promise<DirectoryTestResult>;
}

export interface RealmDirectoryDeps {
  realm: RealmService;
  keys: KeyRepository;
  embedded: EmbeddedDirectory;
  ldap: LdapConnector;
  audit: AuditLog;
  logger: Logger;
  now: () => number;
}

export type DirectoryStatusListener = (status: DirectoryStatus) => void;

const BIND_PASSWORD = 'ldap-bind-password';

export class RealmDirectory implements Directory {
  private ldapSource: { key: string; source: LdapSource } | undefined;
  private state: 'available' | 'unavailable' = 'available';
  private problem: string | null = null;
  private since: number;
  private readonly listeners = new Set<DirectoryStatusListener>();
  /** The last state change's audit entry, so the next one is written after it. */
  private lastRecord: Promise<void> = Promise.resolve();

  constructor(private readonly deps: RealmDirectoryDeps) {
    this.since = deps.now();
  }

  get kind(): 'embedded' | 'ldap' {
    return this.settings.source;
  }

  private get settings(): DirectorySettings {
    return this.deps.realm.config.directory;
  }

  /** The directory the settings name now; an LDAP one is reopened when its settings change. */
  private current(): Directory {
    const { source, ldap } = this.settings;
    if (source === 'embedded') return this.deps.embedded;
    const password = this.deps.keys.secret(BIND_PASSWORD);
    const key = JSON.stringify([ldap, password]);
    if (this.ldapSource?.key !== key) {
      const previous = this.ldapSource?.source;
      this.ldapSource = { key, source: this.deps.ldap.open(ldap, password) };
      if (previous) void previous.close().catch(() => {});
    }
    return this.ldapSource.source;
  }

  onStatus(listener: DirectoryStatusListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  status(): DirectoryStatus {
    return {
      source: this.settings.source,
      state: this.state,
      problem: this.problem,
      since: this.since,
      bindPasswordSaved: this.deps.keys.secret(BIND_PASSWORD) !== undefined,
      embeddedUsers: this.deps.embedded.count,
    };
  }

  findUser(username: string, options?: LookupOptions): Promise<DirectoryProfile | undefined> {
    return this.watch(() => this.current().findUser(username, options));
  }

  checkPassword(username: string, password: string): Promise<boolean> {
    if (password === '') return Promise.resolve(false);
    return this.watch(() => this.current().checkPassword(username, password));
  }

  /**
   * While the directory is down, reads it once: it comes back as soon as LDAP answers, not when the
   * next user happens to try. A no-op while it answers.
   */
  async probe(): Promise<void> {
    if (this.state === 'available') return;
    const directory = this.current();
    await this.watch(() =>
      'probe' in directory ? (directory as LdapSource).probe() : Promise.resolve(),
    ).catch(() => {});
  }

  /** Saves the settings (and the bind password, when sent); audited without the password. */
  async configure(input: DirectoryConfigure, actor: string): Promise<DirectoryStatus> {
    const before = this.settings;
    if (input.bindPassword !== undefined)
      await this.deps.keys.setSecret(
        BIND_PASSWORD,
        input.bindPassword === '' ? undefined : input.bindPassword,
      );
    await this.deps.realm.updateDirectory(input.settings, actor, {
      sourceBefore: before.source,
      bindPassword:
        input.bindPassword === undefined
          ? 'kept'
          : input.bindPassword === ''
            ? 'removed'
            : 'changed',
    });
    // New settings are judged at once: a directory that was down is read again with them.
    await this.probe();
    return this.status();
  }

  /** Test connection: these settings, saved or not; the saved password unless one is sent. */
  test(input: DirectoryTest): Promise<DirectoryTestResult> {
    return this.deps.ldap.test(
      input.ldap,
      input.bindPassword ?? this.deps.keys.secret(BIND_PASSWORD),
      input.username,
    );
  }

  async close(): Promise<void> {
    await this.ldapSource?.source.close();
    this.ldapSource = undefined;
  }

  private async watch<T>(read: () => Promise<T>): Promise<T> {
    let result: T;
    try {
      result = await read();
    } catch (error) {
      if (error instanceof DirectoryUnavailableError)
        await this.setState('unavailable', error.message);
      throw error;
    }
    if (this.state === 'unavailable') await this.setState('available', null);
    return result;
  }

  /** Moves to the state; a change is audited, then announced. Resolves once the entry is written. */
  private async setState(
    state: 'available' | 'unavailable',
    problem: string | null,
  ): Promise<void> {
    if (state === this.state) {
      this.problem = problem ?? this.problem;
      return;
    }
    const downFor = this.deps.now() - this.since;
    this.state = state;
    this.problem = problem;
    this.since = this.deps.now();
    const source = this.settings.source;
    const { audit, logger } = this.deps;
    const entry =
      state === 'unavailable'
        ? { actor: 'system', action: 'directory.unavailable', details: { source, problem } }
        : {
            actor: 'system',
            action: 'directory.recovered',
            details: { source, unavailableForMs: downFor },
          };
    if (state === 'unavailable') logger.warn(`directory (${source}) unavailable: ${problem ?? ''}`);
    else logger.info(`directory (${source}) answers again`);
    // Entries are recorded in the order the changes happened, whatever the writes' timing.
    const recorded = this.lastRecord.then(() =>
      audit.record(entry).then(
        () => {},
        (e: unknown) => logger.error('audit write failed', e),
      ),
    );
    this.lastRecord = recorded;
    const status = this.status();
    await recorded;
    for (const listener of this.listeners) listener(status);
  }
}
