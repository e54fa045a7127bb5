// Entry point: reads flags, opens the store (a data dir or PostgreSQL), listens, prints where it is,
// and shuts down cleanly.
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createApp } from './app';
import type { RealmConfig } from './contract/realm-config';
import { HELP_DESK_IDS } from './contract/realm-config';
import { deskLabel } from './contract/desk-label';
import { consoleLogger } from './logger';
import type { Credential } from './setup/first-run';
import { createFirstAdmin, seedDemo } from './setup/first-run';
import { StorageError, openEmbeddedStore } from './store/embedded/embedded-store';
import type { Store } from './store/repositories';

const USAGE = `Usage: npm run server -- [--port N] [--host H] [--data DIR | --store URL] [--demo] [--allowed-origin URL]... [--public-url URL]
  --port            port to listen on (env PORT, default 3000; 0 picks a free one)
  --host            address to bind (env HOST, default 127.0.0.1)
  --data            data directory of the embedded store (env DATA_DIR, default ./data); one
                    server process owns it
  --store           a PostgreSQL database, postgres://user:password@host:port/database (env
                    DATABASE_URL): several server processes may share it; without it, --data
  --demo            on a new realm only: enable both desks, add two agents and sample users
                    (an existing realm is used as it is)
  --allowed-origin  extra browser origin allowed to open agent sockets (env ALLOWED_ORIGINS, comma-separated)
  --trust-proxy     number of reverse proxies in front (env TRUST_PROXY, default 0)
  --public-url      the address users reach the server at, for links in mails, e.g. https://signin.example.com
                    (env PUBLIC_URL, default http://<host>:<port> where it listens)`;

function readVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

function printCredentials(credentials: Credential[]): void {
  if (credentials.length === 0) return;
  console.log(
    '\nFirst run: these passwords are shown once and not stored in clear anywhere. Save them now.',
  );
  for (const c of credentials)
    console.log(`  ${c.kind.padEnd(15)} ${c.username.padEnd(10)} ${c.password}   (${c.note})`);
  console.log('');
}

/** The demo's desks as the method page names them, so the README's "choose Help Desk 2" finds one. */
function printDesks(config: RealmConfig): void {
  console.log('Desks (as the method page shows them):');
  for (const id of HELP_DESK_IDS) {
    const desk = config.helpDesks[id];
    if (!desk.enabled) continue;
    console.log(`  ${deskLabel(id, desk).padEnd(34)} ${desk.phone.padEnd(14)} ${desk.email}`);
  }
  console.log('');
}

/** The URL as it may be printed: its password masked. */
export function maskedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres://…';
  }
}

/** A store that could not be opened: said in one clear line, and the server does not start. */
class StoreRefusedError extends Error {}

/** The PostgreSQL store at `url`, or a refusal that says why without the URL's password. */
async function openSharedStore(url: string): Promise<Store> {
  try {
    // Loaded only when asked for: the embedded store's start does not load the PostgreSQL driver.
    const { openPostgresStore } = await import('./store/postgres/postgres-store');
    return await openPostgresStore(url);
  } catch (error) {
    const why = (error instanceof Error ? error.message : String(error)).replaceAll(
      url,
      maskedUrl(url),
    );
    const code = (error as { code?: unknown } | undefined)?.code;
    const hint =
      typeof code === 'string' && /^(ECONNREFUSED|ENOTFOUND|ETIMEDOUT|EHOSTUNREACH)$/.test(code)
        ? ' Is PostgreSQL running at that address, and reachable from here?'
        : code === '28P01' || code === '28000'
          ? ' Check the user and password in the URL.'
          : code === '3D000'
            ? ' Create the database first (createdb), or name one that exists.'
            : '';
    throw new StoreRefusedError(
      `Cannot open the PostgreSQL store at ${maskedUrl(url)}: ${why}.${hint}`,
      { cause: error },
    );
  }
}

