// The deploy files hold to what CI and the tests run: the Dockerfile builds with CI's commands and
// starts the entry point the production-start test runs, compose.yaml runs that image beside
// PostgreSQL, and the systemd unit starts the same entry point, hardened.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUILD_SERVER_SCRIPT, ENTRY } from '../support/built-server';
import type { Stage } from '../support/dockerfile';
import { execForm, healthcheckCommand, readStages, repoDockerfile } from '../support/dockerfile';
import { ROOT } from '../support/server-process';

const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

const pkg = JSON.parse(read('package.json')) as {
  engines: { node: string };
  scripts: Record<string, string>;
};

/** The commands .ci/run runs, a line each. */
const ciCommands = read('.ci/run')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => /^npm /.test(line));

const runs = (stage: Stage) =>
  stage.instructions.filter((i) => i.name === 'RUN').map((i) => i.args);
const only = (stage: Stage, name: string) => stage.instructions.filter((i) => i.name === name);

describe('Dockerfile', () => {
  const stages = repoDockerfile();
  const runtime = stages.at(-1)!;
  const nodeMajor = /\d+/.exec(pkg.engines.node)?.[0];

  it('builds on the Node version package.json asks for, in slim images', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages.filter((s) => s.image.startsWith('node:')))
      expect(stage.image).toBe(`node:${nodeMajor}-bookworm-slim`);
    expect(runtime.image).toBe(`node:${nodeMajor}-bookworm-slim`);
  });

  it('installs and builds with the very commands CI runs', () => {
    const npmCommands = stages.flatMap(runs).filter((command) => command.startsWith('npm '));
    const install = npmCommands.find((c) => /^npm ci\b/.test(c) && !c.includes('--omit=dev'));
    expect(install).toBeDefined();
    expect(ciCommands).toContain(install);
    expect(npmCommands).toContain('npm run build');
    expect(ciCommands).toContain('npm run build');
    // …and `npm run build` is what builds the server the entry point runs.
    expect(pkg.scripts.build).toContain(`npm run ${BUILD_SERVER_SCRIPT}`);
    expect(pkg.scripts[BUILD_SERVER_SCRIPT]).toMatch(
      /vite build --config vite\.server\.config\.ts/,
    );
  });

  it('ships production dependencies only, installed by npm ci --omit=dev', () => {
    const depsStage = stages.find((stage) =>
      runs(stage).some((c) => /^npm ci\b.*--omit=dev/.test(c)),
    );
    expect(depsStage?.name).toBeDefined();
    const copies = only(runtime, 'COPY').map((i) => i.args);
    expect(copies).toContainEqual(
      expect.stringMatching(new RegExp(`^--from=${depsStage?.name} \\S*node_modules `)),
    );
    // The build stage's node_modules (dev dependencies included) never reaches the runtime.
    const build = stages.find((stage) => runs(stage).includes('npm run build'));
    expect(copies.filter((c) => c.startsWith(`--from=${build?.name} `))).toEqual([
      expect.stringMatching(/^--from=\S+ \/app\/out\/server /),
      expect.stringMatching(/^--from=\S+ \/app\/out\/renderer /),
    ]);
  });

  it('starts node on the entry point the production-start test runs, with no shell or npm', () => {
    const entrypoint = only(runtime, 'ENTRYPOINT').at(-1);
    expect(execForm(entrypoint?.args ?? '')).toEqual([
      'node',
      ENTRY,
      '--host',
      '0.0.0.0',
      '--data',
      '/data',
    ]);
    expect(only(runtime, 'CMD')).toEqual([]);
  });

  it('runs as an unprivileged user, with /data a volume and port 3000 exposed', () => {
    const user = only(runtime, 'USER').at(-1)?.args;
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    expect(only(runtime, 'VOLUME').map((i) => i.args)).toEqual(['/data']);
    expect(only(runtime, 'EXPOSE').map((i) => i.args)).toEqual(['3000']);
  });

  it('checks its health with node itself against /healthz', () => {
    const command = healthcheckCommand(runtime);
    expect(command?.[0]).toBe('node');
    expect(command?.join(' ')).toContain('/healthz');
    expect(command?.join(' ')).not.toMatch(/\b(curl|wget)\b/);
  });

  it('reads continuation lines and stage names as Docker does', () => {
    const parsed = readStages('FROM a:1 AS one\n# note\nRUN x \\\n  && y\nFROM b\nCMD ["z"]\n');
    expect(parsed).toEqual([
      { image: 'a:1', name: 'one', instructions: [{ name: 'RUN', args: 'x && y' }] },
      { image: 'b', name: undefined, instructions: [{ name: 'CMD', args: '["z"]' }] },
    ]);
  });
});

