// Audit entries to a syslog server: one RFC 5424 message per entry, over TCP with octet-counting
// framing (RFC 6587), over TLS as RFC 5425 has it (the server's certificate verified against the CA
// given or the system's, and its fingerprint checked too when one is pinned).
//
// What "delivered" can mean over TCP syslog, honestly: the protocol has no application-level
// acknowledgement. A batch counts as delivered once the socket has flushed it to the kernel
// (`write`'s callback) — that proves neither that the syslog server read it nor that it stored it.
// A connection that breaks after the flush loses what was still in flight, silently. What this sink
// does about the one loss it can see coming: a connection the server has closed (its FIN read, the
// usual case when a daemon restarts) is never written to; the next delivery connects again. What
// stays open: a server that dies without closing, or closes while a batch is on the wire. RELP
// (rsyslog's Reliable Event Logging Protocol; not an RFC) acknowledges each message and closes that
// gap; so does the webhook sink, whose receiver answers 2xx. Receivers see each entry at least once
// and should deduplicate by seq (or hash).
import net from 'node:net';
import os from 'node:os';
import tls from 'node:tls';
import type { SyslogExportSettings } from '../../contract/realm-config';
import type { AuditEntry } from '../audit-chain';
import type { AuditSink } from './sink';
import { DeliveryError, describeFailure } from './sink';

/** Facility 13 (log audit), severity 6 (informational): PRI = 13 × 8 + 6. */
const PRI = 13 * 8 + 6;
/**
 * The structured data's SD-ID. 32473 is the enterprise number RFC 5612 reserves for documentation
 * and examples; receivers match on the whole id.
 */
export const SYSLOG_SD_ID = 'helpdeskAudit@32473';
/** UTF-8 MSG starts with a byte order mark (RFC 5424, 6.4). */
const BOM = '\uFEFF';
const CONNECT_TIMEOUT_MS = 10_000;
/** A write the server does not take within this long (it stopped reading) fails the connection. */
const WRITE_TIMEOUT_MS = 30_000;

/** PRINTUSASCII of at most `max` characters ('-', the NILVALUE, when nothing is left). */
function printable(value: string, max: number): string {
  const kept = value.replace(/[^\x21-\x7e]/g, '').slice(0, max);
  return kept === '' ? '-' : kept;
}

/** A PARAM-VALUE: `"`, `\` and `]` escaped (RFC 5424, 6.3.3). */
function paramValue(value: string | number): string {
  return String(value).replace(/["\\\]]/g, (c) => `\\${c}`);
}

export interface SyslogHeader {
  appName: string;
  hostname: string;
  procId: string;
}

/** One entry as an RFC 5424 message (without framing): header, structured data, the entry as JSON. */
export function syslogMessage(entry: AuditEntry, header: SyslogHeader): string {
  const params: [string, string | number][] = [
    ['seq', entry.seq],
    ['action', entry.action],
    ['actor', entry.actor],
    ...(entry.requestId !== undefined ? [['requestId', entry.requestId] as [string, string]] : []),
    ['hash', entry.hash],
  ];
  const sd = `[${SYSLOG_SD_ID} ${params.map(([k, v]) => `${k}="${paramValue(v)}"`).join(' ')}]`;
  const head = [
    `<${PRI}>1`,
    entry.at,
    printable(header.hostname, 255),
    printable(header.appName, 48),
    printable(header.procId, 128),
    printable(entry.action, 32),
  ].join(' ');
  return `${head} ${sd} ${BOM}${JSON.stringify(entry)}`;
}

/** Octet-counting framing (RFC 6587, 3.4.1): the message's length in bytes, a space, the message. */
export function octetCounted(message: string): Buffer {
  const body = Buffer.from(message, 'utf8');
  return Buffer.concat([Buffer.from(`${body.length} `, 'ascii'), body]);
}

/** `AB:CD:…` and `abcd…` alike. */
function fingerprint(value: string): string {
  return value.replace(/:/g, '').toUpperCase();
}

export class SyslogSink implements AuditSink {
  private socket: net.Socket | undefined;
  private readonly header: SyslogHeader;

  constructor(private readonly settings: SyslogExportSettings) {
    this.header = {
      appName: settings.appName,
      hostname: settings.hostname ?? os.hostname(),
      procId: String(process.pid),
    };
  }

  async deliver(entries: readonly AuditEntry[]): Promise<void> {
    const socket = this.socket ?? (await this.connect());
    const payload = Buffer.concat(entries.map((e) => octetCounted(syslogMessage(e, this.header))));
    socket.setTimeout(WRITE_TIMEOUT_MS);
    try {
      await new Promise<void>((resolve, reject) => {
        // Called once the data has left for the kernel, or with the error that ended the socket.
        socket.write(payload, (error) => (error ? reject(error) : resolve()));
      });
    } catch (error) {
      this.drop(socket);
      throw new DeliveryError(`syslog write failed: ${describeFailure(error)}`, true);
    } finally {
      if (!socket.destroyed) socket.setTimeout(0);
    }
  }

  close(): void {
    if (this.socket) this.drop(this.socket);
  }

  private drop(socket: net.Socket): void {
    if (this.socket === socket) this.socket = undefined;
    socket.destroy();
  }

  private connect(): Promise<net.Socket> {
    const { host: rawHost, port, tls: useTls, caPem, pinSha256 } = this.settings;
    const host = rawHost.replace(/^\[(.*)\]$/, '$1');
    return new Promise((resolve, reject) => {
      const socket = useTls
        ? tls.connect({
            host,
            port,
            ...(net.isIP(host) === 0 ? { servername: host } : {}),
            ...(caPem !== undefined ? { ca: [caPem] } : {}),
            rejectUnauthorized: true,
            minVersion: 'TLSv1.2',
            checkServerIdentity: (name, cert) => {
              const mismatch = tls.checkServerIdentity(name, cert);
              if (mismatch) return mismatch;
              if (
                pinSha256 !== undefined &&
                fingerprint(cert.fingerprint256) !== fingerprint(pinSha256)
              )
                return new Error(
                  `the server's certificate (SHA-256 ${cert.fingerprint256}) is not the one pinned`,
                );
              return undefined;
            },
          })
        : net.connect({ host, port });
      const fail = (error: unknown) => {
        socket.destroy();
        reject(
          new DeliveryError(
            `syslog connection to ${rawHost}:${port} failed: ${describeFailure(error)}`,
            true,
          ),
        );
      };
      socket.setTimeout(CONNECT_TIMEOUT_MS, () =>
        fail(new Error(`no connection within ${CONNECT_TIMEOUT_MS / 1000} s`)),
      );
      socket.once('error', fail);
      socket.once(useTls ? 'secureConnect' : 'connect', () => {
        socket.off('error', fail);
        socket.setTimeout(0);
        socket.removeAllListeners('timeout');
        // From now on: a write that stalls, an error, or the server closing its end (a restart)
        // ends this connection, and the next delivery opens a new one.
        socket.on('timeout', () => socket.destroy(new Error('the server stopped reading')));
        socket.on('error', () => this.drop(socket));
        socket.on('end', () => this.drop(socket));
        socket.on('close', () => this.drop(socket));
        // Anything the server says is ignored: syslog over TCP has no replies.
        socket.resume();
        this.socket = socket;
        resolve(socket);
      });
    });
  }
}
