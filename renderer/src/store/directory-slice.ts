// The directory as the console sees it: its status (every agent: the banner), and for admins its
// settings, the connection test, the embedded directory's users and CSV import and export.
import type { DirectoryUserView } from '../../../server/contract/directory';
import { IMPORT_MAX_BYTES } from '../lib/directory-api';
import type { DirectorySlice, UserOutcome } from './directory-state';
import { USERS_PAGE_SIZE } from './directory-state';
import type { ConsoleState, SliceCreator } from './state';
import type { ConsoleRuntime } from './types';
import { fieldsOf, messageOf } from './types';

export function createDirectorySlice(runtime: ConsoleRuntime): SliceCreator<DirectorySlice> {
  return (set, get) => {
    /** Only the newest search may fill the table: answers can arrive out of order. */
    let searchSerial = 0;

    const refused = (error: unknown): Extract<UserOutcome, { ok: false }> => ({
      ok: false,
      message: messageOf(error),
      fields: fieldsOf(error),
    });

    const storeUser = (user: DirectoryUserView) =>
      set({ users: get().users.map((u) => (u.username === user.username ? user : u)) });

    /** Runs one action on a user; its refusal is kept for the list and handed to the form. */
    const onUser = async (run: () => Promise<void>): Promise<UserOutcome> => {
      set({ usersError: null, userNotice: null });
      try {
        await run();
        return { ok: true };
      } catch (error) {
        const outcome = refused(error);
        if (Object.keys(outcome.fields).length === 0) set({ usersError: outcome.message });
        return outcome;
      }
    };

    const sessionToken = () => {
      const token = get().token;
      if (!token) throw new Error('Sign in again to import or export.');
      return token;
    };

    return {
      directoryStatus: null,
      directoryTest: { step: 'idle' },
      users: [],
      usersTotal: 0,
      usersQuery: '',
      usersOffset: 0,
      usersStatus: 'idle',
      usersError: null,
      userPassword: null,
      userNotice: null,
      importState: { step: 'idle' },
      importPasswords: [],

      async loadDirectoryStatus() {
        try {
          get().applyDirectoryStatus(await runtime.request('directory:status', {}));
        } catch {
          // The server pushes the status when it changes; the next reconnection asks again.
        }
      },

      applyDirectoryStatus(status) {
        set({ directoryStatus: status });
      },

      saveDirectory: (input) =>
        get().saveSection('directory', async () => {
          const { settings, status } = await runtime.request('directory:configure', input);
          const config = get().config;
          if (config) get().applyConfig({ ...config, directory: settings });
          set({ directoryStatus: status });
        }),

      async testDirectory(input) {
        set({ directoryTest: { step: 'running' } });
        try {
          set({
            directoryTest: { step: 'done', result: await runtime.request('directory:test', input) },
          });
        } catch (error) {
          set({
            directoryTest: { step: 'refused', message: messageOf(error), fields: fieldsOf(error) },
          });
        }
      },

      clearDirectoryTest() {
        set({ directoryTest: { step: 'idle' } });
      },

      async searchUsers(query, offset) {
        const serial = ++searchSerial;
        set({ usersQuery: query, usersOffset: offset, usersStatus: 'loading', usersError: null });
        try {
          const { users, total } = await runtime.request('users:search', {
            query: query.trim(),
            offset,
            limit: USERS_PAGE_SIZE,
          });
          if (serial !== searchSerial) return;
          set({ users, usersTotal: total, usersStatus: 'ready' });
        } catch (error) {
          if (serial !== searchSerial) return;
          set({ usersStatus: 'error', usersError: messageOf(error) });
        }
      },

      reloadUsers() {
        return get().searchUsers(get().usersQuery, get().usersOffset);
      },

      addUser(user, password) {
        return onUser(async () => {
          const answer = await runtime.request('users:add', {
            user,
            ...(password ? { password } : {}),
          });
          if (answer.password)
            set({
              userPassword: {
                username: answer.user.username,
                password: answer.password,
                reason: 'added',
              },
            });
          else set({ userNotice: `Added ${answer.user.username}.` });
          void get().reloadUsers();
          void get().loadDirectoryStatus();
        });
      },

      updateUser(username, changes) {
        return onUser(async () => {
          storeUser((await runtime.request('users:update', { username, changes })).user);
        });
      },

      setUserEnabled(username, enabled) {
        return onUser(async () => {
          storeUser((await runtime.request('users:set-enabled', { username, enabled })).user);
        });
      },

      resetUserPassword(username) {
        return onUser(async () => {
          const { user, password } = await runtime.request('users:reset-password', { username });
          storeUser(user);
          set({ userPassword: { username: user.username, password, reason: 'reset' } });
        });
      },

      deleteUser(username) {
        return onUser(async () => {
          const { cancelledRequests } = await runtime.request('users:delete', { username });
          const cancelled =
            cancelledRequests === 0
              ? ''
              : cancelledRequests === 1
                ? '; their open request was cancelled'
                : `; their ${cancelledRequests} open requests were cancelled`;
          set({
            users: get().users.filter((u) => u.username !== username),
            usersTotal: Math.max(0, get().usersTotal - 1),
            userNotice: `Deleted ${username}${cancelled}.`,
          });
          void get().reloadUsers();
          void get().loadDirectoryStatus();
        });
      },

      dismissUserPassword() {
        set({ userPassword: null });
      },

      dismissUserNotice() {
        set({ userNotice: null });
      },

      async previewImport(file) {
        set({ importState: { step: 'checking', fileName: file.name }, importPasswords: [] });
        if (file.size > IMPORT_MAX_BYTES) {
          set({
            importState: {
              step: 'failed',
              fileName: file.name,
              message: 'The file is larger than 10 MB: split it and import the parts one by one.',
            },
          });
          return;
        }
        try {
          const result = await runtime.deps.directoryApi.importCsv(
            get().serverUrl,
            sessionToken(),
            file,
            false,
          );
          // Another file may have been picked meanwhile.
          const now = get().importState;
          if (now.step !== 'checking' || now.fileName !== file.name) return;
          set({ importState: { step: 'preview', file, result } });
        } catch (error) {
          set({ importState: { step: 'failed', fileName: file.name, message: messageOf(error) } });
        }
      },

      async commitImport() {
        const before = get().importState;
        if (before.step !== 'preview' || before.result.errors.length > 0) return;
        set({ importState: { step: 'importing', file: before.file, result: before.result } });
        try {
          const result = await runtime.deps.directoryApi.importCsv(
            get().serverUrl,
            sessionToken(),
            before.file,
            true,
          );
          set({
            importState: { step: 'done', result },
            importPasswords: result.generatedPasswords,
          });
          void get().searchUsers(get().usersQuery, 0);
          void get().loadDirectoryStatus();
        } catch (error) {
          // The preview stays: the admin can try again or pick another file.
          set({
            importState: { ...before, step: 'preview', error: `Not imported: ${messageOf(error)}` },
          });
        }
      },

      resetImport() {
        set({ importState: { step: 'idle' } });
      },

      forgetImportPasswords() {
        set({ importPasswords: [] });
      },

      async exportUsers() {
        try {
          const file = await runtime.deps.directoryApi.exportCsv(get().serverUrl, sessionToken());
          return { ok: true, ...file };
        } catch (error) {
          return { ok: false, message: messageOf(error) };
        }
      },
    };
  };
}

