// The shape of the directory slice: whether the directory answers, the connection test, the embedded
// directory's users as an admin pages through them, and a CSV import from preview to result.
import type {
  DirectoryConfigure,
  DirectoryImportResult,
  DirectoryStatus,
  DirectoryTest,
  DirectoryTestResult,
  DirectoryUserInput,
  DirectoryUserView,
} from '../../../server/contract/directory';
import type { SaveOutcome } from './settings-state';

export type DirectoryTestState =
  | { step: 'idle' }
  | { step: 'running' }
  | { step: 'done'; result: DirectoryTestResult }
  /** The server refused to run it (bad settings, not allowed); `fields` by dotted path. */
  | { step: 'refused'; message: string; fields: Record<string, string> };

/** A password an admin sees once: added with a generated one, or reset. */
export interface UserPassword {
  username: string;
  password: string;
  reason: 'added' | 'reset';
}

export type UserOutcome =
  { ok: true } | { ok: false; message: string; fields: Record<string, string> };

export type ImportState =
  | { step: 'idle' }
  | { step: 'checking'; fileName: string }
  /** The server's dry run; the file is kept to send again on Import. */
  | { step: 'preview'; file: File; result: DirectoryImportResult; error?: string }
  | { step: 'importing'; file: File; result: DirectoryImportResult }
  | { step: 'done'; result: DirectoryImportResult }
  | { step: 'failed'; fileName: string; message: string };

export const USERS_PAGE_SIZE = 50;

export interface DirectorySlice {
  /** As the server last said (answer or push); null until asked. */
  directoryStatus: DirectoryStatus | null;
  directoryTest: DirectoryTestState;

  users: DirectoryUserView[];
  usersTotal: number;
  usersQuery: string;
  usersOffset: number;
  usersStatus: 'idle' | 'loading' | 'ready' | 'error';
  usersError: string | null;
  /** Shown once, then forgotten. */
  userPassword: UserPassword | null;
  /** What the last action on a user did, in words (e.g. a deletion that cancelled a request). */
  userNotice: string | null;

  importState: ImportState;
  /** Generated passwords of the last import, until downloaded or dismissed. */
  importPasswords: DirectoryImportResult['generatedPasswords'];

  loadDirectoryStatus(): Promise<void>;
  applyDirectoryStatus(status: DirectoryStatus): void;
  /** Saves the directory settings (Settings' save state and field errors under `settings.…`). */
  saveDirectory(input: DirectoryConfigure): Promise<SaveOutcome>;
  testDirectory(input: DirectoryTest): Promise<void>;
  clearDirectoryTest(): void;

  searchUsers(query: string, offset: number): Promise<void>;
  /** The current page again, after a change elsewhere. */
  reloadUsers(): Promise<void>;
  addUser(user: DirectoryUserInput, password?: string): Promise<UserOutcome>;
  updateUser(
    username: string,
    changes: Partial<Omit<DirectoryUserInput, 'username'>>,
  ): Promise<UserOutcome>;
  setUserEnabled(username: string, enabled: boolean): Promise<UserOutcome>;
  resetUserPassword(username: string): Promise<UserOutcome>;
  deleteUser(username: string): Promise<UserOutcome>;
  dismissUserPassword(): void;
  dismissUserNotice(): void;

  /** Sends the file for a dry run and shows what it would do. */
  previewImport(file: File): Promise<void>;
  /** Imports the previewed file for real. */
  commitImport(): Promise<void>;
  resetImport(): void;
  forgetImportPasswords(): void;
  /** The embedded directory as a CSV file. */
  exportUsers(): Promise<
    { ok: true; blob: Blob; fileName: string } | { ok: false; message: string }
  >;
}
