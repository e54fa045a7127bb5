// The server's configuration: flags over the environment over a config file (--config FILE) over
// the defaults, every value parsed with zod and every error naming the flag, variable or file line
// it came from. Pure: argv, the environment and a file reader come in, a typed config or errors out.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import type { LogLevel } from '../logger';
import { LOG_LEVELS } from '../logger';
import type { SecretName } from '../store/repositories';

export const USAGE = `Usage: node out/server/index.js [options]     (from a checkout: npm run server -- [options])
  --config FILE     read settings from FILE: KEY=value lines (# comments) or a JSON object, with the
                    environment variables' names below; paths in it are relative to its folder
  --port N          port to listen on (PORT, default 3000; 0 picks a free one)
  --host H          address to bind (HOST, default 127.0.0.1)
  --data DIR        the embedded store's data directory, which one server process owns
                    (DATA_DIR, default ./data; not used with --store)
  --store URL       keep the data in PostgreSQL instead, which several server processes may share:
                    postgres://user:password@host:5432/database (DATABASE_URL, or DATABASE_URL_FILE
                    naming a file that holds it)
  --demo            on a new realm only: enable both desks, add two agents and sample users
                    (DEMO=true; an existing realm is used as it is)
  --allowed-origin  extra browser origin allowed to open agent sockets; repeat for more
                    (ALLOWED_ORIGINS, comma-separated)
  --trust-proxy N   number of reverse proxies in front (TRUST_PROXY, default 0)
  --public-url URL  the address users reach the server at, for links in mails, e.g.
                    https://signin.example.com (PUBLIC_URL, default http://<host>:<port>)
  --log-level L     ${LOG_LEVELS.join(', ')} (LOG_LEVEL, default info)
  --metrics-port N  serve Prometheus metrics at /metrics on this port of their own (METRICS_PORT;
                    0 picks a free one; default: no metrics port)
  --metrics-host H  the address that port binds (METRICS_HOST, default 127.0.0.1)
  -h, --help        show this help
Secrets from files, as container platforms mount them (environment or config file only):
  SMTP_PASSWORD_FILE        the SMTP password, saved over the one set in the console at start
  LDAP_BIND_PASSWORD_FILE   the LDAP bind password, likewise
  AUDIT_WEBHOOK_SECRET_FILE the audit export webhook's signing key, likewise
  METRICS_TOKEN(_FILE)      serve /metrics on the main port too, to Authorization: Bearer <token>
Precedence: flags, then the environment, then the config file, then the defaults.`;

/** Reads a whole text file, throwing as `fs.readFileSync` does (ENOENT, EACCES…). */
export type ReadTextFile = (file: string) => string;

/** A secret read from a file at start; `source` names the variable and the file, never the value. */
export interface SecretFromFile {
  name: SecretName;
  value: string;
  source: string;
}

export interface ServerConfig {
  port: number;
  host: string;
  dataDir: string;
  /** The PostgreSQL URL (--store, DATABASE_URL or DATABASE_URL_FILE); absent: the embedded store. */
  store: string | undefined;
  allowedOrigins: string[];
  trustProxy: number;
  publicUrl: string | undefined;
  demo: boolean;
  logLevel: LogLevel;
  /** Prometheus metrics: a port of their own, and/or the main port behind a bearer token. */
  metrics: { port: number | undefined; host: string; token: string | undefined };
  /** Secrets to save in the store's keys before the app starts. */
  secrets: SecretFromFile[];
  /** The --config file, resolved, when there was one. */
  configFile: string | undefined;
}

export type ServerConfigResult =
  | { kind: 'config'; config: ServerConfig }
  | { kind: 'help' }
  | { kind: 'errors'; errors: string[] };

export const DEFAULTS = {
  port: 3000,
  host: '127.0.0.1',
  dataDir: './data',
  trustProxy: 0,
  demo: false,
  logLevel: 'info',
  metricsHost: '127.0.0.1',
} as const;

