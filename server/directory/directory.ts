// The user directory the realm checks identities against; the embedded store implements it, LDAP will.
import { z } from 'zod';

export const DirectoryUserSchema = z
  .object({
    username: z.string(),
    displayName: z.string(),
    email: z.string(),
    phone: z.string(),
    employeeId: z.string(),
    department: z.string(),
    manager: z.string(),
    enabled: z.boolean(),
    passwordHash: z.string(),
  })
  .strict();
export type DirectoryUser = z.infer<typeof DirectoryUserSchema>;
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
