import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_SERVER_URL,
  loadSettings,
  saveSettings,
  settingsFilePath,
} from '../../../main/settings';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'helpdesk-settings-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadSettings', () => {
  it('uses the defaults while there is no settings file', () => {
    expect(loadSettings(dir, {})).toEqual({ serverUrl: DEFAULT_SERVER_URL });
  });

  it('reads the saved server URL, without a trailing slash', async () => {
    await writeFile(settingsFilePath(dir), JSON.stringify({ serverUrl: 'https://desk.example/' }));
    expect(loadSettings(dir, {})).toEqual({ serverUrl: 'https://desk.example' });
  });

  it('lets HELPDESK_SERVER_URL override the saved server URL', async () => {
    await writeFile(settingsFilePath(dir), JSON.stringify({ serverUrl: 'https://desk.example' }));
    expect(loadSettings(dir, { HELPDESK_SERVER_URL: 'http://127.0.0.1:4000' })).toEqual({
      serverUrl: 'http://127.0.0.1:4000',
    });
  });

  it('refuses a broken file with an error naming it, instead of resetting it', async () => {
    await writeFile(settingsFilePath(dir), '{ "serverUrl": ');
    expect(() => loadSettings(dir, {})).toThrow(`${settingsFilePath(dir)} is not valid JSON`);
    expect(await readFile(settingsFilePath(dir), 'utf8')).toBe('{ "serverUrl": ');
  });

  it('refuses a server address that is not http(s) or carries credentials', async () => {
    await writeFile(settingsFilePath(dir), JSON.stringify({ serverUrl: 'file:///etc/passwd' }));
    expect(() => loadSettings(dir, {})).toThrow(/is not valid: .*http:\/\/ or https:\/\//s);
    await rm(settingsFilePath(dir));
    expect(() => loadSettings(dir, { HELPDESK_SERVER_URL: 'https://u:p@desk.example' })).toThrow(
      /HELPDESK_SERVER_URL is not valid/,
    );
  });
});

describe('saveSettings', () => {
  it('writes settings that load back unchanged', () => {
    saveSettings(join(dir, 'new-folder'), { serverUrl: 'https://desk.example' });
    expect(loadSettings(join(dir, 'new-folder'), {})).toEqual({
      serverUrl: 'https://desk.example',
    });
  });
});
