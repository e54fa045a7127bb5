// The embedded directory as admins manage it: search, add, edit, enable, reset a password, delete,
// CSV import and export. Every change is audited (never a password or its hash).
import { availableParallelism } from 'node:os';
import type {
  DirectoryImportResult,
  DirectoryUserInput,
  DirectoryUserView,
} from '../contract/directory';
import { DirectoryUserInputSchema } from '../contract/directory';
import { normaliseUsername } from '../contract/username';
import { ServiceError, badRequest } from '../errors';
import type { RealmService } from '../realm/realm-service';
import type { RequestService } from '../requests/request-service';
import { generatePassword, hashPassword } from '../security/passwords';
import type { AuditLog, DirectoryUser, DirectoryUserRepository } from '../store/repositories';
import { embeddedProfile } from './embedded-directory';
import { normalisePhone } from './phone';
import type { CsvUserRow } from './user-csv';
import { formatUserCsv, parseUserCsv } from './user-csv';

export interface DirectoryAdminDeps {
  users: DirectoryUserRepository;
  requests: RequestService;
  realm: RealmService;
  audit: AuditLog;
  now: () => number;
  /** Password hashes computed at once during an import (each is ~0.1–0.3 s of a libuv thread). */
  hashConcurrency?: number;
  /** Hashes a password (default: scrypt); tests of the import's bookkeeping may pass a cheaper one. */
  hashPassword?: (password: string) => Promise<string>;
}

type UserChanges = Partial<Omit<DirectoryUserInput, 'username'>>;

/** How many rows of an import are shown back as they will be stored. */
const SAMPLE_ROWS = 20;
/**
 * libuv runs scrypt on its thread pool (4 threads by default), shared with file I/O and sign-ins:
 * an import takes at most this many at once, so the server keeps answering; more than there are
 * cores would only add 128 MiB per hash and no speed.
 */
const DEFAULT_HASH_CONCURRENCY = Math.min(4, availableParallelism());

const DISABLED_REASON = 'The user was disabled in the directory.';
const DELETED_REASON = 'The user was removed from the directory.';

export function toDirectoryUserView(user: DirectoryUser): DirectoryUserView {
  return embeddedProfile(user);
}

/** The fields an admin or an import sets, compared to tell a real change from a rewrite of the same. */
const INPUT_FIELDS = Object.keys(DirectoryUserInputSchema.shape) as (keyof DirectoryUserInput)[];

/** Runs `work` over `items`, at most `limit` at a time, keeping their order in the results. */
async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