// ── Values: each schema takes the text of a flag or variable, or a JSON file's value ──────────

const wholeNumber = (min: number, max: number) => {
  const error = `must be a whole number from ${min} to ${max}`;
  return z.preprocess(
    (value) => (typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value),
    z.number({ error }).int({ error }).min(min, { error }).max(max, { error }),
  );
};

const TRUE_WORDS = ['true', '1', 'yes', 'on'];
const FALSE_WORDS = ['false', '0', 'no', 'off'];
const BooleanSchema = z.preprocess(
  (value) => {
    if (typeof value !== 'string') return value;
    const word = value.trim().toLowerCase();
    if (TRUE_WORDS.includes(word)) return true;
    if (FALSE_WORDS.includes(word)) return false;
    return value;
  },
  z.boolean({ error: 'must be true or false' }),
);

const LogLevelSchema = z.preprocess(
  (value) => (typeof value === 'string' ? value.trim().toLowerCase() : value),
  z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }),
);

const TextSchema = z
  .string({ error: 'must be text' })
  .trim()
  .min(1, { error: 'must not be empty' });

const isHttpUrl = (text: string) => /^https?:\/\//i.test(text) && URL.canParse(text);

const HttpUrlSchema = TextSchema.refine(isHttpUrl, {
  error: 'must be an http(s) URL, e.g. https://signin.example.com',
});

/** The URL holds a password: no message repeats it. */
const PostgresUrlSchema = z
  .string({ error: 'must be text' })
  .trim()
  .refine((text) => /^postgres(ql)?:\/\//i.test(text) && URL.canParse(text), {
    error: 'must be a postgres:// URL, e.g. postgres://user:password@db:5432/helpdesk',
  });

/** A bearer token Prometheus sends: long enough not to be guessed. */
const MetricsTokenSchema = z
  .string({ error: 'must be text' })
  .trim()
  .min(16, { error: 'must be at least 16 characters' });

/** A browser origin: scheme, host and port, as browsers send it in the Origin header. */
const OriginSchema = TextSchema.superRefine((text, ctx) => {
  if (!isHttpUrl(text))
    ctx.addIssue({ code: 'custom', message: `"${text}" is not an http(s) origin` });
  else if (!['', '/'].includes(new URL(text).pathname + new URL(text).search))
    ctx.addIssue({
      code: 'custom',
      message: `"${text}" has a path: an origin is scheme, host and port only`,
    });
}).transform((text) => new URL(text).origin);

const OriginsSchema = z.preprocess(
  (value) =>
    typeof value === 'string'
      ? value
          .split(',')
          .map((item) => item.trim())
          .filter(Boolean)
      : value,
  z.array(OriginSchema, { error: 'must be a list of origins (comma-separated in text)' }),
);

// ── The options, by the name they have in the environment and in a config file ─────────────────

/** A path read from a config file is relative to the file's folder; elsewhere to the working dir. */
type Kind = 'value' | 'path';

