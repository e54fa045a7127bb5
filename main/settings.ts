// Which server the desktop app talks to, from three places, first found wins:
//   1. the organisation's managed settings file, written by an installer or MDM, which the agent
//      cannot change (and which HELPDESK_SERVER_URL cannot override either, so a managed install
//      cannot be pointed elsewhere by how it is launched);
//   2. HELPDESK_SERVER_URL, for development (`npm start` sets it to the server it starts);
//   3. the address the agent saved on the first-run screen, in the user-data folder.
// None of them: the app asks at first run. A file that exists but cannot be read or parsed is an
// error naming it, never skipped.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, posix, win32 } from 'node:path';
import { z } from 'zod';
import { ServerUrlSchema } from './server-url';

const SETTINGS_FILE_NAME = 'settings.json';
/** Overrides the saved server URL, e.g. when `npm start` launches the app beside its server. */
export const SERVER_URL_ENV = 'HELPDESK_SERVER_URL';
/** Another managed settings file than the OS's, for tests and development (unpackaged app only). */
export const MANAGED_SETTINGS_ENV = 'HELPDESK_MANAGED_SETTINGS';

/** The agent's own settings: what the first-run screen saved. */
const SavedSettingsSchema = z.object({ serverUrl: ServerUrlSchema.optional() });
export type SavedSettings = z.infer<typeof SavedSettingsSchema>;

/**
 * The organisation's settings. Strict: a misspelt key would leave the server unmanaged without a
 * word, so an unknown key is an error an administrator sees at once.
 */
const ManagedSettingsSchema = z.object({ serverUrl: ServerUrlSchema.optional() }).strict();

export type ServerUrlSource = 'managed' | 'environment' | 'saved';

/** The server in use and where its address came from; null when none is set anywhere. */
export type ServerSetting = { serverUrl: string; source: ServerUrlSource } | null;

class SettingsError extends Error {
  override name = 'SettingsError';
}

export function settingsFilePath(userDataDir: string): string {
  return join(userDataDir, SETTINGS_FILE_NAME);
}

export interface ManagedPathOptions {
  platform: NodeJS.Platform;
  env: Record<string, string | undefined>;
  /** Honour HELPDESK_MANAGED_SETTINGS: true while developing, false in an installed app. */
  allowOverride: boolean;
}

/**
 * Where an installer or MDM puts the managed settings: `%ProgramData%\Help Desk OTP\settings.json`
 * on Windows, `/Library/Application Support/Help Desk OTP/settings.json` on macOS and
 * `/etc/helpdesk-otp/settings.json` elsewhere; folders only administrators can write.
 */
export function managedSettingsPath({ platform, env, allowOverride }: ManagedPathOptions): string {
  const override = env[MANAGED_SETTINGS_ENV];
  if (allowOverride && override) return override;
  switch (platform) {
    case 'win32':
      return win32.join(
        env['ProgramData'] || 'C:\\ProgramData',
        'Help Desk OTP',
        SETTINGS_FILE_NAME,
      );
    case 'darwin':
      return posix.join('/Library/Application Support/Help Desk OTP', SETTINGS_FILE_NAME);
    default:
      return posix.join('/etc/helpdesk-otp', SETTINGS_FILE_NAME);
  }
}

export interface LoadServerSettingOptions {
  userDataDir: string;
  managedFile: string;
  env?: Record<string, string | undefined>;
}

/** The server to use, by the precedence above; throws a SettingsError naming a bad source. */
export function loadServerSetting({
  userDataDir,
  managedFile,
  env = process.env,
}: LoadServerSettingOptions): ServerSetting {
  const managed = parseFile(managedFile, ManagedSettingsSchema);
  if (managed?.serverUrl) return { serverUrl: managed.serverUrl, source: 'managed' };

  const override = env[SERVER_URL_ENV];
  if (override) {
    const serverUrl = ServerUrlSchema.safeParse(override);
    if (!serverUrl.success) {
      throw new SettingsError(
        `${SERVER_URL_ENV} is not valid: ${z.prettifyError(serverUrl.error)}`,
      );
    }
    return { serverUrl: serverUrl.data, source: 'environment' };
  }

  const saved = parseFile(settingsFilePath(userDataDir), SavedSettingsSchema);
  if (saved?.serverUrl) return { serverUrl: saved.serverUrl, source: 'saved' };
  return null;
}

/** Saves the agent's server URL through a temporary file, so a crash never leaves half a file. */
export function saveServerUrl(userDataDir: string, serverUrl: string): void {
  const file = settingsFilePath(userDataDir);
  const settings = SavedSettingsSchema.parse({ ...readSaved(file), serverUrl });
  mkdirSync(userDataDir, { recursive: true });
  writeFileSync(`${file}.tmp`, `${JSON.stringify(settings, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

function readSaved(file: string): SavedSettings {
  return parseFile(file, SavedSettingsSchema) ?? {};
}

/** The file parsed with `schema`; undefined when there is no file. */
function parseFile<T>(file: string, schema: z.ZodType<T>): T | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new SettingsError(`Cannot read ${file}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new SettingsError(`${file} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new SettingsError(`${file} is not valid: ${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}
