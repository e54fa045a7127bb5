// The agent's session token at rest: encrypted with Electron's safeStorage (the OS keychain), in a
// file in the user-data folder, bound to the server that issued it. Never written in plain text.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

const SESSION_TOKEN_FILE_NAME = 'session-token.bin';

/** The part of Electron's `safeStorage` this needs. */
export interface StringEncryption {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
  /** Linux only: which secret store backs the encryption. */
  getSelectedStorageBackend?(): string;
}

export interface SessionTokenStore {
  /**
   * Remembers the token for this run and, where the OS keychain can encrypt it, on disk for the
   * next one (`stored: true`). `null` forgets it everywhere.
   */
  save(token: string | null): { stored: boolean };
  /** The token saved in this run or, failing that, the one on disk for this server. */
  load(): string | null;
}

export interface SessionTokenStoreOptions {
  userDataDir: string;
  /** The server the app talks to; a token saved for another server is not handed out. */
  serverUrl: string;
  encryption: StringEncryption;
  platform?: NodeJS.Platform;
  warn?: (message: string) => void;
}

const StoredTokenSchema = z.object({ serverUrl: z.string(), token: z.string().min(1) }).strict();

export function sessionTokenFilePath(userDataDir: string): string {
  return join(userDataDir, SESSION_TOKEN_FILE_NAME);
}

export function createSessionTokenStore(options: SessionTokenStoreOptions): SessionTokenStore {
  const { userDataDir, serverUrl, encryption } = options;
  const platform = options.platform ?? process.platform;
  const warn = options.warn ?? ((message: string) => console.warn(message));
  const file = sessionTokenFilePath(userDataDir);
  let inMemory: string | null = null;
  let warnedUnavailable = false;

  /**
   * Real encryption only. On Linux without a secret service, safeStorage falls back to
   * `basic_text`, a fixed key that any program can undo: that counts as not available.
   */
  const canEncrypt = (): boolean => {
    const available =
      encryption.isEncryptionAvailable() &&
      !(platform === 'linux' && encryption.getSelectedStorageBackend?.() === 'basic_text');
    if (!available && !warnedUnavailable) {
      warnedUnavailable = true;
      warn(
        'The OS keychain cannot encrypt the session token (safeStorage is not available), so it ' +
          'is kept in memory only: the agent signs in again after the app restarts.',
      );
    }
    return available;
  };

  const forget = () => rmSync(file, { force: true });

  return {
    save(token) {
      inMemory = token;
      if (token === null || !canEncrypt()) {
        forget();
        return { stored: false };
      }
      try {
        const encrypted = encryption.encryptString(JSON.stringify({ serverUrl, token }));
        mkdirSync(userDataDir, { recursive: true });
        writeFileSync(`${file}.tmp`, encrypted, { mode: 0o600 });
        renameSync(`${file}.tmp`, file);
        return { stored: true };
      } catch (error) {
        warn(`The session token could not be saved: ${(error as Error).message}`);
        forget();
        return { stored: false };
      }
    },

    load() {
      if (inMemory !== null) return inMemory;
      if (!canEncrypt()) return null;
      let encrypted: Buffer;
      try {
        encrypted = readFileSync(file);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
          warn(`The saved session token could not be read: ${(error as Error).message}`);
        }
        return null;
      }
      try {
        const stored = StoredTokenSchema.parse(JSON.parse(encryption.decryptString(encrypted)));
        if (stored.serverUrl !== serverUrl) return null;
        inMemory = stored.token;
        return stored.token;
      } catch {
        // Another user's keychain, a changed key or a damaged file: the token is useless, so it
        // goes, and the agent signs in again.
        warn(`The saved session token could not be decrypted; it was removed (${file}).`);
        forget();
        return null;
      }
    },
  };
}
