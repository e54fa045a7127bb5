// The server's configuration: flags over the environment over a config file over the defaults,
// secrets from files, and errors that name the flag, variable or file line at fault.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ServerConfig, ServerConfigResult } from '../../server/config/server-config';
import { DEFAULTS, parseServerConfig } from '../../server/config/server-config';

/** A file reader over an in-memory folder; a missing file throws ENOENT as fs does. */
function files(contents: Record<string, string>) {
  const read: string[] = [];
  const readFile = (file: string) => {
    read.push(file);
    const text = contents[file];
    if (text === undefined) throw Object.assign(new Error(`ENOENT: ${file}`), { code: 'ENOENT' });
    return text;
  };
  return { readFile, read };
}

function configOf(result: ServerConfigResult): ServerConfig {
  if (result.kind !== 'config') throw new Error(`expected a config, got ${JSON.stringify(result)}`);
  return result.config;
}

function errorsOf(result: ServerConfigResult): string[] {
  if (result.kind !== 'errors') throw new Error(`expected errors, got ${JSON.stringify(result)}`);
  return result.errors;
}

const parse = (
  argv: string[],
  env: Record<string, string | undefined> = {},
  contents: Record<string, string> = {},
) => parseServerConfig(argv, env, files(contents).readFile);

describe('server config: sources and precedence', () => {
  it('uses the defaults when nothing is given', () => {
    expect(configOf(parse([]))).toEqual({
      port: 3000,
      host: '127.0.0.1',
      dataDir: './data',
      store: undefined,
      allowedOrigins: [],
      trustProxy: 0,
      publicUrl: undefined,
      demo: false,
      logLevel: 'info',
      metrics: { port: undefined, host: '127.0.0.1', token: undefined },
      secrets: [],
      configFile: undefined,
    });
    expect(DEFAULTS.port).toBe(3000);
  });

  it("reads the audit webhook's signing key from AUDIT_WEBHOOK_SECRET_FILE, refusing a short one", () => {
    const files: Record<string, string> = {
      '/run/secrets/webhook': 'a-webhook-signing-key-0123456789\n',
      '/run/secrets/short': 'short\n',
    };
    const read = (file: string) => files[file] ?? '';
    expect(
      parseServerConfig([], { AUDIT_WEBHOOK_SECRET_FILE: '/run/secrets/webhook' }, read),
    ).toMatchObject({
      kind: 'config',
      config: {
        secrets: [{ name: 'audit-webhook-secret', value: 'a-webhook-signing-key-0123456789' }],
      },
    });
    const short = parseServerConfig([], { AUDIT_WEBHOOK_SECRET_FILE: '/run/secrets/short' }, read);
    expect(short).toEqual({
      kind: 'errors',
      errors: [
        'AUDIT_WEBHOOK_SECRET_FILE (environment): /run/secrets/short must hold at least 16 characters',
      ],
    });
  });

  it('reads the metrics port and host from flags, and their token from the environment or a file, never a flag', () => {
    const files = { '/run/secrets/metrics': 'a-metrics-token-of-32-characters\n' };
    const read = (file: string) => {
      const text = (files as Record<string, string>)[file];
      if (text === undefined) throw Object.assign(new Error('missing'), { code: 'ENOENT' });
      return text;
    };
    const fromFlags = parseServerConfig(
      ['--metrics-port', '9464', '--metrics-host', '10.0.0.5'],
      { METRICS_TOKEN_FILE: '/run/secrets/metrics' },
      read,
    );
    expect(fromFlags).toMatchObject({
      kind: 'config',
      config: {
        metrics: { port: 9464, host: '10.0.0.5', token: 'a-metrics-token-of-32-characters' },
      },
    });
    expect(parseServerConfig(['--metrics-token', 'x'], {}, read).kind).toBe('errors');
    const short = parseServerConfig([], { METRICS_TOKEN: 'short' }, read);
    expect(short).toEqual({
      kind: 'errors',
      errors: ['METRICS_TOKEN (environment): must be at least 16 characters'],
    });
  });

  it('reads every option from flags', () => {
    const config = configOf(
      parse([
        '--port',
        '8080',
        '--host=0.0.0.0',
        '--data',
        '/srv/hd',
        '--store',
        'postgres://app:pw@db:5432/helpdesk',
        '--demo',
        '--allowed-origin',
        'https://console.example.com',
        '--allowed-origin',
        'http://localhost:5173/',
        '--trust-proxy',
        '2',
        '--public-url',
        'https://signin.example.com',
        '--log-level',
        'debug',
      ]),
    );
    expect(config).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      dataDir: '/srv/hd',
      store: 'postgres://app:pw@db:5432/helpdesk',
      demo: true,
      allowedOrigins: ['https://console.example.com', 'http://localhost:5173'],
      trustProxy: 2,
      publicUrl: 'https://signin.example.com',
      logLevel: 'debug',
    });
  });

  it('reads every option from the environment, an empty variable counting as unset', () => {
    const config = configOf(
      parse([], {
        PORT: '4000',
        HOST: '::',
        DATA_DIR: '/var/lib/hd',
        DATABASE_URL: 'postgresql://db/helpdesk',
        DEMO: 'yes',
        ALLOWED_ORIGINS: 'https://a.example.com, https://b.example.com',
        TRUST_PROXY: '1',
        PUBLIC_URL: '',
        LOG_LEVEL: 'WARN',
      }),
    );
    expect(config).toMatchObject({
      port: 4000,
      host: '::',
      dataDir: '/var/lib/hd',
      store: 'postgresql://db/helpdesk',
      demo: true,
      allowedOrigins: ['https://a.example.com', 'https://b.example.com'],
      trustProxy: 1,
      publicUrl: undefined,
      logLevel: 'warn',
    });
  });

  it('puts flags over the environment over the config file over the defaults, option by option', () => {
    const file = path.resolve('/etc/hd/server.env');
    const result = parse(
      ['--config', file, '--port', '1111'],
      { PORT: '2222', HOST: '10.0.0.1' },
      {
        [file]: 'PORT=3333\nHOST=10.0.0.2\nTRUST_PROXY=3\n',
      },
    );
    expect(configOf(result)).toMatchObject({
      port: 1111,
      host: '10.0.0.1',
      trustProxy: 3,
      dataDir: './data',
      configFile: file,
    });
  });

  it('lets one source replace the allowed origins of a lower one, not add to them', () => {
    const config = configOf(
      parse(['--allowed-origin', 'https://flag.example.com'], {
        ALLOWED_ORIGINS: 'https://env.example.com',
      }),
    );
    expect(config.allowedOrigins).toEqual(['https://flag.example.com']);
  });

  it('answers --help without checking anything else', () => {
    expect(parse(['--help', '--port', 'x'])).toEqual({ kind: 'help' });
    expect(parse(['-h'])).toEqual({ kind: 'help' });
  });
});

