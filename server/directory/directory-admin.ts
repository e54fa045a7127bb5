// STUB — being written: the embedded directory as admins manage it (search, add, edit, enable,
// reset a password, delete, CSV import and export), audited.
import type {
  DirectoryImportResult,
  DirectoryUserInput,
  DirectoryUserView,
} from '../contract/directory';
import type { RealmService } from '../realm/realm-service';
import type { RequestService } from '../requests/request-service';
import type { AuditLog, DirectoryUserRepository } from '../store/repositories';

export interface DirectoryAdminDeps {
  users: DirectoryUserRepository;
  requests: RequestService;
  realm: RealmService;
  audit: AuditLog;
  now: () => number;
}

export class DirectoryAdmin {
  constructor(private readonly deps: DirectoryAdminDeps) {}

  search(
    _query: string,
    _offset: number,
    _limit: number,
  ): { users: DirectoryUserView[]; total: number } {
    throw new Error('not yet');
  }
  add(
    _user: DirectoryUserInput,
    _password: string | undefined,
    _actor: string,
  ): Promise<{ user: DirectoryUserView; password?: string }> {
    throw new Error('not yet');
  }
  update(
    _username: string,
    _changes: Partial<Omit<DirectoryUserInput, 'username'>>,
    _actor: string,
  ): Promise<{ user: DirectoryUserView }> {
    throw new Error('not yet');
  }
  setEnabled(
    _username: string,
    _enabled: boolean,
    _actor: string,
  ): Promise<{ user: DirectoryUserView }> {
    throw new Error('not yet');
  }
  resetPassword(
    _username: string,
    _actor: string,
  ): Promise<{ user: DirectoryUserView; password: string }> {
    throw new Error('not yet');
  }
  remove(
    _username: string,
    _actor: string,
  ): Promise<{ username: string; cancelledRequests: number }> {
    throw new Error('not yet');
  }
  importCsv(
    _csv: string,
    _options: { commit: boolean },
    _actor: string,
  ): Promise<DirectoryImportResult> {
    throw new Error('not yet');
  }
  exportCsv(): string {
    throw new Error('not yet');
  }
}