const OPTIONS = {
  PORT: { flag: 'port', schema: wholeNumber(0, 65535), kind: 'value' },
  HOST: { flag: 'host', schema: TextSchema, kind: 'value' },
  DATA_DIR: { flag: 'data', schema: TextSchema, kind: 'path' },
  DATABASE_URL: { flag: 'store', schema: PostgresUrlSchema, kind: 'value' },
  DATABASE_URL_FILE: { schema: TextSchema, kind: 'path' },
  DEMO: { flag: 'demo', schema: BooleanSchema, kind: 'value' },
  ALLOWED_ORIGINS: { flag: 'allowed-origin', schema: OriginsSchema, kind: 'value' },
  TRUST_PROXY: { flag: 'trust-proxy', schema: wholeNumber(0, 100), kind: 'value' },
  PUBLIC_URL: { flag: 'public-url', schema: HttpUrlSchema, kind: 'value' },
  LOG_LEVEL: { flag: 'log-level', schema: LogLevelSchema, kind: 'value' },
  METRICS_PORT: { flag: 'metrics-port', schema: wholeNumber(0, 65535), kind: 'value' },
  METRICS_HOST: { flag: 'metrics-host', schema: TextSchema, kind: 'value' },
  METRICS_TOKEN: { schema: MetricsTokenSchema, kind: 'value' },
  METRICS_TOKEN_FILE: { schema: TextSchema, kind: 'path' },
  SMTP_PASSWORD_FILE: { schema: TextSchema, kind: 'path' },
  LDAP_BIND_PASSWORD_FILE: { schema: TextSchema, kind: 'path' },
  AUDIT_WEBHOOK_SECRET_FILE: { schema: TextSchema, kind: 'path' },
} as const satisfies Record<string, { flag?: string; schema: z.ZodType; kind: Kind }>;

type Key = keyof typeof OPTIONS;
const KEYS = Object.keys(OPTIONS) as Key[];
const isKey = (name: string): name is Key => Object.hasOwn(OPTIONS, name);

const SECRET_FILES = [
  { key: 'SMTP_PASSWORD_FILE', name: 'smtp-password' },
  { key: 'LDAP_BIND_PASSWORD_FILE', name: 'ldap-bind-password' },
  { key: 'AUDIT_WEBHOOK_SECRET_FILE', name: 'audit-webhook-secret' },
] as const satisfies readonly { key: Key; name: SecretName }[];

/** A value as one source gave it, with how to name it in an error. */
interface Given {
  value: unknown;
  where: string;
  /** The config file's folder, for relative paths in it. */
  baseDir?: string;
}

/** One source's values: the flags, the environment or the config file. */
type Layer = Partial<Record<Key, Given>>;

// ── Reading the three sources ───────────────────────────────────────────────────────────────────

