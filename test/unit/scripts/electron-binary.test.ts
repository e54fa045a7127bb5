import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BUILD_OUTPUTS,
  findElectronBinary,
  missingBinaryOutcome,
  needsBuild,
} from '../../../scripts/electron-binary.mjs';

const ELECTRON_DIR = join('/repo', 'node_modules', 'electron');
const installed = (files: Record<string, string>) => ({
  exists: (path: string) => path in files,
  readText: (path: string) => files[path] ?? '',
  env: {},
});

describe('findElectronBinary', () => {
  it('finds the executable that path.txt names inside dist/', () => {
    const binary = join(ELECTRON_DIR, 'dist', 'electron');
    const io = installed({ [join(ELECTRON_DIR, 'path.txt')]: 'electron', [binary]: '' });
    expect(findElectronBinary(ELECTRON_DIR, io)).toEqual({ found: true, path: binary });
  });

  it('honours ELECTRON_OVERRIDE_DIST_PATH as the package itself does', () => {
    const binary = join('/opt/electron', 'electron');
    const io = {
      ...installed({ [join(ELECTRON_DIR, 'path.txt')]: 'electron\n', [binary]: '' }),
      env: { ELECTRON_OVERRIDE_DIST_PATH: '/opt/electron' },
    };
    expect(findElectronBinary(ELECTRON_DIR, io)).toEqual({ found: true, path: binary });
  });

  it('reports the binary missing when it was never downloaded', () => {
    expect(findElectronBinary(ELECTRON_DIR, installed({}))).toEqual({ found: false });
  });

  it('reports the binary missing when path.txt points at nothing', () => {
    const io = installed({ [join(ELECTRON_DIR, 'path.txt')]: 'electron' });
    expect(findElectronBinary(ELECTRON_DIR, io)).toEqual({ found: false });
  });

  it('reports the binary missing when the electron package is not installed', () => {
    expect(findElectronBinary(null, installed({}))).toEqual({ found: false });
  });
});

describe('missingBinaryOutcome', () => {
  it('says so in one line pointing at the browser console, and fails unless optional', () => {
    const required = missingBinaryOutcome({ optional: false, serverUrl: 'http://127.0.0.1:3000' });
    expect(required.exitCode).toBe(1);
    expect(required.message).toBe(
      "Electron's binary is not installed and could not be downloaded here; " +
        'use the browser console at http://127.0.0.1:3000/agent instead.',
    );
    const optional = missingBinaryOutcome({
      optional: true,
      serverUrl: 'http://127.0.0.1:4000',
      reason: 'getaddrinfo ENOTFOUND github.com',
    });
    expect(optional.exitCode).toBe(0);
    expect(optional.message).not.toContain('\n');
    expect(optional.message).toContain('(getaddrinfo ENOTFOUND github.com)');
    expect(optional.message).toContain('http://127.0.0.1:4000/agent');
  });
});

describe('needsBuild', () => {
  it('asks for a build until main, preload and renderer are all in out/', () => {
    const built = new Set(BUILD_OUTPUTS.map((output) => join('/repo', output)));
    expect(needsBuild('/repo', (path) => built.has(path))).toBe(false);
    built.delete(join('/repo', 'out/preload/index.cjs'));
    expect(needsBuild('/repo', (path) => built.has(path))).toBe(true);
  });
});
