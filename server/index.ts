// Entry point: reads its config (flags, environment, --config file), opens the store (a data dir or
// PostgreSQL), listens, prints where it is, and shuts down cleanly on SIGTERM or SIGINT.
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { constants as osConstants } from 'node:os';
import path from 'node:path';
import type { Server as HttpServer } from 'node:http';
import { createApp } from './app';
import { startMetricsServer } from './metrics/metrics-endpoint';
import type { ServerConfig } from './config/server-config';
import { USAGE, parseServerConfig } from './config/server-config';
import type { RealmConfig } from './contract/realm-config';
import { HELP_DESK_IDS } from './contract/realm-config';
import { deskLabel } from './contract/desk-label';
import type { Logger } from './logger';
import { pinoLogger } from './logger';
import type { Credential } from './setup/first-run';
import { createFirstAdmin, seedDemo } from './setup/first-run';
import { StorageError, openEmbeddedStore } from './store/embedded/embedded-store';
import type { Store } from './store/repositories';

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

/** A config that cannot be used: every problem found, a line each. */
class ConfigRefusedError extends Error {
  constructor(problems: readonly string[]) {
    super(problems.join('\n'));
  }
}

/**
 * Secrets mounted as files (`SMTP_PASSWORD_FILE`, `LDAP_BIND_PASSWORD_FILE`) replace, at each
 * start, the ones admins set in the console; the log names the file, never the value.
 */
async function applySecretFiles(store: Store, config: ServerConfig, logger: Logger): Promise<void> {
  for (const secret of config.secrets) {
    const unchanged = store.keys.secret(secret.name) === secret.value;
    if (!unchanged) await store.keys.setSecret(secret.name, secret.value);
    logger.info(`${secret.name} ${unchanged ? 'unchanged' : 'set'} from ${secret.source}`);
  }
}

async function main(): Promise<void> {
  const parsed = parseServerConfig(process.argv.slice(2), process.env, (file) =>
    readFileSync(file, 'utf8'),
  );
  if (parsed.kind === 'help') {
    console.log(USAGE);
    return;
  }
  if (parsed.kind === 'errors') throw new ConfigRefusedError(parsed.errors);
  const { config } = parsed;
  const { port, host, dataDir, allowedOrigins, trustProxy, publicUrl, demo } = config;
  // With PostgreSQL the data dir is not used (the image always passes --data /data).
  const storeUrl = config.store;

  const logger = pinoLogger({ level: config.logLevel });
  if (config.configFile) logger.info(`config read from ${config.configFile}`);
  const store = storeUrl ? await openSharedStore(storeUrl) : await openEmbeddedStore(dataDir);
  const storeName = storeUrl
    ? `store: PostgreSQL ${maskedUrl(storeUrl)}`
    : `data: ${path.resolve(dataDir)}`;
  await applySecretFiles(store, config, logger);
  const app = createApp({
    store,
    version: readVersion(),
    logger,
    allowedOrigins,
    trustProxy,
    ...(publicUrl ? { publicUrl } : {}),
    ...(config.metrics.token ? { metricsToken: config.metrics.token } : {}),
  });

  const credentials: Credential[] = [];
  if (store.firstRun) {
    credentials.push(await createFirstAdmin(app.agents));
    if (demo)
      credentials.push(
        ...(await seedDemo({
          agents: app.agents,
          realm: app.realm,
          directory: app.embeddedDirectory,
        })),
      );
  } else if (demo) {
    logger.warn(
      `--demo only seeds a new ${storeUrl ? 'database' : 'data dir'}; this one already has a realm, so nothing was added.`,
    );
  }

  let metricsServer: HttpServer | undefined;
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      // An operator who asks twice wants out now; what was acknowledged is on disk already.
      logger.warn(`${signal} again: exiting without waiting for the shutdown to finish`);
      process.exit(128 + (osConstants.signals[signal] ?? 0));
    }
    stopping = true;
    logger.info(`${signal}: finishing writes and stopping`);
    metricsServer?.close();
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
  if (config.metrics.port !== undefined)
    metricsServer = await startMetricsServer(app.metrics, {
      host: config.metrics.host,
      port: config.metrics.port,
    });
  const address = app.httpServer.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const base = `http://${shownHost}:${address.port}`;
  printCredentials(credentials);
  if (store.firstRun && demo) printDesks(app.realm.config);
  if (store.firstRun && !demo) printNextSteps(base, storeUrl ? undefined : dataDir);
  console.log(`Help Desk OTP ${readVersion()} ready (${storeName})`);
  console.log(`  sign-in pages   ${base}/`);
  console.log(`  agent console   ${base}/agent`);
  if (metricsServer) {
    const at = metricsServer.address() as AddressInfo;
    const metricsHost = at.family === 'IPv6' ? `[${at.address}]` : at.address;
    console.log(`  metrics         http://${metricsHost}:${at.port}/metrics`);
  }
  console.log(`  health          ${base}/healthz`);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigRefusedError) {
    console.error(`${error.message}\n\n${USAGE}`);
  } else if (error instanceof StorageError || error instanceof StoreRefusedError) {
    console.error(error.message);
  } else {
    console.error(error);
  }
  process.exit(1);
});