const FLAG_OPTIONS = {
  config: { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  data: { type: 'string' },
  store: { type: 'string' },
  demo: { type: 'boolean' },
  'allowed-origin': { type: 'string', multiple: true },
  'trust-proxy': { type: 'string' },
  'public-url': { type: 'string' },
  'log-level': { type: 'string' },
  'metrics-port': { type: 'string' },
  'metrics-host': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function flagLayer(values: Record<string, unknown>): Layer {
  const layer: Layer = {};
  for (const key of KEYS) {
    const option = OPTIONS[key];
    if (!('flag' in option)) continue;
    const value = values[option.flag];
    if (value !== undefined) layer[key] = { value, where: `--${option.flag}` };
  }
  return layer;
}

/** An empty variable counts as unset, as compose leaves `${VAR}` that nobody set. */
function envLayer(env: Readonly<Record<string, string | undefined>>): Layer {
  const layer: Layer = {};
  for (const key of KEYS) {
    const value = env[key];
    if (value !== undefined && value.trim() !== '')
      layer[key] = { value, where: `${key} (environment)` };
  }
  return layer;
}

/** `KEY=value` lines: `#` starts a comment line (or, after a space, ends an unquoted value). */
function parseEnvFile(text: string, file: string, errors: string[]): Layer {
  const layer: Layer = {};
  const seenAt = new Map<string, number>();
  text.split(/\r?\n/).forEach((raw, index) => {
    const lineNo = index + 1;
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!match) {
      errors.push(`${file} line ${lineNo}: expected KEY=value`);
      return;
    }
    const [, key = '', rest = ''] = match;
    if (!isKey(key)) {
      errors.push(`${file} line ${lineNo}: unknown key ${key} (known: ${KEYS.join(', ')})`);
      return;
    }
    const earlier = seenAt.get(key);
    if (earlier !== undefined) {
      errors.push(`${file} line ${lineNo}: ${key} is already set on line ${earlier}`);
      return;
    }
    seenAt.set(key, lineNo);
    const quoted = /^(["'])(.*)\1$/.exec(rest);
    const value = quoted ? (quoted[2] ?? '') : rest.replace(/\s+#.*$/, '');
    layer[key] = { value, where: `${key} (${file} line ${lineNo})`, baseDir: path.dirname(file) };
  });
  return layer;
}

function parseJsonFile(text: string, file: string, errors: string[]): Layer {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    errors.push(`${file} is not valid JSON: ${(error as Error).message}`);
    return {};
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    errors.push(`${file}: expected a JSON object of settings`);
    return {};
  }
  const layer: Layer = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (!isKey(key)) {
      errors.push(`${file}: unknown key ${key} (known: ${KEYS.join(', ')})`);
      continue;
    }
    if (value === null) continue;
    layer[key] = { value, where: `${key} (${file})`, baseDir: path.dirname(file) };
  }
  return layer;
}

function fileLayer(file: string, readFile: ReadTextFile, errors: string[]): Layer {
  let text: string;
  try {
    text = readFile(file);
  } catch (error) {
    errors.push(`Cannot read the config file ${file}: ${reason(error)}`);
    return {};
  }
  return text.trimStart().startsWith('{')
    ? parseJsonFile(text, file, errors)
    : parseEnvFile(text, file, errors);
}

function reason(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : error instanceof Error ? error.message : String(error);
}

// ── Choosing and checking values ────────────────────────────────────────────────────────────────

/** Parses every value given for `key` (a bad value is an error even where a higher one wins). */
function check<K extends Key>(
  key: K,
  layers: readonly Layer[],
  errors: string[],
): { value: z.output<(typeof OPTIONS)[K]['schema']>; given: Given } | undefined {
  let chosen: { value: z.output<(typeof OPTIONS)[K]['schema']>; given: Given } | undefined;
  for (const layer of layers) {
    const given = layer[key];
    if (!given) continue;
    const parsed = OPTIONS[key].schema.safeParse(given.value);
    if (!parsed.success) {
      errors.push(`${given.where}: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
      continue;
    }
    let value = parsed.data as z.output<(typeof OPTIONS)[K]['schema']>;
    if (OPTIONS[key].kind === 'path' && typeof value === 'string' && given.baseDir !== undefined)
      value = path.resolve(given.baseDir, value) as typeof value;
    chosen ??= { value, given };
  }
  return chosen;
}

/** A secret file's contents, without the newline editors and `echo` leave at the end. */
function readSecretFile(
  file: string,
  given: Given,
  readFile: ReadTextFile,
  errors: string[],
): string | undefined {
  let text: string;
  try {
    text = readFile(file);
  } catch (error) {
    errors.push(`${given.where}: cannot read ${file}: ${reason(error)}`);
    return undefined;
  }
  const value = text.replace(/\r?\n$/, '');
  if (value.trim() === '') {
    errors.push(`${given.where}: ${file} is empty`);
    return undefined;
  }
  return value;
}

/** The PostgreSQL URL: DATABASE_URL or the file DATABASE_URL_FILE names, never both in one source. */
function storeUrl(layers: readonly Layer[], readFile: ReadTextFile, errors: string[]) {
  for (const layer of layers) {
    if (layer.DATABASE_URL && layer.DATABASE_URL_FILE)
      errors.push(
        `${layer.DATABASE_URL.where} and ${layer.DATABASE_URL_FILE.where}: set one of them, not both`,
      );
  }
  // Each source's URL, from the variable or from the file, as one value per source.
  const urlLayers: Layer[] = layers.map((layer) => {
    if (layer.DATABASE_URL || !layer.DATABASE_URL_FILE) return layer;
    const fileGiven = layer.DATABASE_URL_FILE;
    const file = check('DATABASE_URL_FILE', [{ DATABASE_URL_FILE: fileGiven }], errors);
    if (!file) return {};
    const text = readSecretFile(file.value, fileGiven, readFile, errors);
    if (text === undefined) return {};
    return { DATABASE_URL: { value: text, where: `${fileGiven.where} → ${file.value}` } };
  });
  return check('DATABASE_URL', urlLayers, errors)?.value;
}

/** METRICS_TOKEN, or the file METRICS_TOKEN_FILE names (never on the command line: ps shows flags). */
function metricsToken(layers: readonly Layer[], readFile: ReadTextFile, errors: string[]) {
  const tokenLayers: Layer[] = layers.map((layer) => {
    if (layer.METRICS_TOKEN || !layer.METRICS_TOKEN_FILE) return layer;
    const fileGiven = layer.METRICS_TOKEN_FILE;
    const file = check('METRICS_TOKEN_FILE', [{ METRICS_TOKEN_FILE: fileGiven }], errors);
    if (!file) return {};
    const text = readSecretFile(file.value, fileGiven, readFile, errors);
    if (text === undefined) return {};
    return { METRICS_TOKEN: { value: text, where: `${fileGiven.where} → ${file.value}` } };
  });
  return check('METRICS_TOKEN', tokenLayers, errors)?.value;
}

export function parseServerConfig(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  readFile: ReadTextFile,
): ServerConfigResult {
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({ args: [...argv], options: FLAG_OPTIONS, strict: true }));
  } catch (error) {
    return { kind: 'errors', errors: [(error as Error).message] };
  }
  if (values.help === true) return { kind: 'help' };

  const errors: string[] = [];
  const configFile =
    typeof values.config === 'string' && values.config.trim() !== ''
      ? path.resolve(values.config)
      : undefined;
  if (values.config !== undefined && configFile === undefined)
    errors.push('--config: must name a file');
  const layers = [
    flagLayer(values),
    envLayer(env),
    configFile ? fileLayer(configFile, readFile, errors) : {},
  ];

  const port = check('PORT', layers, errors)?.value ?? DEFAULTS.port;
  const host = check('HOST', layers, errors)?.value ?? DEFAULTS.host;
  const dataDir = check('DATA_DIR', layers, errors)?.value ?? DEFAULTS.dataDir;
  const store = storeUrl(layers, readFile, errors);
  const demo = check('DEMO', layers, errors)?.value ?? DEFAULTS.demo;
  const allowedOrigins = check('ALLOWED_ORIGINS', layers, errors)?.value ?? [];
  const trustProxy = check('TRUST_PROXY', layers, errors)?.value ?? DEFAULTS.trustProxy;
  const publicUrl = check('PUBLIC_URL', layers, errors)?.value;
  const logLevel = check('LOG_LEVEL', layers, errors)?.value ?? DEFAULTS.logLevel;
  const metrics = {
    port: check('METRICS_PORT', layers, errors)?.value,
    host: check('METRICS_HOST', layers, errors)?.value ?? DEFAULTS.metricsHost,
    token: metricsToken(layers, readFile, errors),
  };

  const secrets: SecretFromFile[] = [];
  for (const { key, name } of SECRET_FILES) {
    const file = check(key, layers, errors);
    if (!file) continue;
    const value = readSecretFile(file.value, file.given, readFile, errors);
    if (value === undefined) continue;
    // A signing key is only as good as it is long (the console's rule for the same key).
    if (name === 'audit-webhook-secret' && value.length < 16)
      errors.push(`${file.given.where}: ${file.value} must hold at least 16 characters`);
    else secrets.push({ name, value, source: `${file.given.where} → ${file.value}` });
  }

  if (errors.length > 0) return { kind: 'errors', errors };
  return {
    kind: 'config',
    config: {
      port,
      host,
      dataDir,
      store,
      allowedOrigins: [...new Set(allowedOrigins)],
      trustProxy,
      publicUrl,
      demo,
      logLevel,
      metrics,
      secrets,
      configFile,
    },
  };
}
