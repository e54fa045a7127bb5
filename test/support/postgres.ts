// A throwaway PostgreSQL cluster for tests: one cluster per test file, a fresh database per test.
//
// Usage (once per file):
//
//   let postgres: Postgres;
//   beforeAll(async () => { postgres = await startPostgres(); });
//   afterAll(() => postgres.dispose());
//   ...const url = await postgres.newDatabase(); await openPostgresStore(url);
//
// What it runs: Debian's PostgreSQL (package postgresql), from the newest versioned folder under
// `/usr/lib/postgresql/` (never PATH, which Debian does not fill). `initdb -A trust -U app` in a
// fresh temp dir, then `pg_ctl start` with the server listening on 127.0.0.1:PORT only (and its
// Unix socket in the temp dir, not /var/run). fsync stays on: tests measure durability.
//
// PostgreSQL refuses to run as root. As root, its binaries run through `runuser -u postgres --` in
// a temp dir owned by `postgres`; as any other user, directly.
//
// `stop()`/`start()` take the server down (`pg_ctl -m fast stop`) and bring it back on the same
// port and data (for outage tests); `dispose()` stops it for good and removes the temp dir. The
// server runs detached from the test process, so a watchdog (a shell polling the test process's
// pid) stops it in immediate mode and removes the temp dir if that process dies without disposing
// of it, however it dies (a worker killed by the runner, SIGKILL).
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './throwaway-tls';

export { freePort };

const run = promisify(execFile);

const POSTGRES_ROOT = '/usr/lib/postgresql';
const USER = 'app';

export interface Postgres {
  /** `postgres://app@127.0.0.1:PORT/postgres`: the cluster's default database. */
  url: string;
  port: number;
  /** The temp dir holding the data directory (`data/`), the log (`log`) and the Unix socket. */
  dir: string;
  /** Creates a database with a unique name and returns its URL (`postgres://app@127.0.0.1:PORT/NAME`). */
  newDatabase(): Promise<string>;
  /** `pg_ctl -m fast stop`: connections are cut and the port refuses new ones. */
  stop(): Promise<void>;
  /** Starts the server again on the same port and data. */
  start(): Promise<void>;
  /** Stops for good and removes the temp dir. */
  dispose(): Promise<void>;
}

/** `/usr/lib/postgresql/<newest version>/bin`. */
async function binDir(): Promise<string> {
  let versions: string[];
  try {
    versions = (await readdir(POSTGRES_ROOT)).filter((name) => /^\d+(\.\d+)?$/.test(name));
  } catch {
    versions = [];
  }
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (newest === undefined) {
    throw new Error(
      `No PostgreSQL found under ${POSTGRES_ROOT}: install the Debian package (apt-get install -y postgresql).`,
    );
  }
  return path.join(POSTGRES_ROOT, newest, 'bin');
}

const asRoot = () => process.getuid?.() === 0;

/** The command line for one of PostgreSQL's binaries, through runuser when we are root. */
function command(bin: string, program: string, args: string[]): [string, string[]] {
  const file = path.join(bin, program);
  return asRoot() ? ['runuser', ['-u', 'postgres', '--', file, ...args]] : [file, args];
}

async function pgRun(bin: string, program: string, args: string[]): Promise<string> {
  const [file, argv] = command(bin, program, args);
  try {
    const { stdout } = await run(file, argv);
    return stdout;
  } catch (error) {
    const { stderr, stdout } = error as { stderr?: string; stdout?: string };
    throw new Error(`${program} ${args.join(' ')} failed:\n${stderr ?? ''}${stdout ?? ''}`, {
      cause: error,
    });
  }
}

async function logTail(dir: string): Promise<string> {
  const log = await readFile(path.join(dir, 'log'), 'utf8').catch(() => '');
  return log.split('\n').slice(-30).join('\n');
}

/** Quoted for sh. */
function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/**
 * Starts a shell that waits for this process to end, then stops the cluster and removes its dir;
 * returns how to call it off (after a dispose).
 */
function watchdog(bin: string, data: string, dir: string): () => void {
  const [file, argv] = command(bin, 'pg_ctl', ['-D', data, '-m', 'immediate', 'stop']);
  const stopCluster = [file, ...argv].map(shellQuote).join(' ');
  const script =
    `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done; ` +
    `${stopCluster} >/dev/null 2>&1; rm -rf ${shellQuote(dir)}`;
  const child = spawn('sh', ['-c', script], { detached: true, stdio: 'ignore' });
  child.unref();
  return () => void child.kill();
}

/** Starts a fresh cluster in a temp dir. Call `dispose()` when done (afterAll). */
export async function startPostgres(): Promise<Postgres> {
  const bin = await binDir();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'helpdesk-postgres-'));
  const data = path.join(dir, 'data');
  try {
    if (asRoot()) await run('chown', ['-R', 'postgres:postgres', dir]);
    await pgRun(bin, 'initdb', ['-D', data, '-A', 'trust', '-U', USER, '--no-sync']);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const port = await freePort();
  const url = `postgres://${USER}@127.0.0.1:${port}/postgres`;
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=on`;
  let up = false;

  const start = async (): Promise<void> => {
    if (up) return;
    try {
      await pgRun(bin, 'pg_ctl', [
        '-D',
        data,
        '-o',
        options,
        '-l',
        path.join(dir, 'log'),
        '-w',
        'start',
      ]);
    } catch (error) {
      throw new Error(
        `PostgreSQL did not start on port ${port}: ${(error as Error).message}\nlog:\n${await logTail(dir)}`,
        { cause: error },
      );
    }
    up = true;
  };

  const stop = async (): Promise<void> => {
    if (!up) return;
    await pgRun(bin, 'pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
    up = false;
  };

  const callOff = watchdog(bin, data, dir);
  try {
    await start();
  } catch (error) {
    callOff();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }

  let databases = 0;
  const newDatabase = async (): Promise<string> => {
    const name = `test_${++databases}_${randomBytes(4).toString('hex')}`;
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(`CREATE DATABASE ${name}`);
    } finally {
      await client.end();
    }
    return `postgres://${USER}@127.0.0.1:${port}/${name}`;
  };

  return {
    url,
    port,
    dir,
    newDatabase,
    stop,
    start,
    dispose: async () => {
      // A cluster that would not stop is left to the watchdog, which stops it when this process ends.
      await stop();
      callOff();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
