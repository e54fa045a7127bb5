// The production start: the compiled server run as `node out/server/index.js`, with nothing between
// it and the signals a process manager sends. SIGTERM and SIGINT stop it cleanly and keep every
// write it acknowledged; a start it refuses says why and exits non-zero.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DIRECTORY_CSV_COLUMNS } from '../../server/contract/directory';
import type { BuiltServer } from '../support/built-server';
import { ENTRY, ensureServerBuilt, startBuiltServer as startBuilt } from '../support/built-server';
import { healthcheckCommand, repoDockerfile } from '../support/dockerfile';
import type { Postgres } from '../support/postgres';
import { startPostgres } from '../support/postgres';
import { ROOT } from '../support/server-process';

const OUT_DIR = path.join(ROOT, path.dirname(ENTRY));

async function login(url: string, username: string, password: string): Promise<string> {
  const res = await fetch(`${url}/api/agent/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  const body = (await res.json()) as { data?: { token: string } };
  if (!body.data) throw new Error(`login failed: ${res.status}`);
  return body.data.token;
}

const csvOf = (username: string) =>
  `${DIRECTORY_CSV_COLUMNS.join(',')}\n${username},User ${username},,,,,,,,`;

/** Imports one directory user; resolves with the username once the server acknowledged it. */
async function importUser(url: string, token: string, username: string): Promise<string> {
  const res = await fetch(`${url}/api/directory/import?commit=true`, {
    method: 'POST',
    headers: { 'content-type': 'text/csv', authorization: `Bearer ${token}` },
    body: csvOf(username),
  });
  if (res.status !== 200) throw new Error(`import of ${username}: ${res.status}`);
  return username;
}

async function exportedUsers(url: string, token: string): Promise<string> {
  const res = await fetch(`${url}/api/directory/export`, {
    headers: { authorization: `Bearer ${token}` },
  });
  expect(res.status).toBe(200);
  return res.text();
}

/** What the bundler emits: `import … from "x"`, `import "x"` and `import("x")`. */
const IMPORT_PATTERN =
  /^\s*(?:import|export)\b[^;]*?\bfrom\s*["']([^"'\s]+)["']|^\s*import\s*["']([^"'\s]+)["']|\bimport\(\s*["']([^"'\s]+)["']\s*\)/gm;

let dataDir: string;
beforeAll(ensureServerBuilt, 180_000);
beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'hdotp-prod-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

/** Stops the server with `signal` and checks it exits 0, having said why, and frees its port. */
async function stopWith(server: BuiltServer, url: string, signal: NodeJS.Signals): Promise<void> {
  server.child.kill(signal);
  expect(await server.exited).toEqual({ code: 0, signal: null });
  expect(server.output()).toContain(signal);
  await expect(fetch(`${url}/healthz`)).rejects.toThrow();
}

/** Starts the server again on the same data dir (its lock must be free) and lists the users it has. */
async function usersAfterRestart(password: string): Promise<string> {
  const next = startBuilt(['--port', '0', '--data', dataDir]);
  const url = await next.ready;
  const csv = await exportedUsers(url, await login(url, 'admin', password));
  next.child.kill('SIGTERM');
  expect((await next.exited).code).toBe(0);
  return csv;
}

async function startFresh(): Promise<{
  server: BuiltServer;
  url: string;
  password: string;
  token: string;
}> {
  const server = startBuilt(['--port', '0', '--data', dataDir]);
  const url = await server.ready;
  const password = /admin\s+admin\s+(\S+)/.exec(server.output())?.[1] ?? '';
  const token = await login(url, 'admin', password);
  expect((await fetch(`${url}/healthz`)).status).toBe(200);
  return { server, url, password, token };
}

describe('node out/server/index.js', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    'stops cleanly on %s, keeping what it acknowledged, and frees the data dir',
    async (signal) => {
      const { server, url, password, token } = await startFresh();
      for (const username of ['ann', 'ben', 'cat']) await importUser(url, token, username);

      await stopWith(server, url, signal);

      // The audit chain it left checks out, by the operator's tool as compiled beside the server.
      const verify = spawnSync(
        process.execPath,
        [path.join(OUT_DIR, 'audit/verify-cli.js'), '--data', dataDir],
        { encoding: 'utf8', timeout: 30_000 },
      );
      expect(verify.status, verify.stdout + verify.stderr).toBe(0);

      const csv = await usersAfterRestart(password);
      for (const username of ['ann', 'ben', 'cat']) expect(csv).toContain(`\n${username},`);
    },
    60_000,
  );

  it.each(['SIGTERM', 'SIGINT'] as const)(
    'on %s with writes in flight, keeps every one it acknowledged and opens again',
    async (signal) => {
      const { server, url, password, token } = await startFresh();
      const usernames = Array.from({ length: 8 }, (_, i) => `user${i}`);
      const imports = usernames.map((username) => importUser(url, token, username));
      await Promise.any(imports);

      await stopWith(server, url, signal);
      const acknowledged = (await Promise.allSettled(imports)).flatMap((result) =>
        result.status === 'fulfilled' ? [result.value] : [],
      );
      expect(acknowledged.length).toBeGreaterThan(0);

      const csv = await usersAfterRestart(password);
      for (const username of acknowledged) expect(csv).toContain(`\n${username},`);
    },
    60_000,
  );

  it('exits at once on a second signal during shutdown, leaving a data dir that opens again', async () => {
    const { server, url, password, token } = await startFresh();
    await importUser(url, token, 'dee');
    // Both reach the process before its first shutdown step can finish (a store flush alone
    // waits for the disk), so whichever it handles second arrives during the shutdown (the
    // kernel hands pending signals over by number: SIGINT first).
    process.kill(server.child.pid!, 'SIGTERM');
    process.kill(server.child.pid!, 'SIGINT');
    const { code } = await server.exited;
    const second = /(SIGINT|SIGTERM) again: exiting/.exec(server.output())?.[1];
    expect(second).toBeDefined();
    expect(code).toBe(second === 'SIGINT' ? 130 : 143);

    expect(await usersAfterRestart(password)).toContain('\ndee,');
  }, 60_000);

  it('serves the built agent console and the sign-in pages’ assets from out/', async () => {
    const server = startBuilt(['--port', '0', '--data', dataDir]);
    const url = await server.ready;
    const health = (await (await fetch(`${url}/healthz`)).json()) as { version: string };
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      version: string;
    };
    expect(health.version).toBe(pkg.version);
    for (const asset of ['/assets/enduser.css', '/assets/favicon.svg', '/assets/socket.io.min.js'])
      expect((await fetch(`${url}${asset}`)).status, asset).toBe(200);
    if (existsSync(path.join(ROOT, 'out/renderer/index.html')))
      expect((await fetch(`${url}/agent/`)).status).toBe(200);
    server.child.kill('SIGTERM');
    expect((await server.exited).code).toBe(0);
  });

  it('passes the image’s HEALTHCHECK while it runs, and fails it once stopped', async () => {
    const runtime = repoDockerfile().at(-1)!;
    const [command = '', ...args] = healthcheckCommand(runtime) ?? [];
    expect(command).toBe('node');
    const server = startBuilt(['--port', '0', '--data', dataDir]);
    const url = await server.ready;
    const probe = () =>
      spawnSync(process.execPath, args, {
        env: { ...process.env, PORT: new URL(url).port },
        timeout: 10_000,
      }).status;
    expect(probe()).toBe(0);
    server.child.kill('SIGTERM');
    expect((await server.exited).code).toBe(0);
    expect(probe()).toBe(1);
  });

  it('refuses to start on a bad flag, saying which, and exits non-zero', async () => {
    const server = startBuilt(['--port', 'seventy', '--data', dataDir]);
    const { code } = await server.exited;
    expect(code).not.toBe(0);
    expect(server.output()).toMatch(/--port/);
    expect(server.output()).toMatch(/Usage/);
  });

  it('imports at run time only packages that npm ci --omit=dev installs', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      optionalDependencies?: Record<string, string>;
    };
    const production = new Set([
      ...Object.keys(pkg.dependencies),
      ...Object.keys(pkg.optionalDependencies ?? {}),
    ]);
    const builtins = new Set(builtinModules);
    const imported = new Set<string>();
    const scan = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const file = path.join(dir, entry.name);
        if (entry.isDirectory()) scan(file);
        else if (entry.name.endsWith('.js'))
          for (const match of readFileSync(file, 'utf8').matchAll(IMPORT_PATTERN)) {
            const specifier = match[1] ?? match[2] ?? match[3] ?? '.';
            if (!specifier.startsWith('.')) imported.add(specifier);
          }
      }
    };
    scan(OUT_DIR);
    expect(imported.size).toBeGreaterThan(5);
    for (const specifier of imported) {
      if (specifier.startsWith('node:') || builtins.has(specifier)) continue;
      const name = specifier.startsWith('@')
        ? specifier.split('/').slice(0, 2).join('/')
        : (specifier.split('/')[0] ?? specifier);
      expect(production.has(name), `${specifier} is not a production dependency`).toBe(true);
    }
  });
});

describe('node out/server/index.js --config FILE', () => {
  it('takes its settings from the file, flags first, and a secret from a *_FILE without printing it', async () => {
    const secret = 'smtp-Secret-from-a-file-31337';
    await writeFile(path.join(dataDir, 'smtp-password'), `${secret}\n`);
    const configFile = path.join(dataDir, 'server.env');
    await writeFile(
      configFile,
      [
        '# as an operator writes it',
        'PORT=1', // overridden by --port below
        'DATA_DIR=state', // relative to this file
        'SMTP_PASSWORD_FILE=smtp-password',
        '',
      ].join('\n'),
    );
    const first = startBuilt(['--config', configFile, '--port', '0']);
    await first.ready;
    expect(first.output()).toContain(`data: ${path.join(dataDir, 'state')}`);
    expect(first.output()).toMatch(/smtp-password set from SMTP_PASSWORD_FILE/);
    first.child.kill('SIGTERM');
    expect((await first.exited).code).toBe(0);

    // Kept in the store: the next start finds it there already.
    const second = startBuilt(['--config', configFile, '--port', '0']);
    await second.ready;
    expect(second.output()).toMatch(/smtp-password unchanged from SMTP_PASSWORD_FILE/);
    second.child.kill('SIGINT');
    expect((await second.exited).code).toBe(0);
    expect(first.output() + second.output()).not.toContain(secret);
  }, 60_000);

  it('refuses a bad config file, naming the file, the line and the key', async () => {
    const configFile = path.join(dataDir, 'server.env');
    await writeFile(configFile, 'PORT=0\nPUBLIC_URL=signin.example.com\n');
    const server = startBuilt(['--config', configFile]);
    expect((await server.exited).code).toBe(1);
    expect(server.output()).toContain(`PUBLIC_URL (${configFile} line 2): must be an http(s) URL`);
    expect(server.output()).toMatch(/Usage/);
  });
});

describe('node out/server/index.js on PostgreSQL', () => {
  let postgres: Postgres;
  beforeAll(async () => {
    postgres = await startPostgres();
  }, 60_000);
  afterAll(async () => {
    await postgres?.dispose();
  });

  it('migrates from out/server, takes DATABASE_URL_FILE, stops cleanly on SIGTERM and keeps what it acknowledged', async () => {
    const urlFile = path.join(dataDir, 'database-url');
    await writeFile(urlFile, `${await postgres.newDatabase()}\n`);
    const env = { DATABASE_URL_FILE: urlFile };

    const server = startBuilt(['--port', '0'], { env });
    const url = await server.ready;
    expect(server.output()).toMatch(/ready \(store: PostgreSQL/);
    const password = /admin\s+admin\s+(\S+)/.exec(server.output())?.[1] ?? '';
    await importUser(url, await login(url, 'admin', password), 'pgann');
    await stopWith(server, url, 'SIGTERM');

    const next = startBuilt(['--port', '0'], { env });
    const nextUrl = await next.ready;
    expect(await exportedUsers(nextUrl, await login(nextUrl, 'admin', password))).toContain(
      '\npgann,',
    );
    await stopWith(next, nextUrl, 'SIGINT');
  }, 90_000);
});
