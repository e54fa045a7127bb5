// The embedded directory: users kept in the store (the seed's "Data" tab, first source).
import { normaliseUsername } from '../contract/username';
import { hashPassword, verifyPassword } from '../security/passwords';
import type { DirectoryUser, DirectoryUserRepository } from '../store/repositories';
import type { Directory, DirectoryProfile } from './directory';

/** A stored user as the directory gives them: no password hash; `changedAt` null when never stamped. */
export function embeddedProfile(user: DirectoryUser): DirectoryProfile {
  const { passwordHash: _hash, changedAt, ...profile } = user;
  return { ...profile, changedAt: changedAt ?? null };
}

export class EmbeddedDirectory implements Directory {
  readonly kind = 'embedded';
  /** A real hash to check unknown users against, so both paths cost the same. */
  private decoyHash: Promise<string> | undefined;

  constructor(
    private readonly users: DirectoryUserRepository,
    /** Stamps `changedAt` on the users this class adds or changes. */
    private readonly now: () => number = Date.now,
  ) {}

  /** How many users the embedded directory holds. */
  get count(): number {
    return this.users.count;
  }

  private byName(username: string): DirectoryUser | undefined {
    return this.users.find(normaliseUsername(username));
  }

  async findUser(username: string): Promise<DirectoryProfile | undefined> {
    const user = this.byName(username);
    if (!user) return undefined;
    return embeddedProfile(user);
  }

  async checkPassword(username: string, password: string): Promise<boolean> {
    if (password === '') return false;
    const user = this.byName(username);
    if (!user || user.passwordHash === '') {
      this.decoyHash ??= hashPassword('decoy password nobody has');
      await verifyPassword(password, await this.decoyHash);
      return false;
    }
    const matches = await verifyPassword(password, user.passwordHash);
    return matches && user.enabled;
  }

  async addUser(
    user: Omit<DirectoryUser, 'passwordHash' | 'privileged' | 'changedAt'> & {
      password: string;
      privileged?: boolean;
    },
  ): Promise<void> {
    const { password, ...profile } = user;
    const record: DirectoryUser = {
      ...profile,
      privileged: profile.privileged ?? false,
      username: normaliseUsername(profile.username),
      passwordHash: await hashPassword(password),
      changedAt: this.now(),
    };
    await this.users.put(record);
  }

  /** Enables or disables a user; false when there is no such user. */
  async setEnabled(username: string, enabled: boolean): Promise<boolean> {
    const user = this.byName(username);
    if (!user) return false;
    await this.users.put({ ...user, enabled, changedAt: this.now() });
    return true;
  }

  /** Removes a user; false when there is no such user. */
  removeUser(username: string): Promise<boolean> {
    return this.users.remove(normaliseUsername(username));
  }
}
