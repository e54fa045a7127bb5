// A private rsyslog for tests: Debian's rsyslogd listening for RFC 5424 over TLS (RFC 5425) on a
// free port, keeping every message it receives, as received, in a file the tests read.
//
// Usage (once per file):
//
//   let syslog: Rsyslog;
//   beforeAll(async () => { syslog = await startRsyslog(); });
//   afterAll(() => syslog.dispose());
//   ...settings { host: '127.0.0.1', port: syslog.port, tls: true, caPem: syslog.caPem }
//   await vi.waitFor(async () => expect(await syslog.messages()).toHaveLength(3));
//
// What it runs: `/usr/sbin/rsyslogd -n -f CONF -i PIDFILE` (packages rsyslog, and rsyslog-gnutls for
// the gtls stream driver; openssl for the certificates) in the foreground, with its work directory
// in a fresh temp dir; imtcp on 127.0.0.1:PORT with the gtls driver in TLS-only mode (mode 1,
// anonymous clients), a server certificate for 127.0.0.1 and localhost signed by a CA made for this
// run (`caPem`), and `otherCaPem`, a CA that signed nothing here. imtcp takes octet-counted frames
// (RFC 6587) as they come. Messages from imtcp are written with the template `%rawmsg%` (the message
// exactly as it arrived, framing removed) to `received.log`; rsyslogd's own messages go to
// `rsyslogd.log` (for debugging). maxMessageSize is 64k: audit entries holding the realm's settings
// are longer than rsyslog's default 8k.
//
// `stop()` (SIGTERM, wait for exit) and `start()` take it down and bring it back on the same port
// and files, for outage tests; `dispose()` stops it for good and removes the temp dir.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort, makeTestCertificates } from './throwaway-tls';

const RSYSLOGD = '/usr/sbin/rsyslogd';

/** One RFC 5424 message as received. */
export interface SyslogMessage {
  pri: number;
  version: number;
  timestamp: string;
  hostname: string;
  appName: string;
  procId: string;
  msgId: string;
  /** Structured data: SD-ID → its params (values unescaped). */
  sd: Record<string, Record<string, string>>;
  /** MSG without its byte order mark. */
  msg: string;
  /** Whether MSG started with the UTF-8 byte order mark. */
  bom: boolean;
  raw: string;
}

export interface Rsyslog {
  host: '127.0.0.1';
  port: number;
  /** The CA that signed the server's certificate (PEM). */
  caPem: string;
  /** A CA that signed nothing this server shows (PEM). */
  otherCaPem: string;
  /** Every message received so far (across restarts), in the order written. */
  messages(): Promise<SyslogMessage[]>;
  stop(): Promise<void>;
  start(): Promise<void>;
  dispose(): Promise<void>;
}

function configuration(dir: string, port: number): string {
  const at = (file: string) => path.join(dir, file);
  return `global(
  workDirectory="${at('work')}"
  maxMessageSize="64k"
  defaultNetstreamDriver="gtls"
  defaultNetstreamDriverCAFile="${at('tls/ca.pem')}"
  defaultNetstreamDriverCertFile="${at('tls/server.pem')}"
  defaultNetstreamDriverKeyFile="${at('tls/server.key')}"
)
module(load="imtcp" streamDriver.name="gtls" streamDriver.mode="1" streamDriver.authMode="anon")
input(type="imtcp" address="127.0.0.1" port="${port}")
template(name="raw" type="string" string="%rawmsg%\\n")
if $inputname == "imtcp" then {
  action(type="omfile" file="${at('received.log')}" template="raw")
} else {
  action(type="omfile" file="${at('rsyslogd.log')}")
}
`;
}

