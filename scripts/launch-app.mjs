// `npm run app`: launches the desktop app. Fetches Electron's binary once when it is missing and
// builds out/ when it is absent. With --optional (as `npm start` calls it), a binary that cannot be
// had is not a failure: the browser console at /agent serves instead.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findElectronBinary, missingBinaryOutcome, needsBuild } from './electron-binary.mjs';

const DOWNLOAD_TIMEOUT_MS = 60_000;
/** A download still running after this long is a real one: say so, as it can take a while. */
const DOWNLOAD_NOTICE_AFTER_MS = 2_000;

const rootDir = fileURLToPath(new URL('..', import.meta.url));
const optional = process.argv.slice(2).includes('--optional');
const serverUrl = (process.env.HELPDESK_SERVER_URL || 'http://127.0.0.1:3000').replace(/\/+$/, '');

function electronPackageDir() {
  try {
    return dirname(createRequire(join(rootDir, 'package.json')).resolve('electron/package.json'));
  } catch {
    return null;
  }
}

/** Runs a command to its end; resolves with its exit code (null when killed) and its output. */
function run(command, args, { timeoutMs, ...options } = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: rootDir, ...options });
    let output = '';
    child.stdout?.on('data', (chunk) => (output += chunk));
    child.stderr?.on('data', (chunk) => (output += chunk));
    const timer = timeoutMs ? setTimeout(() => child.kill(), timeoutMs) : null;
    const settle = (result) => {
      if (timer) clearTimeout(timer);
      resolve(result);
    };
    child.on('error', (error) => settle({ code: 1, output: `${error.message}\n${output}` }));
    child.on('close', (code) => settle({ code, output }));
  });
}

/** Electron's own install.js, once. Resolves with null on success, else a one-line reason. */
async function downloadElectron(electronDir) {
  if (!electronDir) return 'the electron package is not installed';
  const notice = setTimeout(
    () => console.log("Downloading Electron's binary (first launch only)…"),
    DOWNLOAD_NOTICE_AFTER_MS,
  );
  const { code, output } = await run(process.execPath, [join(electronDir, 'install.js')], {
    cwd: electronDir,
    stdio: ['ignore', 'pipe', 'pipe'],
    timeoutMs: DOWNLOAD_TIMEOUT_MS,
  });
  clearTimeout(notice);
  if (code === 0) return null;
  if (code === null) return `no answer within ${DOWNLOAD_TIMEOUT_MS / 1000} s`;
  return (
    output
      .split('\n')
      .find((line) => line.trim() !== '')
      ?.trim() ?? `exit code ${code}`
  );
}

async function main() {
  const electronDir = electronPackageDir();
  let binary = findElectronBinary(electronDir);
  if (!binary.found) {
    const reason = await downloadElectron(electronDir);
    binary = findElectronBinary(electronDir);
    if (!binary.found) {
      const outcome = missingBinaryOutcome({ optional, serverUrl, reason: reason ?? undefined });
      console.log(outcome.message);
      return outcome.exitCode;
    }
  }

  if (needsBuild(rootDir)) {
    const electronVite = join(rootDir, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js');
    const build = await run(process.execPath, [electronVite, 'build'], { stdio: 'inherit' });
    if (build.code !== 0) {
      console.error('Building the desktop app failed; see the output above.');
      return 1;
    }
  }

  // HELPDESK_SERVER_URL passes through (it overrides the app's saved setting only when set).
  // ELECTRON_RUN_AS_NODE would start a plain Node instead of the app.
  const env = { ...process.env };
  delete env.ELECTRON_RUN_AS_NODE;
  const app = spawn(binary.path, ['.'], { cwd: rootDir, stdio: 'inherit', env });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      if (app.exitCode === null && app.signalCode === null) app.kill(signal);
    });
  }
  return new Promise((resolve) => {
    app.on('error', (error) => {
      console.error(`Electron could not start: ${error.message}`);
      resolve(optional ? 0 : 1);
    });
    app.on('close', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

process.exitCode = await main();
