// Starts the product's server and the bare baseline as child processes and reads their state.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface Running {
  url: string;
  child: ChildProcess;
  /** Milliseconds from spawn to the first healthy answer. */
  startupMs: number;
  stop(): Promise<void>;
  rssMb(): Promise<number>;
  /** CPU time the process has used so far (user + system), in milliseconds. */
  cpuMs(): Promise<number>;
}

async function waitHealthy(
  url: string,
  child: ChildProcess,
  path_: string,
  output: () => string,
): Promise<void> {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`process exited early:\n${output()}`);
    try {
      const res = await fetch(`${url}${path_}`);
      if (res.ok || res.status === 404) return;
    } catch {
      // not yet listening
    }
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function start(
  args: string[],
  readyPattern: RegExp,
  healthPath: string,
  fixedPort: number,
): Promise<Running> {
  const started = performance.now();
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const url = `http://127.0.0.1:${fixedPort}`;
  await waitHealthy(url, child, healthPath, () => output);
  const startupMs = performance.now() - started;
  if (!readyPattern.test(output)) await new Promise((r) => setTimeout(r, 50));
  return {
    url,
    child,
    startupMs,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
    async rssMb() {
      const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
      const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
      return kb / 1024;
    },
    async cpuMs() {
      // Fields 14 and 15 of /proc/PID/stat, after the parenthesised command name: utime, stime in ticks.
      const stat = await readFile(`/proc/${child.pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
    },
  };
}

/** USER_HZ: the unit of /proc's CPU times (100 on Linux everywhere Node runs). */
const CLOCK_TICKS = 100;

/**
 * Starts a server on a free port: the machine is shared, so a port taken between our check and
 * the server's listen is tried again with another.
 */
async function startOnFreePort(
  argsFor: (port: number) => string[],
  readyPattern: RegExp,
  healthPath: string,
): Promise<Running> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      return await start(argsFor(port), readyPattern, healthPath, port);
    } catch (error) {
      if (attempt >= 5 || !String(error).includes('EADDRINUSE')) throw error;
    }
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** The product's server, started as `npm run server` starts it, on a data dir or a `postgres://` store. */
export function startServer(store: string): Promise<Running> {
  // BENCH_CPU_PROF=DIR writes a V8 CPU profile of each server run, to see what bounds a figure.
  const profile = process.env.BENCH_CPU_PROF
    ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF]
    : [];
  return startOnFreePort(
    (port) => [
      ...profile,
      '--import',
      'tsx',
      'server/index.ts',
      '--port',
      String(port),
      ...(/^postgres(ql)?:\/\//.test(store) ? ['--store', store] : ['--data', store]),
      '--trust-proxy',
      '1',
    ],
    /ready/,
    '/healthz',
  );
}

export function startBaseline(): Promise<Running> {
  return startOnFreePort(
    (port) => ['--import', 'tsx', 'bench/baseline-server.ts', String(port)],
    /baseline ready/,
    '/',
  );
}