/** The PARAM-VALUE escapes undone (RFC 5424, 6.3.3). */
function unescape(value: string): string {
  return value.replace(/\\(["\\\]])/g, '$1');
}

/** Parses one RFC 5424 message; throws on anything else. */
export function parseSyslogMessage(raw: string): SyslogMessage {
  const head = /^<(\d{1,3})>(\d{1,2}) (\S+) (\S+) (\S+) (\S+) (\S+) /.exec(raw);
  if (!head) throw new Error(`not an RFC 5424 message: ${raw.slice(0, 120)}`);
  let rest = raw.slice(head[0].length);
  const sd: Record<string, Record<string, string>> = {};
  if (rest.startsWith('-')) rest = rest.slice(1);
  else
    while (rest.startsWith('[')) {
      const element = /^\[([^ \]]+)((?: [^=]+="(?:[^"\\]|\\.)*")*)\]/.exec(rest);
      if (!element) throw new Error(`bad structured data: ${rest.slice(0, 120)}`);
      const params: Record<string, string> = {};
      for (const param of element[2]!.matchAll(/ ([^=]+)="((?:[^"\\]|\\.)*)"/g))
        params[param[1]!] = unescape(param[2]!);
      sd[element[1]!] = params;
      rest = rest.slice(element[0].length);
    }
  if (rest.startsWith(' ')) rest = rest.slice(1);
  const bom = rest.startsWith('\uFEFF');
  return {
    pri: Number(head[1]),
    version: Number(head[2]),
    timestamp: head[3]!,
    hostname: head[4]!,
    appName: head[5]!,
    procId: head[6]!,
    msgId: head[7]!,
    sd,
    msg: bom ? rest.slice(1) : rest,
    bom,
    raw,
  };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Every rsyslogd still running, killed if this process exits without disposing of it. */
const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function killOnExit(child: ChildProcess): void {
  running.add(child);
  child.once('exit', () => running.delete(child));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const proc of running) proc.kill('SIGKILL');
  });
}

/** Starts rsyslogd with TLS in a fresh temp dir. Call `dispose()` when done (afterAll). */
export async function startRsyslog(): Promise<Rsyslog> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'helpdesk-rsyslog-'));
  const port = await freePort();
  const received = path.join(dir, 'received.log');
  try {
    await mkdir(path.join(dir, 'work'));
    await mkdir(path.join(dir, 'tls'));
    await makeTestCertificates(path.join(dir, 'tls'), '/CN=Help Desk OTP syslog test CA', [
      { name: 'other-ca', subject: '/CN=Some other CA' },
    ]);
    await writeFile(path.join(dir, 'rsyslog.conf'), configuration(dir, port));
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const caPem = await readFile(path.join(dir, 'tls', 'ca.pem'), 'utf8');
  const otherCaPem = await readFile(path.join(dir, 'tls', 'other-ca.pem'), 'utf8');

  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  const start = async (): Promise<void> => {
    if (child) return;
    const proc = spawn(
      RSYSLOGD,
      ['-n', '-f', path.join(dir, 'rsyslog.conf'), '-i', path.join(dir, 'rsyslogd.pid')],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    proc.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    proc.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    let exitCode: number | null | undefined;
    exited = new Promise((resolve) =>
      proc.once('exit', (code, signal) => {
        exitCode = code ?? (signal ? -1 : null);
        resolve();
      }),
    );
    child = proc;
    killOnExit(proc);
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (exitCode !== undefined) {
        child = undefined;
        throw new Error(`rsyslogd exited (${exitCode}) before listening:\n${output}`);
      }
      if (await accepts(port)) return;
      if (Date.now() > deadline) {
        proc.kill('SIGKILL');
        await exited;
        child = undefined;
        throw new Error(`rsyslogd did not listen on ${port} within 10 s:\n${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  const stop = async (): Promise<void> => {
    const proc = child;
    if (!proc) return;
    proc.kill('SIGTERM');
    const killer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(killer);
    child = undefined;
  };

  try {
    await start();
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }

  return {
    host: '127.0.0.1',
    port,
    caPem,
    otherCaPem,
    async messages() {
      let text: string;
      try {
        text = await readFile(received, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw error;
      }
      // A line still being written (no newline yet) is read next time.
      const lines = text.split('\n').slice(0, -1);
      return lines.filter((line) => line !== '').map(parseSyslogMessage);
    },
    stop,
    start,
    dispose: async () => {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