/** A new realm without --demo has no users and no enabled desk: say what to do next. */
function printNextSteps(base: string, dataDir: string | undefined): void {
  const cli = dataDir
    ? `\n     - with the server stopped: npm run directory -- import users.csv --data ${dataDir}`
    : '';
  console.log(`Next steps (sign in to ${base}/agent as admin):
  1. Settings → Desks: enable Help Desk 1 or 2 with its phone and email.
  2. Users, one of:
     - Settings → Directory → Users: add users, or import a CSV (username,displayName,email,phone,…);
     - Settings → Directory → Source: connect LDAP or Active Directory, then Test connection;${cli}
  3. Settings → Agents: add the agents who staff each desk.
`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      data: { type: 'string' },
      store: { type: 'string' },
      demo: { type: 'boolean', default: false },
      'allowed-origin': { type: 'string', multiple: true },
      'trust-proxy': { type: 'string' },
      'public-url': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const port = Number(values.port ?? process.env.PORT ?? 3000);
  const host = values.host ?? process.env.HOST ?? '127.0.0.1';
  const dataDir = values.data ?? process.env.DATA_DIR ?? './data';
  const storeUrl = values.store ?? (process.env.DATABASE_URL || undefined);
  if (storeUrl !== undefined && !/^postgres(ql)?:\/\//i.test(storeUrl))
    throw new Error(
      `--store must be a postgres:// or postgresql:// URL, got ${maskedUrl(storeUrl)}`,
    );
  if (storeUrl !== undefined && values.data !== undefined)
    throw new Error('--data and --store must not be given together: one store, one place');
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port must be 0–65535, got ${values.port}`);
  const allowedOrigins = [
    ...(values['allowed-origin'] ?? []),
    ...(process.env.ALLOWED_ORIGINS ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  ];
  const trustProxy = Number(values['trust-proxy'] ?? process.env.TRUST_PROXY ?? 0);
  const publicUrl = values['public-url'] ?? process.env.PUBLIC_URL;
  if (publicUrl !== undefined && !(/^https?:\/\//i.test(publicUrl) && URL.canParse(publicUrl)))
    throw new Error(`--public-url must be an http(s) URL, got ${publicUrl}`);

  const logger = consoleLogger();
  const store = storeUrl ? await openSharedStore(storeUrl) : await openEmbeddedStore(dataDir);
  const storeName = storeUrl
    ? `store: PostgreSQL ${maskedUrl(storeUrl)}`
    : `data: ${path.resolve(dataDir)}`;
  const app = createApp({
    store,
    version: readVersion(),
    logger,
    allowedOrigins,
    trustProxy,
    ...(publicUrl ? { publicUrl } : {}),
  });

  const credentials: Credential[] = [];
  if (store.firstRun) {
    credentials.push(await createFirstAdmin(app.agents));
    if (values.demo)
      credentials.push(
        ...(await seedDemo({
          agents: app.agents,
          realm: app.realm,
          directory: app.embeddedDirectory,
        })),
      );
  } else if (values.demo) {
    logger.warn(
      `--demo only seeds a new ${storeUrl ? 'database' : 'data dir'}; this one already has a realm, so nothing was added.`,
    );
  }

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal}: finishing writes and stopping`);
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error('shutdown failed', error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));

  await new Promise<void>((resolve, reject) => {
    app.httpServer.once('error', reject);
    app.httpServer.listen(port, host, () => resolve());
  });
  app.startTimers();
  const address = app.httpServer.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const base = `http://${shownHost}:${address.port}`;
  printCredentials(credentials);
  if (store.firstRun && values.demo) printDesks(app.realm.config);
  if (store.firstRun && !values.demo) printNextSteps(base, storeUrl ? undefined : dataDir);
  console.log(`Help Desk OTP ${readVersion()} ready (${storeName})`);
  console.log(`  sign-in pages   ${base}/`);
  console.log(`  agent console   ${base}/agent`);
  console.log(`  health          ${base}/healthz`);
}

main().catch((error: unknown) => {
  if (error instanceof StorageError || error instanceof StoreRefusedError) {
    console.error(error.message);
  } else if (
    error instanceof Error &&
    /must be|Unknown option|unexpected argument/i.test(error.message)
  ) {
    console.error(`${error.message}\n\n${USAGE}`);
  } else {
    console.error(error);
  }
  process.exit(1);
});
