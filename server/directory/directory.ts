// The user directory the realm checks identities against; the embedded store implements it, LDAP will.
import type { DirectoryUser } from '../store/repositories';

export type DirectoryProfile = Omit<DirectoryUser, 'passwordHash'>;

export interface Directory {
  readonly kind: string;
  findUser(username: string): Promise<DirectoryProfile | undefined>;
  /** True only for an enabled user whose password matches; takes as long for unknown users. */
  checkPassword(username: string, password: string): Promise<boolean>;
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
