import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createSessionTokenStore,
  sessionTokenFilePath,
  type StringEncryption,
} from '../../../main/session-token';

const SERVER = 'https://desk.example.com';
const TOKEN = 'tok_'.padEnd(43, 'A');

/** Stands in for safeStorage: reversible, but not plain text, and it fails on foreign bytes. */
function fakeEncryption(available = true, backend?: string) {
  return {
    isEncryptionAvailable: vi.fn(() => available),
    encryptString: vi.fn((text: string) => Buffer.from(`enc:${[...text].reverse().join('')}`)),
    decryptString: vi.fn((bytes: Buffer) => {
      const text = bytes.toString();
      if (!text.startsWith('enc:')) throw new Error('Error while decrypting the ciphertext');
      return [...text.slice(4)].reverse().join('');
    }),
    ...(backend ? { getSelectedStorageBackend: () => backend } : {}),
  } satisfies StringEncryption;
}

let dir: string;
const warn = vi.fn();
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'helpdesk-token-'));
  warn.mockClear();
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const store = (
  encryption: StringEncryption,
  options: { serverUrl?: string; platform?: NodeJS.Platform } = {},
) =>
  createSessionTokenStore({
    userDataDir: dir,
    serverUrl: options.serverUrl ?? SERVER,
    encryption,
    platform: options.platform ?? 'darwin',
    warn,
  });

describe('createSessionTokenStore', () => {
  it('keeps the token encrypted on disk, readable by the next run', async () => {
    expect(store(fakeEncryption()).save(TOKEN)).toEqual({ stored: true });
    const onDisk = await readFile(sessionTokenFilePath(dir));
    expect(onDisk.toString()).not.toContain(TOKEN);
    expect(store(fakeEncryption()).load()).toBe(TOKEN);
    if (process.platform !== 'win32') {
      expect((await stat(sessionTokenFilePath(dir))).mode & 0o077).toBe(0);
    }
    expect(warn).not.toHaveBeenCalled();
  });

  it('has nothing to hand out before a token was saved', () => {
    expect(store(fakeEncryption()).load()).toBeNull();
    expect(warn).not.toHaveBeenCalled();
  });

  it('forgets the token in memory and on disk when given null', () => {
    const tokens = store(fakeEncryption());
    tokens.save(TOKEN);
    expect(tokens.save(null)).toEqual({ stored: false });
    expect(tokens.load()).toBeNull();
    expect(existsSync(sessionTokenFilePath(dir))).toBe(false);
    expect(store(fakeEncryption()).load()).toBeNull();
  });

  it('does not hand a token issued by another server to this one', () => {
    store(fakeEncryption(), { serverUrl: 'https://other.example.com' }).save(TOKEN);
    expect(store(fakeEncryption()).load()).toBeNull();
  });

  it('without an OS keychain, stores nothing on disk, says so once, and keeps the token for this run', () => {
    const encryption = fakeEncryption(false);
    const tokens = store(encryption);
    expect(tokens.save(TOKEN)).toEqual({ stored: false });
    expect(tokens.save(TOKEN)).toEqual({ stored: false });
    expect(encryption.encryptString).not.toHaveBeenCalled();
    expect(existsSync(sessionTokenFilePath(dir))).toBe(false);
    expect(tokens.load()).toBe(TOKEN);
    expect(store(fakeEncryption(false)).load()).toBeNull();
    expect(warn).toHaveBeenCalledTimes(2); // once per store, i.e. once per run
    expect(warn.mock.calls[0]?.[0]).toMatch(/safeStorage is not available/);
  });

  it("treats Linux's basic_text fallback (a fixed key) as no encryption at all", () => {
    const encryption = fakeEncryption(true, 'basic_text');
    expect(store(encryption, { platform: 'linux' }).save(TOKEN)).toEqual({ stored: false });
    expect(encryption.encryptString).not.toHaveBeenCalled();
    const withSecretService = fakeEncryption(true, 'gnome_libsecret');
    expect(store(withSecretService, { platform: 'linux' }).save(TOKEN)).toEqual({ stored: true });
  });

  it('removes a file it cannot decrypt, and asks for a new sign-in', async () => {
    await writeFile(sessionTokenFilePath(dir), 'written by something else');
    expect(store(fakeEncryption()).load()).toBeNull();
    expect(existsSync(sessionTokenFilePath(dir))).toBe(false);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/could not be decrypted/));
  });

  it('removes a file whose content is not a stored token', async () => {
    await writeFile(
      sessionTokenFilePath(dir),
      fakeEncryption().encryptString(JSON.stringify({ token: TOKEN })),
    );
    expect(store(fakeEncryption()).load()).toBeNull();
    expect(existsSync(sessionTokenFilePath(dir))).toBe(false);
  });

  it('reports a token it could not write, and leaves no file behind', () => {
    const encryption = fakeEncryption();
    encryption.encryptString.mockImplementationOnce(() => {
      throw new Error('keychain locked');
    });
    expect(store(encryption).save(TOKEN)).toEqual({ stored: false });
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/keychain locked/));
    expect(existsSync(sessionTokenFilePath(dir))).toBe(false);
  });
});