export const directorySelectors = {
  status: (s: ConsoleState) => s.directoryStatus,
  /** The banner: the directory does not answer, so sign-ins and reveals are refused. */
  isUnavailable: (s: ConsoleState) => s.directoryStatus?.state === 'unavailable',
  /** A newcomer's realm: the embedded directory is the source and holds nobody yet. */
  isEmptyEmbedded: (s: ConsoleState) =>
    s.directoryStatus?.source === 'embedded' && s.directoryStatus.embeddedUsers === 0,
  source: (s: ConsoleState) => s.config?.directory.source ?? s.directoryStatus?.source ?? null,
  test: (s: ConsoleState) => s.directoryTest,
  users: (s: ConsoleState) => s.users,
  usersTotal: (s: ConsoleState) => s.usersTotal,
  usersOffset: (s: ConsoleState) => s.usersOffset,
  usersQuery: (s: ConsoleState) => s.usersQuery,
  usersStatus: (s: ConsoleState) => s.usersStatus,
  usersError: (s: ConsoleState) => s.usersError,
  userPassword: (s: ConsoleState) => s.userPassword,
  userNotice: (s: ConsoleState) => s.userNotice,
  importState: (s: ConsoleState) => s.importState,
  importPasswords: (s: ConsoleState) => s.importPasswords,
};
