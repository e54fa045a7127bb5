// The embedded directory: users kept in the data dir's directory.json (the seed's "Data" tab, first source).
import { z } from 'zod';
import { normaliseUsername } from '../contract/username';
import type { DocumentStore } from '../store/document';
import { hashPassword, verifyPassword } from '../security/passwords';
import type { Directory, DirectoryProfile, DirectoryUser } from './directory';
import { DirectoryUserSchema } from './directory';

export const DirectoryDocumentSchema = z.object({ users: z.array(DirectoryUserSchema) }).strict();
export type DirectoryDocument = z.infer<typeof DirectoryDocumentSchema>;

export class EmbeddedDirectory implements Directory {
  readonly kind = 'embedded';
  /** A real hash to check unknown users against, so both paths cost the same. */
  private decoyHash: Promise<string> | undefined;

  constructor(private readonly doc: DocumentStore<DirectoryDocument>) {}

  private byName(username: string): DirectoryUser | undefined {
    const wanted = normaliseUsername(username);
    return this.doc.data.users.find((u) => u.username === wanted);
  }

  async findUser(username: string): Promise<DirectoryProfile | undefined> {
    const user = this.byName(username);
    if (!user) return undefined;
    const { passwordHash: _hash, ...profile } = user;
    return profile;
  }

  async checkPassword(username: string, password: string): Promise<boolean> {
    const user = this.byName(username);
    if (!user) {
      this.decoyHash ??= hashPassword('decoy password nobody has');
      await verifyPassword(password, await this.decoyHash);
      return false;
    }
    const matches = await verifyPassword(password, user.passwordHash);
    return matches && user.enabled;
  }

  async addUser(user: Omit<DirectoryUser, 'passwordHash'> & { password: string }): Promise<void> {
    const { password, ...profile } = user;
    const record: DirectoryUser = {
      ...profile,
      username: normaliseUsername(profile.username),
      passwordHash: await hashPassword(password),
    };
    await this.doc.update((d) => {
      d.users = d.users.filter((u) => u.username !== record.username).concat(record);
    });
  }

  /** Enables or disables a user; false when there is no such user. */
  async setEnabled(username: string, enabled: boolean): Promise<boolean> {
    const user = this.byName(username);
    if (!user) return false;
    await this.doc.update((d) => {
      d.users = d.users.map((u) => (u.username === user.username ? { ...u, enabled } : u));
    });
    return true;
  }

  /** Removes a user; false when there is no such user. */
  async removeUser(username: string): Promise<boolean> {
    const user = this.byName(username);
    if (!user) return false;
    await this.doc.update((d) => {
      d.users = d.users.filter((u) => u.username !== user.username);
    });
    return true;
  }
}
