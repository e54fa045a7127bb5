// nginx in front of the test's server processes, configured by docs/deploy/nginx.conf itself.
//
// Usage (once per file):
//
//   let proxy: Nginx;
//   beforeAll(async () => { proxy = await startNginx([portA, portB]); });
//   afterAll(() => proxy.dispose());
//   ...page.goto(`${proxy.url}/sign-in`)   // https://127.0.0.1:PORT, a throwaway certificate
//
// What it runs: Debian's nginx (`/usr/sbin/nginx`, package nginx) in the foreground
// (`-g 'daemon off;'`, so the child's pid is the master's) with a prefix in a fresh temp dir. The
// config is the documented one, rendered: each line the file marks `# test:` is replaced (the
// upstream ports, the listen ports on 127.0.0.1, a certificate for 127.0.0.1 signed by a CA made
// for this run, pid, logs and temp dirs in the temp dir, the worker's user) and every other line is
// used as written. A marked line no rule replaces, or a rule that finds no line, fails the start:
// the file and the test cannot drift apart. `nginx -t` checks the rendering before the start.
//
// Run as root, the workers run as root too (`user root;`): the temp dir is root's. As any other
// user the `user` line is dropped (nginx cannot switch users then).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from './server-process';
import { freePort, makeTestCertificates } from './throwaway-tls';

const run = promisify(execFile);

const NGINX = '/usr/sbin/nginx';
export const NGINX_CONF = path.join(ROOT, 'docs', 'deploy', 'nginx.conf');

export interface Nginx {
  /** `https://127.0.0.1:PORT`: where browsers reach the processes. */
  url: string;
  /** `http://127.0.0.1:PORT`: the plain-HTTP listener, which only redirects. */
  httpUrl: string;
  /** The proxy's throwaway certificate for 127.0.0.1 (PEM), signed by a CA made for this run. */
  certificatePem: string;
  /** The config as rendered for this run. */
  config: string;
  dir: string;
  /** The access log so far (format `upstream`: the process that answered is in each line). */
  accessLog(): Promise<string>;
  errorLog(): Promise<string>;
  dispose(): Promise<void>;
}

interface Substitution {
  /** What the marked line says before the `# test:` comment. */
  line: RegExp;
  replacement: string;
}

/**
 * The documented config with its `# test:` lines replaced. Throws when a marked line matches no
 * rule, or a rule matches no marked line (or more than one).
 */
export function renderNginxConf(template: string, rules: readonly Substitution[]): string {
  const used = new Map<Substitution, number>();
  const lines = template.split('\n').map((text) => {
    const marker = text.indexOf('# test:');
    if (marker < 0 || text.trim().startsWith('#')) return text;
    const directive = text.slice(0, marker).trim();
    const rule = rules.find((r) => r.line.test(directive));
    if (!rule)
      throw new Error(`nginx.conf: no test substitution for the marked line "${directive}"`);
    used.set(rule, (used.get(rule) ?? 0) + 1);
    const indent = /^\s*/.exec(text)?.[0] ?? '';
    return `${indent}${rule.replacement}`;
  });
  for (const rule of rules) {
    const count = used.get(rule) ?? 0;
    if (count !== 1)
      throw new Error(
        `nginx.conf: the substitution for ${rule.line} matched ${count} marked lines`,
      );
  }
  return lines.join('\n');
}

async function waitForPort(port: number, child: ChildProcess, log: () => Promise<string>) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`nginx exited (${child.exitCode ?? child.signalCode}):\n${await log()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nginx did not listen on ${port}:\n${await log()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Starts nginx with the documented config in front of the processes on `upstreamPorts` (two). */
export async function startNginx(upstreamPorts: readonly [number, number]): Promise<Nginx> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'helpdesk-nginx-'));
  const at = (...parts: string[]) => path.join(dir, ...parts);
  try {
    await Promise.all(
      ['logs', 'body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((sub) => mkdir(at(sub))),
    );
    await makeTestCertificates(dir, '/CN=Help Desk OTP nginx test CA');
    const [httpsPort, httpPort] = [await freePort(), await freePort()];
    const asRoot = process.getuid?.() === 0;
    const [a, b] = upstreamPorts;
    const rules: Substitution[] = [
      { line: /^user\s/, replacement: asRoot ? 'user root;' : '# user: not root, no switch' },
      { line: /^pid\s/, replacement: `pid ${at('nginx.pid')};` },
      { line: /^error_log\s/, replacement: `error_log ${at('logs', 'error.log')};` },
      { line: /^access_log\s/, replacement: `access_log ${at('logs', 'access.log')} upstream;` },
      ...(['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'] as const).map((kind) => ({
        line: new RegExp(`^${kind}_temp_path\\s`),
        replacement: `${kind}_temp_path ${at(kind === 'client_body' ? 'body' : kind)};`,
      })),
      {
        line: /^server 127\.0\.0\.1:3001\s/,
        replacement: `server 127.0.0.1:${a} max_fails=1 fail_timeout=10s;`,
      },
      {
        line: /^server 127\.0\.0\.1:3002\s/,
        replacement: `server 127.0.0.1:${b} max_fails=1 fail_timeout=10s;`,
      },
      { line: /^listen 80;/, replacement: `listen 127.0.0.1:${httpPort};` },
      { line: /^listen 443 ssl;/, replacement: `listen 127.0.0.1:${httpsPort} ssl;` },
      { line: /^ssl_certificate\s/, replacement: `ssl_certificate ${at('server.pem')};` },
      { line: /^ssl_certificate_key\s/, replacement: `ssl_certificate_key ${at('server.key')};` },
    ];
    const config = renderNginxConf(await readFile(NGINX_CONF, 'utf8'), rules);
    const conf = at('nginx.conf');
    await writeFile(conf, config);
    const errorLog = () => readFile(at('logs', 'error.log'), 'utf8').catch(() => '');
    const args = ['-p', dir, '-c', conf, '-e', at('logs', 'error.log')];
    try {
      await run(NGINX, ['-t', '-q', ...args]);
    } catch (error) {
      const { stderr } = error as { stderr?: string };
      throw new Error(`nginx -t refused the rendered config:\n${stderr ?? ''}\n${config}`, {
        cause: error,
      });
    }
    const child = spawn(NGINX, [...args, '-g', 'daemon off;'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    // SIGTERM: the master stops its workers too (a SIGKILLed master would leave them running).
    const stopNow = () => child.kill('SIGTERM');
    process.once('exit', stopNow);
    try {
      await waitForPort(httpsPort, child, async () => `${stderr}${await errorLog()}`);
    } catch (error) {
      process.off('exit', stopNow);
      stopNow();
      await exited;
      throw error;
    }
    return {
      url: `https://127.0.0.1:${httpsPort}`,
      httpUrl: `http://127.0.0.1:${httpPort}`,
      certificatePem: await readFile(at('server.pem'), 'utf8'),
      config,
      dir,
      accessLog: () => readFile(at('logs', 'access.log'), 'utf8').catch(() => ''),
      errorLog,
      dispose: async () => {
        process.off('exit', stopNow);
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGQUIT'); // graceful: workers finish their answers
          const gone = await Promise.race([
            exited.then(() => true),
            new Promise<false>((resolve) => setTimeout(() => resolve(false), 5_000)),
          ]);
          if (!gone) {
            child.kill('SIGTERM');
            await exited;
          }
        }
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