describe('server config: the config file', () => {
  const file = path.resolve('/etc/helpdesk-otp/server.env');

  it('reads KEY=value lines with comments, quotes and export, and paths relative to its folder', () => {
    const text = [
      '# Help Desk OTP',
      '',
      'export PORT=3000',
      'HOST = "0.0.0.0"',
      "PUBLIC_URL='https://signin.example.com'",
      'DATA_DIR=state   # beside this file',
      'ALLOWED_ORIGINS=https://a.example.com,https://b.example.com',
      'DEMO=false',
      'SMTP_PASSWORD_FILE=secrets/smtp',
    ].join('\r\n');
    const config = configOf(
      parse(['--config', file], {}, { [file]: text, '/etc/helpdesk-otp/secrets/smtp': 's3cret\n' }),
    );
    expect(config).toMatchObject({
      port: 3000,
      host: '0.0.0.0',
      publicUrl: 'https://signin.example.com',
      dataDir: '/etc/helpdesk-otp/state',
      allowedOrigins: ['https://a.example.com', 'https://b.example.com'],
      demo: false,
    });
    expect(config.secrets).toEqual([
      {
        name: 'smtp-password',
        value: 's3cret',
        source: `SMTP_PASSWORD_FILE (${file} line 9) → /etc/helpdesk-otp/secrets/smtp`,
      },
    ]);
  });

  it('reads a JSON object with the same keys, typed or as text', () => {
    const json = path.resolve('/etc/hd/server.json');
    const config = configOf(
      parse(
        ['--config', json],
        {},
        {
          [json]: JSON.stringify({
            PORT: 8443,
            DEMO: true,
            TRUST_PROXY: '1',
            ALLOWED_ORIGINS: ['https://a.example.com'],
            DATA_DIR: '/data',
            PUBLIC_URL: null,
          }),
        },
      ),
    );
    expect(config).toMatchObject({
      port: 8443,
      demo: true,
      trustProxy: 1,
      allowedOrigins: ['https://a.example.com'],
      dataDir: '/data',
      publicUrl: undefined,
    });
  });

  it('names the file and the line of an unknown key, a malformed line and a key set twice', () => {
    const errors = errorsOf(
      parse(['--config', file], {}, { [file]: 'PORTT=1\nno equals sign\nHOST=a\nHOST=b\n' }),
    );
    expect(errors).toEqual([
      expect.stringMatching(
        new RegExp(`^${escape(file)} line 1: unknown key PORTT \\(known: PORT,`),
      ),
      `${file} line 2: expected KEY=value`,
      `${file} line 4: HOST is already set on line 3`,
    ]);
  });

  it('names the file and the key of a bad value', () => {
    const errors = errorsOf(
      parse(['--config', file], {}, { [file]: '# x\nPORT=http\nPUBLIC_URL=signin.example.com\n' }),
    );
    expect(errors).toEqual([
      `PORT (${file} line 2): must be a whole number from 0 to 65535`,
      `PUBLIC_URL (${file} line 3): must be an http(s) URL, e.g. https://signin.example.com`,
    ]);
  });

  it('names a JSON file that does not parse or holds no object, or a key it does not know', () => {
    const json = path.resolve('/etc/hd/server.json');
    expect(errorsOf(parse(['--config', json], {}, { [json]: '{"PORT": 1,' }))[0]).toMatch(
      new RegExp(`^${escape(json)} is not valid JSON: `),
    );
    expect(errorsOf(parse(['--config', json], {}, { [json]: '{"port": 1}' }))[0]).toMatch(
      new RegExp(`^${escape(json)}: unknown key port `),
    );
    expect(errorsOf(parse(['--config', json], {}, { [json]: '{"PORT": true}' }))).toEqual([
      `PORT (${json}): must be a whole number from 0 to 65535`,
    ]);
  });

  it('refuses a config file it cannot read, naming it', () => {
    expect(errorsOf(parse(['--config', file]))).toEqual([
      `Cannot read the config file ${file}: ENOENT`,
    ]);
  });

  it('reads the file with paths relative to the working directory', () => {
    const { readFile, read } = files({ [path.resolve('conf/server.env')]: 'PORT=1\n' });
    expect(configOf(parseServerConfig(['--config', 'conf/server.env'], {}, readFile)).port).toBe(1);
    expect(read).toEqual([path.resolve('conf/server.env')]);
  });
});