export class DirectoryAdmin {
  private readonly hash: (password: string) => Promise<string>;
  /** Imports are committed one at a time, so their counts describe what each one did. */
  private importing: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: DirectoryAdminDeps) {
    this.hash = deps.hashPassword ?? ((password) => hashPassword(password));
  }

  private get phoneCountry(): string {
    return this.deps.realm.config.directory.phoneCountry;
  }

  private existing(username: string): DirectoryUser {
    const user = this.deps.users.find(normaliseUsername(username));
    if (!user) throw new ServiceError('not-found', `No user "${username}" in the directory.`);
    return user;
  }

  /** The phone as stored (E.164), or a bad-request naming `field`. */
  private phone(raw: string, field: string): string {
    const result = normalisePhone(raw, this.phoneCountry);
    if (!result.ok)
      throw new ServiceError('bad-request', result.message, {
        [field]: result.message,
      });
    return result.phone;
  }

  /** Users whose username, name, email, employee ID or department contains `query` (any case). */
  search(
    query: string,
    offset: number,
    limit: number,
  ): { users: DirectoryUserView[]; total: number } {
    const needle = query.trim().toLowerCase();
    const all = this.deps.users.list();
    const matches =
      needle === ''
        ? all
        : all.filter((u) =>
            [u.username, u.displayName, u.email, u.employeeId, u.department].some((field) =>
              field.toLowerCase().includes(needle),
            ),
          );
    return {
      users: matches.slice(offset, offset + limit).map(toDirectoryUserView),
      total: matches.length,
    };
  }

  /** Adds a user; without a password one is generated and answered, once. */
  async add(
    user: DirectoryUserInput,
    password: string | undefined,
    actor: string,
  ): Promise<{ user: DirectoryUserView; password?: string }> {
    const parsed = DirectoryUserInputSchema.safeParse(user);
    if (!parsed.success) throw badRequest(parsed.error, 'The user');
    if (password !== undefined && (password.length < 12 || password.length > 256))
      throw new ServiceError('bad-request', 'The password must be 12 to 256 characters.', {
        password: 'At least 12 characters',
      });
    const input = { ...parsed.data, phone: this.phone(parsed.data.phone, 'user.phone') };
    const taken = () => {
      if (this.deps.users.find(input.username))
        throw new ServiceError('conflict', `There is already a user "${input.username}".`, {
          'user.username': 'This username is taken',
        });
    };
    taken();
    const generated = password === undefined ? generatePassword() : undefined;
    const passwordHash = await this.hash(password ?? generated ?? '');
    // Checked again after hashing (which yields): a parallel add of the same name may have landed.
    taken();
    const record: DirectoryUser = { ...input, passwordHash, changedAt: this.deps.now() };
    await Promise.all([
      this.deps.users.put(record),
      this.deps.audit.record({
        actor,
        action: 'directory.user-added',
        details: {
          username: record.username,
          enabled: record.enabled,
          privileged: record.privileged,
          passwordGenerated: generated !== undefined,
        },
      }),
    ]);
    const view = toDirectoryUserView(record);
    return generated === undefined ? { user: view } : { user: view, password: generated };
  }

  /** Changes some fields of a user; disabling them ends their open requests. */
  async update(
    username: string,
    changes: UserChanges,
    actor: string,
  ): Promise<{ user: DirectoryUserView }> {
    const current = this.existing(username);
    const parsed = DirectoryUserInputSchema.omit({ username: true }).partial().safeParse(changes);
    if (!parsed.success) throw badRequest(parsed.error, 'The changes');
    const patch = { ...parsed.data };
    if (patch.phone !== undefined) patch.phone = this.phone(patch.phone, 'changes.phone');
    const patched: DirectoryUser = { ...current, ...patch };
    const changed = (Object.keys(patch) as (keyof typeof patch)[]).filter(
      (field) => patched[field] !== current[field],
    );
    if (changed.length === 0) return { user: toDirectoryUserView(current) };
    const next: DirectoryUser = { ...patched, changedAt: this.deps.now() };
    await this.deps.users.put(next);
    const disabled = current.enabled && !next.enabled;
    const cancelledRequests = disabled
      ? await this.deps.requests.endRequestsOf(next.username, DISABLED_REASON, actor)
      : 0;
    await this.deps.audit.record({
      actor,
      action: 'directory.user-updated',
      details: {
        username: next.username,
        fields: changed,
        ...(current.enabled !== next.enabled ? { enabled: next.enabled, cancelledRequests } : {}),
      },
    });
    return { user: toDirectoryUserView(next) };
  }

  /** Enables or disables a user; disabling ends their open requests. */
  async setEnabled(
    username: string,
    enabled: boolean,
    actor: string,
  ): Promise<{ user: DirectoryUserView }> {
    const current = this.existing(username);
    if (current.enabled === enabled) return { user: toDirectoryUserView(current) };
    const next = { ...current, enabled, changedAt: this.deps.now() };
    await this.deps.users.put(next);
    const cancelledRequests = enabled
      ? 0
      : await this.deps.requests.endRequestsOf(next.username, DISABLED_REASON, actor);
    await this.deps.audit.record({
      actor,
      action: enabled ? 'directory.user-enabled' : 'directory.user-disabled',
      details: { username: next.username, ...(enabled ? {} : { cancelledRequests }) },
    });
    return { user: toDirectoryUserView(next) };
  }

  /** Gives the user a new generated password, answered once; the old one stops working. */
  async resetPassword(
    username: string,
    actor: string,
  ): Promise<{ user: DirectoryUserView; password: string }> {
    const found = this.existing(username);
    const password = generatePassword();
    const passwordHash = await this.hash(password);
    // Re-read after hashing: other fields may have changed meanwhile, and only the password is ours.
    const current = this.existing(found.username);
    const next = { ...current, passwordHash, changedAt: this.deps.now() };
    await Promise.all([
      this.deps.users.put(next),
      this.deps.audit.record({
        actor,
        action: 'directory.password-reset',
        details: { username: next.username },
      }),
    ]);
    return { user: toDirectoryUserView(next), password };
  }

  /** Deletes a user and ends their open requests. */
  async remove(
    username: string,
    actor: string,
  ): Promise<{ username: string; cancelledRequests: number }> {
    const { username: name } = this.existing(username);
    if (!(await this.deps.users.remove(name)))
      throw new ServiceError('not-found', `No user "${name}" in the directory.`);
    const cancelledRequests = await this.deps.requests.endRequestsOf(name, DELETED_REASON, actor);
    await this.deps.audit.record({
      actor,
      action: 'directory.user-deleted',
      details: { username: name, cancelledRequests },
    });
    return { username: name, cancelledRequests };
  }

  /**
   * Checks a CSV of users and, with `commit` and no error in any row, adds or replaces them all in
   * one write. A preview (or a file with errors) stores nothing and hashes nothing.
   */
  importCsv(
    csv: string,
    options: { commit: boolean },
    actor: string,
  ): Promise<DirectoryImportResult> {
    const run = this.importing.then(() => this.runImport(csv, options, actor));
    this.importing = run.catch(() => undefined);
    return run;
  }

  private async runImport(
    csv: string,
    { commit }: { commit: boolean },
    actor: string,
  ): Promise<DirectoryImportResult> {
    const started = performance.now();
    const { rows, errors, rowCount } = await parseUserCsv(csv, {
      phoneCountry: this.phoneCountry,
      existing: (username) => this.deps.users.find(username),
    });
    const existing = (row: CsvUserRow) => this.deps.users.find(row.user.username);
    const updated = rows.filter((row) => existing(row) !== undefined).length;
    const result: DirectoryImportResult = {
      committed: false,
      rows: rowCount,
      added: rows.length - updated,
      updated,
      errors,
      sample: rows.slice(0, SAMPLE_ROWS).map((row) => ({ ...row.user })),
      generatedPasswords: [],
      elapsedMs: 0,
    };
    if (!commit || errors.length > 0) {
      result.elapsedMs = Math.round(performance.now() - started);
      return result;
    }

    const generated: { username: string; password: string }[] = [];
    const hashes = await mapBounded(
      rows,
      this.deps.hashConcurrency ?? DEFAULT_HASH_CONCURRENCY,
      async (row): Promise<string | undefined> => {
        if (row.password.kind === 'keep') return undefined;
        const password =
          row.password.kind === 'generate' ? generatePassword() : row.password.password;
        if (row.password.kind === 'generate')
          generated.push({ username: row.user.username, password });
        return this.hash(password);
      },
    );
    // Read what is stored after hashing: a row that keeps the password keeps the one stored now.
    const before = new Map(rows.map((row) => [row.user.username, existing(row)]));
    const importedAt = this.deps.now();
    const records: DirectoryUser[] = rows.map((row, i) => {
      const current = before.get(row.user.username);
      const passwordHash = hashes[i] ?? current?.passwordHash ?? '';
      // A row that repeats what is stored (a file imported twice) is no change to the account.
      const same =
        current !== undefined &&
        hashes[i] === undefined &&
        INPUT_FIELDS.every((field) => row.user[field] === current[field]);
      const changedAt = same ? current.changedAt : importedAt;
      return { ...row.user, passwordHash, ...(changedAt !== undefined ? { changedAt } : {}) };
    });
    const addedNow = records.filter((r) => before.get(r.username) === undefined).length;
    await this.deps.users.putMany(records);
    const disabled = records.filter((r) => !r.enabled && before.get(r.username)?.enabled === true);
    let cancelledRequests = 0;
    for (const user of disabled)
      cancelledRequests += await this.deps.requests.endRequestsOf(
        user.username,
        DISABLED_REASON,
        actor,
      );
    await this.deps.audit.record({
      actor,
      action: 'directory.imported',
      details: {
        rows: records.length,
        added: addedNow,
        updated: records.length - addedNow,
        disabled: disabled.length,
        cancelledRequests,
        passwordsSet: hashes.filter((h) => h !== undefined).length - generated.length,
        passwordsGenerated: generated.length,
      },
    });
    const order = new Map(rows.map((row, i) => [row.user.username, i]));
    generated.sort((a, b) => (order.get(a.username) ?? 0) - (order.get(b.username) ?? 0));
    return {
      ...result,
      committed: true,
      added: addedNow,
      updated: records.length - addedNow,
      generatedPasswords: generated,
      elapsedMs: Math.round(performance.now() - started),
    };
  }

  /** Every user as CSV, in username order: no password or hash, formula-like cells guarded. */
  exportCsv(): string {
    return formatUserCsv(this.deps.users.list().map(toDirectoryUserView));
  }

  /** The export, with an audit entry saying who took a copy of the directory. */
  async exportCsvFor(actor: string): Promise<string> {
    const csv = this.exportCsv();
    await this.deps.audit.record({
      actor,
      action: 'directory.exported',
      details: { users: this.deps.users.count },
    });
    return csv;
  }
}
