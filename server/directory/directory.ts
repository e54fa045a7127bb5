// The user directory the realm checks identities against: the embedded one (users kept in the store)
// or the organisation's LDAP / Active Directory, read live.
import type { DirectoryUserView } from '../contract/directory';
import { ServiceError } from '../errors';

/** A user as the directory has them, mapped to the fields agents see. */
export type DirectoryProfile = DirectoryUserView;

/**
 * The directory cannot be read (LDAP down, unreachable or misconfigured). Sign-in fails closed on
 * it: the user is told to call the help desk, reveal is refused, nothing is decided on a guess.
 */
export class DirectoryUnavailableError extends ServiceError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('unavailable', message);
    this.name = 'DirectoryUnavailableError';
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}

export interface LookupOptions {
  /**
   * May answer from a short cache (the realm's `cacheSeconds`): for what is only shown (the queue,
   * a request's details). Every decision (submit, reveal, passcode, password) reads live.
   */
  cached?: boolean;
}

export interface Directory {
  readonly kind: 'embedded' | 'ldap';
  /** The user, or undefined when there is none. Throws DirectoryUnavailableError. */
  findUser(username: string, options?: LookupOptions): Promise<DirectoryProfile | undefined>;
  /**
   * True only for an enabled user whose password matches; takes as long for unknown users. An
   * empty password is false without asking anyone. Throws DirectoryUnavailableError.
   */
  checkPassword(username: string, password: string): Promise<boolean>;
  /** Releases connections. */
  close?(): Promise<void>;
}

/** Why the directory, read live, refuses a user who was there at submission. */
export type DirectoryRefusal = 'directory-disabled' | 'directory-missing';

/** The directory's live answer for a user: undefined when they may be signed in, else why not. */
export function directoryRefusal(
  profile: DirectoryProfile | undefined,
): DirectoryRefusal | undefined {
  if (!profile) return 'directory-missing';
  return profile.enabled ? undefined : 'directory-disabled';
}
