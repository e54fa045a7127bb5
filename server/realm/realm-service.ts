// Reads and changes the realm's configuration: validated as a whole, audited, announced to listeners.
import type { DirectorySettings } from '../contract/directory';
import type { MailSettings } from '../contract/mail';
import type { RealmConfig, RealmConfigPatch } from '../contract/realm-config';
import { RealmConfigPatchSchema, RealmConfigSchema } from '../contract/realm-config';
import { badRequest } from '../errors';
import type { AuditLog, RealmRepository } from '../store/repositories';

export type RealmListener = (config: RealmConfig) => void;

export class RealmService {
  private readonly listeners = new Set<RealmListener>();

  constructor(
    private readonly realm: RealmRepository,
    private readonly audit: AuditLog,
  ) {}

  get config(): RealmConfig {
    return this.realm.config;
  }

  onChange(listener: RealmListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Applies a partial update. The merged result is validated in full; on any error nothing
   * changes and every failing field is named (e.g. `helpDesks.2.phone`).
   */
  async update(patch: RealmConfigPatch, actor: string): Promise<RealmConfig> {
    const shape = RealmConfigPatchSchema.safeParse(patch);
    if (!shape.success) throw badRequest(shape.error, 'The settings');
    const current = this.realm.config;
    const merged = {
      ...current,
      ...shape.data,
      helpDesks: { ...current.helpDesks, ...(shape.data.helpDesks ?? {}) },
    };
    const parsed = RealmConfigSchema.safeParse(merged);
    if (!parsed.success) throw badRequest(parsed.error, 'The settings');
    const next = parsed.data;
    const changed = Object.keys(shape.data).flatMap((key) =>
      key === 'helpDesks'
        ? Object.keys(shape.data.helpDesks ?? {}).map((id) => `helpDesks.${id}`)
        : [key],
    );
    await Promise.all([
      this.realm.save(next),
      this.audit.record({
        actor,
        action: 'realm.updated',
        details: { changed, after: next },
      }),
    ]);
    for (const listener of this.listeners) listener(next);
    return next;
  }

  /**
   * Replaces the directory settings (validated by the caller's schema); audited with `details`,
   * which must hold no secret. The directory's password is kept with the keys, not here.
   */
  async updateDirectory(
    settings: DirectorySettings,
    actor: string,
    details: Record<string, unknown>,
  ): Promise<RealmConfig> {
    const parsed = RealmConfigSchema.safeParse({ ...this.realm.config, directory: settings });
    if (!parsed.success) throw badRequest(parsed.error, 'The directory settings');
    const next = parsed.data;
    await Promise.all([
      this.realm.save(next),
      this.audit.record({
        actor,
        action: 'realm.directory-updated',
        details: { ...details, after: next.directory },
      }),
    ]);
    for (const listener of this.listeners) listener(next);
    return next;
  }

  /**
   * Replaces the SMTP settings (validated by the caller's schema); audited with `details`, which
   * must hold no secret. The SMTP password is kept with the keys, not here.
   */
  async updateMail(
    settings: MailSettings,
    actor: string,
    details: Record<string, unknown>,
  ): Promise<RealmConfig> {
    const parsed = RealmConfigSchema.safeParse({ ...this.realm.config, mail: settings });
    if (!parsed.success) throw badRequest(parsed.error, 'The mail settings');
    const next = parsed.data;
    await Promise.all([
      this.realm.save(next),
      this.audit.record({
        actor,
        action: 'realm.mail-updated',
        details: { ...details, after: next.mail },
      }),
    ]);
    for (const listener of this.listeners) listener(next);
    return next;
  }
}