describe('compose.yaml', () => {
  // A YAML parser already installed (js-yaml, through electron-builder and eslint).
  const yaml = createRequire(import.meta.url)('js-yaml') as { load(text: string): unknown };
  const compose = yaml.load(read('compose.yaml')) as {
    services: Record<string, Record<string, unknown>>;
    secrets: Record<string, { file: string }>;
    volumes: Record<string, unknown>;
  };
  const [serverName, server] =
    Object.entries(compose.services).find(([, s]) => s.build !== undefined) ?? [];
  const [postgresName, postgres] =
    Object.entries(compose.services).find(([, s]) => String(s.image).startsWith('postgres:')) ?? [];

  it('builds the server from this Dockerfile and keeps its entry point', () => {
    expect(serverName).toBeDefined();
    expect(server?.build).toBe('.');
    expect(server?.entrypoint).toBeUndefined();
    expect(server?.command).toBeUndefined();
  });

  it('runs PostgreSQL 15 with a health check the server waits for', () => {
    expect(postgres?.image).toMatch(/^postgres:15\b/);
    expect(postgres?.healthcheck).toMatchObject({ test: expect.arrayContaining(['pg_isready']) });
    expect(server?.depends_on).toEqual({ [postgresName!]: { condition: 'service_healthy' } });
  });

  it('hands the server its database URL as a secret file, never in the environment', () => {
    const environment = server?.environment as Record<string, string>;
    expect(environment.DATABASE_URL).toBeUndefined();
    const secret = /^\/run\/secrets\/(\S+)$/.exec(environment.DATABASE_URL_FILE ?? '')?.[1];
    expect(server?.secrets).toContain(secret);
    expect(compose.secrets[secret!]?.file).toBeDefined();
  });

  it('keeps the data dir and the database in named volumes', () => {
    expect(server?.volumes).toContain('server-data:/data');
    expect(Object.keys(compose.volumes)).toEqual(
      expect.arrayContaining(['server-data', 'postgres-data']),
    );
    expect(postgres?.volumes).toContainEqual(expect.stringMatching(/^postgres-data:/));
  });
});

describe('systemd unit', () => {
  const unit = read('docs/deploy/helpdesk-otp.service');
  const settings = unit
    .split('\n')
    .filter((line) => /^[A-Z]\w*=/.test(line))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]);
  const values = (key: string) => settings.filter(([k]) => k === key).map(([, v]) => v);

  it('starts node itself on the compiled entry point with the config file', () => {
    expect(values('ExecStart')).toEqual([
      `/usr/bin/node /opt/helpdesk-otp/${ENTRY} --config /etc/helpdesk-otp/server.env`,
    ]);
    expect(values('KillSignal')).toEqual(['SIGTERM']);
    expect(values('Restart')).toEqual(['on-failure']);
    expect(values('TimeoutStopSec')).toHaveLength(1);
  });

  it('is hardened, without the one option V8’s JIT cannot run under', () => {
    expect(Object.fromEntries(settings)).toMatchObject({
      DynamicUser: 'yes',
      StateDirectory: 'helpdesk-otp',
      ProtectSystem: 'strict',
      ProtectHome: 'yes',
      PrivateTmp: 'yes',
      NoNewPrivileges: 'yes',
      CapabilityBoundingSet: '',
      RestrictAddressFamilies: 'AF_INET AF_INET6 AF_UNIX',
      SystemCallFilter: '@system-service',
      LockPersonality: 'yes',
      RestrictNamespaces: 'yes',
    });
    expect(values('MemoryDenyWriteExecute')).toEqual([]);
    expect(unit).toMatch(/^#.*MemoryDenyWriteExecute.*JIT/m);
  });

  it.skipIf(!existsSync('/usr/bin/systemd-analyze'))(
    'passes systemd-analyze verify with no unknown key or bad value',
    () => {
      const result = spawnSync(
        'systemd-analyze',
        ['verify', path.join(ROOT, 'docs/deploy/helpdesk-otp.service')],
        { encoding: 'utf8', timeout: 20_000 },
      );
      expect(result.status).toBe(0);
      // It only warns of an unknown key or a value it cannot parse: any line naming the unit fails.
      const problems = `${result.stdout}${result.stderr}`
        .split('\n')
        .filter((line) => line.includes('helpdesk-otp.service'));
      expect(problems).toEqual([]);
    },
  );

  it('keeps the data dir in its StateDirectory, the one place ProtectSystem=strict leaves writable', () => {
    expect(values('Environment')).toContain('DATA_DIR=%S/helpdesk-otp');
  });
});
