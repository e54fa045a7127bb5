// The compiled server as production runs it: `node out/server/index.js …`, node itself with no npm,
// tsx or shell in between, built by `npm run build:server` (part of `npm run build`) when missing.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { onTestFinished } from 'vitest';
import { ROOT } from './server-process';

/** The production entry point, relative to the checkout (the Dockerfile's and systemd's too). */
export const ENTRY = 'out/server/index.js';
/** What builds it: CI runs `npm run build`, which runs this. */
export const BUILD_SERVER_SCRIPT = 'build:server';

/** The newest modification time under a folder. */
function newest(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((latest, entry) => {
    const file = path.join(dir, entry.name);
    return Math.max(latest, entry.isDirectory() ? newest(file) : statSync(file).mtimeMs);
  }, 0);
}

/**
 * CI runs `npm run build` before the tests; a local run builds the server here when out/server is
 * missing or older than its source, so a test never runs yesterday's code.
 */
export function ensureServerBuilt(): void {
  const entry = path.join(ROOT, ENTRY);
  const sourceTime = Math.max(
    newest(path.join(ROOT, 'server')),
    statSync(path.join(ROOT, 'vite.server.config.ts')).mtimeMs,
  );
  if (existsSync(entry) && statSync(entry).mtimeMs >= sourceTime) return;
  const build = spawnSync('npm', ['run', BUILD_SERVER_SCRIPT], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (build.status !== 0)
    throw new Error(`npm run ${BUILD_SERVER_SCRIPT} failed:\n${build.stdout}\n${build.stderr}`);
}

export interface BuiltServer {
  child: ChildProcess;
  output: () => string;
  /** The base URL, once the server prints that it is ready. */
  ready: Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `node out/server/index.js …`; a server still running when the test ends is killed. */
export function startBuiltServer(
  args: readonly string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): BuiltServer {
  const child = spawn(process.execPath, [path.join(ROOT, ENTRY), ...args], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let output = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const ready = new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /health\s+(http:\/\/\S+)\/healthz/.exec(output);
      if (match?.[1]) resolve(match[1]);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then(({ code }) =>
      reject(new Error(`server exited (${code}) before ready:\n${output}`)),
    );
  });
  ready.catch(() => undefined);
  return { child, output: () => output, ready, exited };
}