describe('server config: errors', () => {
  it('names the flag or the variable of a bad value, and reports every one at once', () => {
    const errors = errorsOf(
      parse(['--port', 'seventy', '--public-url', 'ftp://x'], {
        TRUST_PROXY: '-1',
        DEMO: 'maybe',
        LOG_LEVEL: 'loud',
        HOST: '0.0.0.0',
      }),
    );
    expect(errors).toEqual([
      '--port: must be a whole number from 0 to 65535',
      'DEMO (environment): must be true or false',
      'TRUST_PROXY (environment): must be a whole number from 0 to 100',
      '--public-url: must be an http(s) URL, e.g. https://signin.example.com',
      'LOG_LEVEL (environment): must be one of fatal, error, warn, info, debug, trace, silent',
    ]);
  });

  it('reports a bad value even where a higher source overrides it', () => {
    expect(errorsOf(parse(['--port', '1'], { PORT: '99999' }))).toEqual([
      'PORT (environment): must be a whole number from 0 to 65535',
    ]);
  });

  it('refuses an unknown flag and a stray argument', () => {
    expect(errorsOf(parse(['--prot', '1']))[0]).toMatch(/Unknown option '--prot'/);
    expect(errorsOf(parse(['serve']))[0]).toMatch(/Unexpected argument 'serve'/);
  });

  it('refuses an origin with a path, naming it', () => {
    expect(errorsOf(parse(['--allowed-origin', 'https://a.example.com/agent']))).toEqual([
      '--allowed-origin: "https://a.example.com/agent" has a path: an origin is scheme, host and port only',
    ]);
  });

  it('never repeats a database URL it refuses: it may hold a password', () => {
    const errors = errorsOf(parse([], { DATABASE_URL: 'mysql://app:hunter2@db/helpdesk' }));
    expect(errors).toEqual([
      'DATABASE_URL (environment): must be a postgres:// URL, e.g. postgres://user:password@db:5432/helpdesk',
    ]);
    expect(errors.join('\n')).not.toContain('hunter2');
  });
});

