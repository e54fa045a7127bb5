// The desktop app's local settings (which server to talk to), kept as JSON in its user-data folder.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

export const DEFAULT_SERVER_URL = 'http://127.0.0.1:3000';
const SETTINGS_FILE_NAME = 'settings.json';
/** Overrides the saved server URL, e.g. when `npm start` launches the app beside its server. */
const SERVER_URL_ENV = 'HELPDESK_SERVER_URL';

const ServerUrlSchema = z
  .url({ protocol: /^https?$/, error: 'Use an http:// or https:// address' })
  .refine((value) => {
    const url = new URL(value);
    return !url.username && !url.password && !url.search && !url.hash;
  }, 'Use a plain server address, without a user name, query or fragment')
  .transform((value) => value.replace(/\/+$/, ''));

const SettingsSchema = z.object({
  serverUrl: ServerUrlSchema.default(DEFAULT_SERVER_URL),
});
export type Settings = z.infer<typeof SettingsSchema>;

class SettingsError extends Error {
  override name = 'SettingsError';
}

export function settingsFilePath(userDataDir: string): string {
  return join(userDataDir, SETTINGS_FILE_NAME);
}

/**
 * Reads the saved settings (defaults when there is no file yet), then applies the environment.
 * A file that exists but cannot be read or parsed is an error naming the file, never a silent
 * reset to defaults.
 */
export function loadSettings(
  userDataDir: string,
  env: Record<string, string | undefined> = process.env,
): Settings {
  const file = settingsFilePath(userDataDir);
  const saved = SettingsSchema.safeParse(readJsonFile(file));
  if (!saved.success) {
    throw new SettingsError(`${file} is not valid: ${z.prettifyError(saved.error)}`);
  }
  const override = env[SERVER_URL_ENV];
  if (!override) return saved.data;
  const serverUrl = ServerUrlSchema.safeParse(override);
  if (!serverUrl.success) {
    throw new SettingsError(`${SERVER_URL_ENV} is not valid: ${z.prettifyError(serverUrl.error)}`);
  }
  return { ...saved.data, serverUrl: serverUrl.data };
}

/** Writes the settings through a temporary file, so a crash never leaves half a file behind. */
export function saveSettings(userDataDir: string, settings: Settings): void {
  const file = settingsFilePath(userDataDir);
  mkdirSync(userDataDir, { recursive: true });
  writeFileSync(`${file}.tmp`, `${JSON.stringify(SettingsSchema.parse(settings), null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

function readJsonFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new SettingsError(`Cannot read ${file}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new SettingsError(`${file} is not valid JSON: ${(error as Error).message}`);
  }
}
