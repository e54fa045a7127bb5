// The desktop installers' configuration, checked without packaging (which needs Electron's binary):
// electron-builder.yml against electron-builder's own schema, read by its own YAML parser and file
// matcher; the targets, what goes in, no auto-update, the icons' real sizes, and the afterPack hook
// flipping the fuses of a stand-in Electron binary.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as ElectronFuses from '@electron/fuses';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type * as FusesHook from '../../build/fuses.mjs';
import { APP_ID } from '../../main/app-id';

// The one part that needs a real Electron binary: spied on at the module boundary, calling through
// to the real @electron/fuses (which flips the stand-in binary's fuse wire below).
vi.mock('@electron/fuses', async (importOriginal) => {
  const real = await importOriginal<typeof ElectronFuses>();
  return { ...real, flipFuses: vi.fn(real.flipFuses) };
});
const fuses = await import('@electron/fuses');
const { FuseV1Options, FuseVersion, FuseState } = fuses;
const flipFuses = vi.mocked(fuses.flipFuses);

const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');
const fromRoot = (path: string) => join(ROOT, path);

// electron-builder's own parser, validator and file matcher, as it loads them.
const builderRequire = createRequire(createRequire(import.meta.url).resolve('app-builder-lib'));
const yaml = builderRequire('js-yaml') as { load(text: string): unknown };
type Validator = ((data: unknown) => boolean) & { errors?: unknown[] | null };
const Ajv = (builderRequire('ajv') as { default: new (options: object) => AjvInstance }).default;
interface AjvInstance {
  compile(schema: unknown): Validator;
}
const { FileMatcher } = builderRequire('./fileMatcher') as {
  FileMatcher: new (
    from: string,
    to: string,
    expand: (s: string) => string,
    patterns: unknown,
  ) => {
    addPattern(pattern: string): void;
    createFilter(): (file: string, stat: { isDirectory(): boolean }) => boolean;
  };
};

interface TargetEntry {
  target: string;
  arch?: string[];
}
interface BuilderConfig {
  appId: string;
  productName: string;
  directories: { output: string; buildResources: string };
  files: string[];
  asar: boolean;
  publish: null;
  afterPack: string;
  extraMetadata?: { homepage?: string };
  win: { target: TargetEntry[]; icon: string };
  nsis: Record<string, unknown>;
  mac: {
    target: TargetEntry[];
    icon: string;
    hardenedRuntime: boolean;
    entitlements: string;
    entitlementsInherit: string;
    notarize: boolean;
  };
  dmg: { artifactName: string };
  linux: {
    target: string[];
    icon: string;
    category: string;
    maintainer: string;
    executableName: string;
  };
  appImage: { artifactName: string };
  deb: { artifactName: string };
}

