// Where Electron's executable is, and what launching the app needs when it is not there: the
// decisions of launch-app.mjs, kept free of side effects so they can be tested.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** What the app needs in out/ to run; a missing one means `electron-vite build` first. */
export const BUILD_OUTPUTS = [
  'out/main/index.js',
  'out/preload/index.cjs',
  'out/renderer/index.html',
];

const defaultIo = {
  exists: existsSync,
  readText: (file) => readFileSync(file, 'utf8'),
  env: process.env,
};

/**
 * Finds the executable the way the `electron` package's own index.js does: `path.txt` names it
 * inside `dist/` (or `ELECTRON_OVERRIDE_DIST_PATH`); both exist only once the binary is installed.
 */
export function findElectronBinary(electronDir, io = defaultIo) {
  const { exists, readText, env } = { ...defaultIo, ...io };
  if (!electronDir) return { found: false };
  const pathFile = join(electronDir, 'path.txt');
  if (!exists(pathFile)) return { found: false };
  const distDir = env.ELECTRON_OVERRIDE_DIST_PATH || join(electronDir, 'dist');
  const path = join(distDir, readText(pathFile).trim());
  return exists(path) ? { found: true, path } : { found: false };
}

/** True when out/ lacks a file the app needs. */
export function needsBuild(rootDir, exists = existsSync) {
  return BUILD_OUTPUTS.some((output) => !exists(join(rootDir, output)));
}

/**
 * The binary is still missing after one download attempt: one line that says so and points at
 * the browser console, and an exit code that fails only when the app was asked for explicitly.
 */
export function missingBinaryOutcome({ optional, serverUrl, reason }) {
  const why = reason ? ` (${reason})` : '';
  return {
    exitCode: optional ? 0 : 1,
    message:
      `Electron's binary is not installed and could not be downloaded here${why}; ` +
      `use the browser console at ${serverUrl}/agent instead.`,
  };
}