describe('server config: secrets from files', () => {
  it('reads DATABASE_URL_FILE, trimming the newline at its end', () => {
    const config = configOf(
      parse(
        [],
        { DATABASE_URL_FILE: '/run/secrets/database_url' },
        { '/run/secrets/database_url': 'postgres://app:pw@db:5432/helpdesk\n' },
      ),
    );
    expect(config.store).toBe('postgres://app:pw@db:5432/helpdesk');
  });

  it('puts --store over DATABASE_URL_FILE from the environment, over DATABASE_URL in the file', () => {
    const file = path.resolve('/etc/hd/server.env');
    const contents = {
      [file]: 'DATABASE_URL=postgres://file/db\n',
      '/run/secrets/db': 'postgres://env-file/db',
    };
    const env = { DATABASE_URL_FILE: '/run/secrets/db' };
    expect(configOf(parse(['--config', file], env, contents)).store).toBe('postgres://env-file/db');
    expect(
      configOf(parse(['--config', file, '--store', 'postgres://flag/db'], env, contents)).store,
    ).toBe('postgres://flag/db');
    expect(configOf(parse(['--config', file], {}, contents)).store).toBe('postgres://file/db');
  });

  it('refuses DATABASE_URL and DATABASE_URL_FILE set in one source', () => {
    expect(
      errorsOf(
        parse(
          [],
          { DATABASE_URL: 'postgres://a/db', DATABASE_URL_FILE: '/run/secrets/db' },
          { '/run/secrets/db': 'postgres://b/db' },
        ),
      ),
    ).toEqual([
      'DATABASE_URL (environment) and DATABASE_URL_FILE (environment): set one of them, not both',
    ]);
  });

  it('names the variable and the file of a secret file that is missing, empty or not a URL — never its contents', () => {
    const errors = errorsOf(
      parse(
        [],
        {
          SMTP_PASSWORD_FILE: '/run/secrets/smtp',
          LDAP_BIND_PASSWORD_FILE: '/run/secrets/ldap',
          DATABASE_URL_FILE: '/run/secrets/db',
        },
        { '/run/secrets/ldap': '\n', '/run/secrets/db': 'hunter2' },
      ),
    );
    expect(errors).toEqual([
      'DATABASE_URL_FILE (environment) → /run/secrets/db: must be a postgres:// URL, e.g. postgres://user:password@db:5432/helpdesk',
      'SMTP_PASSWORD_FILE (environment): cannot read /run/secrets/smtp: ENOENT',
      'LDAP_BIND_PASSWORD_FILE (environment): /run/secrets/ldap is empty',
    ]);
    expect(errors.join('\n')).not.toContain('hunter2');
  });

  it('hands over the SMTP and LDAP bind passwords as the secrets the store keeps', () => {
    const config = configOf(
      parse(
        [],
        { SMTP_PASSWORD_FILE: '/run/secrets/smtp', LDAP_BIND_PASSWORD_FILE: '/run/secrets/ldap' },
        { '/run/secrets/smtp': 'mail pw\r\n', '/run/secrets/ldap': ' spaces kept \n' },
      ),
    );
    expect(config.secrets).toEqual([
      {
        name: 'smtp-password',
        value: 'mail pw',
        source: 'SMTP_PASSWORD_FILE (environment) → /run/secrets/smtp',
      },
      {
        name: 'ldap-bind-password',
        value: ' spaces kept ',
        source: 'LDAP_BIND_PASSWORD_FILE (environment) → /run/secrets/ldap',
      },
    ]);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
