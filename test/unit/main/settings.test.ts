import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  loadServerSetting,
  managedSettingsPath,
  saveServerUrl,
  settingsFilePath,
} from '../../../main/settings';

let dir: string;
let userDataDir: string;
let managedFile: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'helpdesk-settings-'));
  userDataDir = join(dir, 'user-data');
  managedFile = join(dir, 'managed', 'settings.json');
  await mkdir(userDataDir);
  await mkdir(join(dir, 'managed'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const load = (env: Record<string, string | undefined> = {}) =>
  loadServerSetting({ userDataDir, managedFile, env });
const writeSaved = (value: unknown) =>
  writeFile(settingsFilePath(userDataDir), JSON.stringify(value));
const writeManaged = (value: unknown) => writeFile(managedFile, JSON.stringify(value));
const ENV = { HELPDESK_SERVER_URL: 'http://127.0.0.1:4000' };

describe('loadServerSetting: where the server address comes from', () => {
  it('is unset while no source names a server: the app asks at first run', async () => {
    expect(load()).toBeNull();
    await writeSaved({});
    await writeManaged({});
    expect(load()).toBeNull();
  });

  it('reads the address the agent saved, without a trailing slash', async () => {
    await writeSaved({ serverUrl: 'https://desk.example/' });
    expect(load()).toEqual({ serverUrl: 'https://desk.example', source: 'saved' });
  });

  it('lets HELPDESK_SERVER_URL override the saved address', async () => {
    await writeSaved({ serverUrl: 'https://desk.example' });
    expect(load(ENV)).toEqual({ serverUrl: 'http://127.0.0.1:4000', source: 'environment' });
  });

  it("puts the organisation's managed address above the saved one and the environment", async () => {
    await writeSaved({ serverUrl: 'https://my-own.example' });
    await writeManaged({ serverUrl: 'https://helpdesk.corp.example/' });
    const managed = { serverUrl: 'https://helpdesk.corp.example', source: 'managed' };
    expect(load()).toEqual(managed);
    expect(load(ENV)).toEqual(managed);
  });

  it('falls through a managed file that names no server', async () => {
    await writeManaged({});
    await writeSaved({ serverUrl: 'https://desk.example' });
    expect(load()).toEqual({ serverUrl: 'https://desk.example', source: 'saved' });
  });

  it('refuses a broken managed file with an error naming it, even with the environment set', async () => {
    await writeFile(managedFile, '{ "serverUrl": ');
    expect(() => load(ENV)).toThrow(`${managedFile} is not valid JSON`);
    await writeManaged({ serverUrl: 'ftp://desk.example' });
    expect(() => load(ENV)).toThrow(
      new RegExp(`${managedFile.replace(/[.]/g, '\\.')} is not valid: .*http:// or https://`, 's'),
    );
  });

  it('refuses a managed file with a key it does not know (a misspelt serverUrl)', async () => {
    await writeManaged({ serverURL: 'https://helpdesk.corp.example' });
    expect(() => load()).toThrow(/is not valid: .*serverURL/s);
  });

  it('refuses a managed file it cannot read (here a folder in its place)', async () => {
    await mkdir(managedFile);
    expect(() => load()).toThrow(`Cannot read ${managedFile}`);
  });

  it('refuses a broken saved file with an error naming it, instead of resetting it', async () => {
    await writeFile(settingsFilePath(userDataDir), '{ "serverUrl": ');
    expect(() => load()).toThrow(`${settingsFilePath(userDataDir)} is not valid JSON`);
    expect(await readFile(settingsFilePath(userDataDir), 'utf8')).toBe('{ "serverUrl": ');
  });

  it('refuses a server address that is not http(s) or carries credentials', async () => {
    await writeSaved({ serverUrl: 'file:///etc/passwd' });
    expect(() => load()).toThrow(/is not valid: .*http:\/\/ or https:\/\//s);
    await rm(settingsFilePath(userDataDir));
    expect(() => load({ HELPDESK_SERVER_URL: 'https://u:p@desk.example' })).toThrow(
      /HELPDESK_SERVER_URL is not valid/,
    );
  });
});

describe('managedSettingsPath', () => {
  it("is the OS's folder for machine-wide settings", () => {
    const path = (platform: NodeJS.Platform, env: Record<string, string> = {}) =>
      managedSettingsPath({ platform, env, allowOverride: false });
    expect(path('win32', { ProgramData: 'D:\\ProgramData' })).toBe(
      'D:\\ProgramData\\Help Desk OTP\\settings.json',
    );
    expect(path('win32')).toBe('C:\\ProgramData\\Help Desk OTP\\settings.json');
    expect(path('darwin')).toBe('/Library/Application Support/Help Desk OTP/settings.json');
    expect(path('linux')).toBe('/etc/helpdesk-otp/settings.json');
  });

  it('takes HELPDESK_MANAGED_SETTINGS only where allowed (not in an installed app)', () => {
    const env = { HELPDESK_MANAGED_SETTINGS: '/tmp/managed.json' };
    expect(managedSettingsPath({ platform: 'linux', env, allowOverride: true })).toBe(
      '/tmp/managed.json',
    );
    expect(managedSettingsPath({ platform: 'linux', env, allowOverride: false })).toBe(
      '/etc/helpdesk-otp/settings.json',
    );
  });
});

describe('saveServerUrl', () => {
  it('writes an address that loads back as the saved one', () => {
    const fresh = join(dir, 'new-folder');
    saveServerUrl(fresh, 'https://desk.example');
    expect(loadServerSetting({ userDataDir: fresh, managedFile, env: {} })).toEqual({
      serverUrl: 'https://desk.example',
      source: 'saved',
    });
  });
});