const configText = readFileSync(fromRoot('electron-builder.yml'), 'utf8');
const config = yaml.load(configText) as BuilderConfig;
const packageJson = JSON.parse(readFileSync(fromRoot('package.json'), 'utf8')) as {
  main: string;
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

describe('electron-builder.yml', () => {
  let validate: Validator;
  beforeAll(() => {
    // Stricter than electron-builder itself, which coerces types ("true" for true).
    const ajv = new Ajv({ allErrors: true, strict: false, coerceTypes: false });
    validate = ajv.compile(
      JSON.parse(readFileSync(builderRequire.resolve('../scheme.json'), 'utf8')),
    );
  });

  it("matches electron-builder's own JSON schema", () => {
    expect(validate(config), JSON.stringify(validate.errors, null, 2)).toBe(true);
  });

  it('is checked for real: a misspelt option fails the schema', () => {
    expect(validate({ ...config, nsis: { ...config.nsis, perMachin: true } })).toBe(false);
    expect(validate({ ...config, mac: { ...config.mac, hardenedRuntim: true } })).toBe(false);
    expect(validate({ ...config, asar: 'yes' })).toBe(false);
  });

  it('names the app and writes installers to dist/', () => {
    expect(config.appId).toBe('com.helpdeskotp.console');
    // Windows shows the app's notifications only when its AppUserModelID is the installer's appId.
    expect(config.appId).toBe(APP_ID);
    expect(config.productName).toBe('Help Desk OTP');
    expect(config.directories).toEqual({ output: 'dist', buildResources: 'build' });
    expect(config.asar).toBe(true);
  });

  it('builds an assisted per-machine NSIS installer for Windows', () => {
    expect(config.win.target).toEqual([{ target: 'nsis', arch: ['x64'] }]);
    expect(config.nsis).toMatchObject({ oneClick: false, perMachine: true });
    expect(config.nsis['artifactName']).toBe('helpdesk-otp-${version}-setup.${ext}');
  });

  it('builds a dmg for macOS with the hardened runtime, notarization off by default', () => {
    expect(config.mac.target).toEqual([{ target: 'dmg', arch: ['arm64', 'x64'] }]);
    expect(config.mac.hardenedRuntime).toBe(true);
    expect(config.mac.notarize).toBe(false);
    for (const file of [config.mac.entitlements, config.mac.entitlementsInherit]) {
      const plist = readFileSync(fromRoot(file), 'utf8');
      expect(plist).toContain('<key>com.apple.security.cs.allow-jit</key>');
      // Nothing that would weaken the hardened runtime.
      expect(plist).not.toMatch(/disable-library-validation|allow-dyld|get-task-allow/);
    }
    expect(config.dmg.artifactName).toBe('helpdesk-otp-${version}-${arch}.${ext}');
  });

  it('builds an AppImage and a deb for Linux, with their category and maintainer', () => {
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.linux.category).toBe('Office');
    expect(config.linux.maintainer).toMatch(/^.+ <[^<>\s]+@[^<>\s]+>$/);
    expect(config.linux.executableName).toBe('helpdesk-otp');
    // fpm refuses a deb without a home page; package.json has none.
    expect(config.extraMetadata?.homepage).toMatch(/^https:\/\//);
    expect(config.appImage.artifactName).toBe('helpdesk-otp-${version}-${arch}.${ext}');
    expect(config.deb.artifactName).toBe('helpdesk-otp_${version}_${arch}.${ext}');
  });

  it('packs the built main, preload and renderer only: no server, tests or sources', () => {
    // As electron-builder matches the app's files (it always adds package.json itself).
    const matcher = new FileMatcher(ROOT, '/app', (s) => s, config.files);
    matcher.addPattern('package.json');
    const filter = matcher.createFilter();
    const packed = (path: string) => filter(fromRoot(path), { isDirectory: () => false });
    for (const path of [
      'package.json',
      'out/main/index.js',
      'out/preload/index.cjs',
      'out/renderer/index.html',
      'out/renderer/assets/index-abc123.js',
    ]) {
      expect(packed(path), path).toBe(true);
    }
    for (const path of [
      'out/server/index.js',
      'server/app.ts',
      'server/enduser/public/favicon.svg',
      'main/index.ts',
      'preload/index.ts',
      'renderer/src/App.tsx',
      'test/unit/desktop-package.test.ts',
      'bench/run.ts',
      'data/realm.json',
      'README.md',
      'electron-builder.yml',
      'build/fuses.mjs',
    ]) {
      expect(packed(path), path).toBe(false);
    }
  });

  it("starts the app from the built main, which the package's files include", () => {
    expect(packageJson.main).toBe('out/main/index.js');
    const viteConfig = readFileSync(fromRoot('electron.vite.config.ts'), 'utf8');
    expect(viteConfig).toMatch(/outDir: fromRoot\('out\/main'\)/);
    expect(viteConfig).toMatch(/input: \{ index: fromRoot\('main\/index\.ts'\) \}/);
    expect(config.files).toContain('out/main/**');
    expect(packageJson.scripts['package']).toBe('npm run build && electron-builder');
  });

  it('has no auto-update: nothing published, no updater in the app', () => {
    expect(config.publish).toBeNull();
    expect(configText).not.toMatch(
      /electronUpdaterCompatibility|generateUpdatesFilesForAllChannels/,
    );
    expect(packageJson.dependencies).not.toHaveProperty('electron-updater');
    const mainSources = readdirSync(fromRoot('main'), { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.ts'))
      .map((file) => readFileSync(join(fromRoot('main'), file), 'utf8'));
    for (const source of mainSources) expect(source).not.toMatch(/electron-updater|autoUpdater/);
  });
});

/** Width and height from a PNG's IHDR chunk; throws on anything that is not a PNG. */
function pngSize(bytes: Buffer): { width: number; height: number } {
  expect(bytes.subarray(0, 8)).toEqual(
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  );
  expect(bytes.toString('ascii', 12, 16)).toBe('IHDR');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

describe('the icons', () => {
  it('are the files the targets name', () => {
    expect(config.win.icon).toBe('build/icon.ico');
    expect(config.mac.icon).toBe('build/icon.icns');
    expect(config.linux.icon).toBe('build/icon.png');
    for (const file of [config.win.icon, config.mac.icon, config.linux.icon]) {
      expect(existsSync(fromRoot(file)), file).toBe(true);
    }
  });

  it('icon.png is a square PNG of at least 512 px', () => {
    const { width, height } = pngSize(readFileSync(fromRoot('build/icon.png')));
    expect(width).toBe(height);
    expect(width).toBeGreaterThanOrEqual(512);
  });

  it('icon.ico holds 16 to 256 px images, each what its directory entry says', () => {
    const ico = readFileSync(fromRoot('build/icon.ico'));
    expect(ico.readUInt16LE(0)).toBe(0);
    expect(ico.readUInt16LE(2)).toBe(1); // an icon, not a cursor
    const count = ico.readUInt16LE(4);
    const sizes: number[] = [];
    for (let index = 0; index < count; index++) {
      const at = 6 + 16 * index;
      const size = ico.readUInt8(at) || 256;
      expect(ico.readUInt8(at + 1) || 256).toBe(size);
      const data = ico.subarray(
        ico.readUInt32LE(at + 12),
        ico.readUInt32LE(at + 12) + ico.readUInt32LE(at + 8),
      );
      expect(data.length).toBe(ico.readUInt32LE(at + 8));
      if (data[0] === 0x89) {
        expect(pngSize(data)).toEqual({ width: size, height: size });
      } else {
        // A BMP entry: BITMAPINFOHEADER, 32 bits a pixel, height doubled for the AND mask.
        expect(data.readUInt32LE(0)).toBe(40);
        expect([data.readInt32LE(4), data.readInt32LE(8), data.readUInt16LE(14)]).toEqual([
          size,
          size * 2,
          32,
        ]);
        expect(data.length).toBe(40 + size * size * 4 + Math.ceil(size / 32) * 4 * size);
      }
      sizes.push(size);
    }
    expect(sizes).toEqual(expect.arrayContaining([16, 24, 32, 48, 256]));
  });

  it('icon.icns holds PNGs from 16 to 1024 px, each of the size its type means', () => {
    const icns = readFileSync(fromRoot('build/icon.icns'));
    expect(icns.toString('ascii', 0, 4)).toBe('icns');
    expect(icns.readUInt32BE(4)).toBe(icns.length);
    const pixelsOf: Record<string, number> = {
      icp4: 16,
      icp5: 32,
      icp6: 64,
      ic07: 128,
      ic08: 256,
      ic09: 512,
      ic10: 1024,
      ic11: 32,
      ic12: 64,
      ic13: 256,
      ic14: 512,
    };
    const types: string[] = [];
    for (let at = 8; at < icns.length;) {
      const type = icns.toString('ascii', at, at + 4);
      const length = icns.readUInt32BE(at + 4);
      expect(length).toBeGreaterThan(8);
      const size = pixelsOf[type];
      expect(size, `unexpected icns type ${type}`).toBeDefined();
      expect(pngSize(icns.subarray(at + 8, at + length))).toEqual({ width: size, height: size });
      types.push(type);
      at += length;
    }
    expect(types).toEqual(expect.arrayContaining(['ic07', 'ic08', 'ic09', 'ic10', 'ic13', 'ic14']));
  });
});

// A stand-in Electron binary: some bytes, the fuse sentinel, wire version 1, nine fuses as a
// stock Electron ships them (RunAsNode on, cookie encryption off, NODE_OPTIONS on, ...), more bytes.
const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
const STOCK_WIRE = '101100011';
function fakeElectronBinary(): Buffer {
  return Buffer.concat([
    Buffer.alloc(4096, 0x41),
    Buffer.from(SENTINEL, 'ascii'),
    Buffer.from([1, STOCK_WIRE.length]),
    Buffer.from(STOCK_WIRE, 'ascii'),
    Buffer.alloc(4096, 0x42),
  ]);
}

/** The fuses the issue asks for, exactly. */
const EXPECTED_FUSES = {
  [FuseV1Options.RunAsNode]: false,
  [FuseV1Options.EnableCookieEncryption]: true,
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
  [FuseV1Options.EnableNodeCliInspectArguments]: false,
  [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
  [FuseV1Options.OnlyLoadAppFromAsar]: true,
  [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
};

describe('the afterPack hook', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'helpdesk-package-'));
    flipFuses.mockClear();
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const hookPath = () => resolve(ROOT, config.afterPack);
  const loadHook = async () => (await import(/* @vite-ignore */ hookPath())) as typeof FusesHook;
  const packager = {
    appInfo: { productFilename: 'Help Desk OTP' },
    executableName: 'helpdesk-otp',
  };

  it('is build/fuses.mjs', () => {
    expect(config.afterPack).toBe('./build/fuses.mjs');
    expect(existsSync(hookPath())).toBe(true);
  });

  it("flips exactly the app's fuses in the packaged Linux binary", async () => {
    const binary = join(dir, 'helpdesk-otp');
    await writeFile(binary, fakeElectronBinary());
    const { default: afterPack } = await loadHook();
    await afterPack({ appOutDir: dir, electronPlatformName: 'linux', packager });

    expect(flipFuses).toHaveBeenCalledExactlyOnceWith(binary, {
      version: FuseVersion.V1,
      resetAdHocDarwinSignature: false,
      ...EXPECTED_FUSES,
    });
    // The real @electron/fuses wrote the wire: the seven set, the other two left as shipped.
    const wire = await fuses.getCurrentFuseWire(binary);
    const state = (on: boolean) => (on ? FuseState.ENABLE : FuseState.DISABLE);
    for (const [fuse, on] of Object.entries(EXPECTED_FUSES)) {
      expect(wire[Number(fuse) as keyof typeof EXPECTED_FUSES], FuseV1Options[Number(fuse)]).toBe(
        state(on),
      );
    }
    expect(wire[FuseV1Options.LoadBrowserProcessSpecificV8Snapshot]).toBe(FuseState.DISABLE);
    expect(wire[FuseV1Options.WasmTrapHandlers]).toBe(FuseState.ENABLE);
  });

  it('finds the Windows executable by the product name', async () => {
    const binary = join(dir, 'Help Desk OTP.exe');
    await writeFile(binary, fakeElectronBinary());
    const { default: afterPack } = await loadHook();
    await afterPack({ appOutDir: dir, electronPlatformName: 'win32', packager });
    expect(flipFuses).toHaveBeenCalledExactlyOnceWith(binary, {
      version: FuseVersion.V1,
      resetAdHocDarwinSignature: false,
      ...EXPECTED_FUSES,
    });
    expect((await fuses.getCurrentFuseWire(binary))[FuseV1Options.RunAsNode]).toBe(
      FuseState.DISABLE,
    );
  });

  it('flips the macOS bundle and re-signs it ad hoc (codesign runs on a Mac only)', async () => {
    const bundle = join(dir, 'Help Desk OTP.app');
    const framework = join(
      bundle,
      'Contents/Frameworks/Electron Framework.framework/Electron Framework',
    );
    await mkdir(dirname(framework), { recursive: true });
    await writeFile(framework, fakeElectronBinary());
    flipFuses.mockResolvedValueOnce(1);
    const { default: afterPack } = await loadHook();
    await afterPack({ appOutDir: dir, electronPlatformName: 'darwin', packager });
    expect(flipFuses).toHaveBeenCalledExactlyOnceWith(bundle, {
      version: FuseVersion.V1,
      resetAdHocDarwinSignature: true,
      ...EXPECTED_FUSES,
    });
    expect(fuses.pathToFuseFile(bundle)).toBe(framework);
  });

  it('fails on a platform it does not know, and on a binary without fuses', async () => {
    const { default: afterPack } = await loadHook();
    await expect(
      afterPack({ appOutDir: dir, electronPlatformName: 'freebsd', packager }),
    ).rejects.toThrow('No fuses for the platform "freebsd"');
    await writeFile(join(dir, 'helpdesk-otp'), Buffer.alloc(1024));
    await expect(
      afterPack({ appOutDir: dir, electronPlatformName: 'linux', packager }),
    ).rejects.toThrow(/Could not find sentinel/);
    expect(await readFile(join(dir, 'helpdesk-otp'))).toEqual(Buffer.alloc(1024));
  });
});
