// A real SMTP server for tests (the `smtp-server` package), one per test file, that keeps every
// message it accepts, parsed with `mailparser`.
//
// Usage (once per file):
//
//   let smtp: SmtpTestServer;
//   beforeAll(async () => { smtp = await startSmtpServer(); });
//   afterAll(() => smtp.dispose());
//   ...await app.mail.configure({ settings: smtp.settings(), password: smtp.password }, 'test');
//   const mail = await smtp.waitFor((m) => m.to.includes('jsmith@example.com'));
//
// What it runs: an SMTPServer on 127.0.0.1 and a free port, with a server certificate for
// 127.0.0.1 and localhost signed by a CA made for this server with openssl (`caPem`), and a second
// CA that signed nothing here (`otherCaPem`, for "the certificate is not trusted"). Options:
// - `tls`: 'starttls' (default: STARTTLS offered, plain until the client upgrades), 'implicit' (TLS
//   from the first byte, as on port 465) or 'none' (STARTTLS not offered, and refused if sent).
// - `auth`: 'required' (default: AUTH PLAIN/LOGIN with `username`/`password`, only over TLS, as real
//   servers do; a wrong login gets 535) or 'none' (an open relay: no AUTH offered, mail taken).
// - `rejectRecipients`: addresses refused at RCPT TO with 550 (the set stays mutable:
//   `smtp.rejectRecipients.add(...)`); `rejectSenders` likewise at MAIL FROM.
// - `beforeAccept(mail)`: runs once a message's DATA has been received and parsed and before the
//   server answers 250 (the message is already in `messages`): a crash test kills its sender here.
//
// `stop()` closes the server (the port then refuses connections; sessions still open are cut after
// 200 ms) and `start()` listens again on the same port. `dispose()` stops it and removes its temp dir.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { simpleParser, type AddressObject } from 'mailparser';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import type { MailSettings } from '../../server/contract/mail';
import { freePort, makeTestCertificates } from './throwaway-tls';

export { freePort };

export interface ReceivedMail {
  /** The From header as written, e.g. `"IT Service Desk" <helpdesk@example.com>`. */
  from: string;
  fromAddress: string;
  fromName: string;
  /** Envelope recipients (RCPT TO), in order. */
  to: string[];
  /** The envelope sender (MAIL FROM). */
  mailFrom: string;
  subject: string;
  text: string;
  html: string;
  /** The Message-ID header, with its angle brackets. */
  messageId: string;
  /** Every header by lower-case name (the first, when repeated), value unfolded. */
  headers: Record<string, string>;
  /** The login the message came with ('' without AUTH). */
  user: string;
  receivedAt: number;
}

export interface SmtpServerOptions {
  tls?: 'starttls' | 'implicit' | 'none';
  auth?: 'required' | 'none';
  rejectRecipients?: readonly string[];
  rejectSenders?: readonly string[];
  beforeAccept?: (mail: ReceivedMail) => void | Promise<void>;
}

export interface SmtpTestServer {
  host: '127.0.0.1';
  port: number;
  tls: 'starttls' | 'implicit' | 'none';
  /** The CA that signed the server's certificate (PEM). */
  caPem: string;
  /** A CA that signed nothing this server shows (PEM). */
  otherCaPem: string;
  username: string;
  password: string;
  /** Every message accepted so far, in order. */
  readonly messages: ReceivedMail[];
  /** Sessions opened since the server was made (across restarts). */
  readonly connections: number;
  readonly rejectRecipients: Set<string>;
  readonly rejectSenders: Set<string>;
  /**
   * Settings that reach this server: enabled, its TLS mode (none ↔ 'none'), its CA, its login when
   * AUTH is required, From `helpdesk@example.com` / "IT Service Desk". Overrides win.
   */
  settings(overrides?: Partial<MailSettings>): MailSettings;
  /** The first message (already here or still to come) that matches, or a rejection after the timeout. */
  waitFor(predicate: (mail: ReceivedMail) => boolean, timeoutMs?: number): Promise<ReceivedMail>;
  /** Resolves once `condition(messages)` holds, or rejects after the timeout. */
  waitUntil(
    condition: (mail: readonly ReceivedMail[]) => boolean,
    timeoutMs?: number,
  ): Promise<void>;
  stop(): Promise<void>;
  start(): Promise<void>;
  dispose(): Promise<void>;
}

export const SMTP_USERNAME = 'mailer';
export const SMTP_PASSWORD = 'mailer-Secret-42';
export const FROM_ADDRESS = 'helpdesk@example.com';
export const FROM_NAME = 'IT Service Desk';

const firstAddress = (value: AddressObject | AddressObject[] | undefined) => {
  const list = Array.isArray(value) ? value : value ? [value] : [];
  return list[0]?.value[0];
};

const smtpError = (message: string, responseCode: number) =>
  Object.assign(new Error(message), { responseCode });

export async function startSmtpServer(options: SmtpServerOptions = {}): Promise<SmtpTestServer> {
  const tls = options.tls ?? 'starttls';
  const auth = options.auth ?? 'required';
  const dir = await mkdtemp(path.join(os.tmpdir(), 'helpdesk-smtp-'));
  try {
    await makeTestCertificates(dir, '/CN=Help Desk OTP SMTP test CA', [
      { name: 'other-ca', subject: '/CN=Some other CA' },
    ]);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const [key, cert, caPem, otherCaPem] = await Promise.all(
    ['server.key', 'server.pem', 'ca.pem', 'other-ca.pem'].map((f) =>
      // Trimmed, as the settings schema keeps a pasted certificate.
      readFile(path.join(dir, f), 'utf8').then((pem) => pem.trim()),
    ),
  );
  const port = await freePort();
  const messages: ReceivedMail[] = [];
  const waiters = new Set<() => void>();
  const rejectRecipients = new Set((options.rejectRecipients ?? []).map((a) => a.toLowerCase()));
  const rejectSenders = new Set((options.rejectSenders ?? []).map((a) => a.toLowerCase()));
  let connections = 0;

  const serverOptions: SMTPServerOptions = {
    secure: tls === 'implicit',
    key: key!,
    cert: cert!,
    ...(tls === 'none' ? { disabledCommands: ['STARTTLS'] } : {}),
    ...(auth === 'none'
      ? { authOptional: true, disabledCommands: tls === 'none' ? ['STARTTLS', 'AUTH'] : ['AUTH'] }
      : // Logins only over TLS, as real servers do, except where the server offers no TLS at all.
        { authMethods: ['PLAIN', 'LOGIN'], allowInsecureAuth: tls === 'none' }),
    banner: 'Help Desk OTP test SMTP server',
    size: 10 * 1024 * 1024,
    logger: false,
    // No reverse lookup of 127.0.0.1 on every connection (it costs ~100 ms here).
    disableReverseLookup: true,
    closeTimeout: 200,
    onConnect(_session, callback) {
      connections += 1;
      callback();
    },
    onAuth(login, _session, callback) {
      if (login.username === SMTP_USERNAME && login.password === SMTP_PASSWORD)
        return callback(null, { user: login.username });
      callback(smtpError('Authentication failed: invalid user name or password', 535));
    },
    onMailFrom(address, _session, callback) {
      if (rejectSenders.has(address.address.toLowerCase()))
        return callback(smtpError(`Sender ${address.address} not allowed`, 550));
      callback();
    },
    onRcptTo(address, _session, callback) {
      if (rejectRecipients.has(address.address.toLowerCase()))
        return callback(smtpError(`Mailbox ${address.address} unavailable`, 550));
      callback();
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then(async (parsed) => {
          const from = firstAddress(parsed.from);
          const headers: Record<string, string> = {};
          for (const { key: name, line } of parsed.headerLines)
            headers[name] ??= line
              .slice(line.indexOf(':') + 1)
              .replace(/\r?\n[ \t]+/g, ' ')
              .trim();
          const mail: ReceivedMail = {
            from: parsed.from?.text ?? '',
            fromAddress: from?.address ?? '',
            fromName: from?.name ?? '',
            to: session.envelope.rcptTo.map((r) => r.address),
            mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            html: typeof parsed.html === 'string' ? parsed.html : '',
            messageId: parsed.messageId ?? '',
            headers,
            user: typeof session.user === 'string' ? session.user : '',
            receivedAt: Date.now(),
          };
          messages.push(mail);
          for (const wake of waiters) wake();
          await options.beforeAccept?.(mail);
          callback(null, `Message queued as ${mail.messageId}`);
        })
        .catch((error: unknown) =>
          callback(error instanceof Error ? error : new Error(String(error))),
        );
    },
  };

  let server: SMTPServer | undefined;
  const start = async (): Promise<void> => {
    if (server) return;
    const next = new SMTPServer(serverOptions);
    // A client that vanishes mid-session is expected here (the crash tests kill it).
    next.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      next.server.once('error', reject);
      next.listen(port, '127.0.0.1', () => {
        next.server.off('error', reject);
        resolve();
      });
    });
    server = next;
  };
  const stop = async (): Promise<void> => {
    const current = server;
    if (!current) return;
    server = undefined;
    await new Promise<void>((resolve) => current.close(() => resolve()));
  };

  await start();

  const waitUntil = (condition: (all: readonly ReceivedMail[]) => boolean, timeoutMs = 10_000) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!condition(messages)) return;
        cleanup();
        resolve();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`the SMTP server did not get the expected mail within ${timeoutMs} ms`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });

  return {
    host: '127.0.0.1',
    port,
    tls,
    caPem: caPem!,
    otherCaPem: otherCaPem!,
    username: SMTP_USERNAME,
    password: SMTP_PASSWORD,
    messages,
    get connections() {
      return connections;
    },
    rejectRecipients,
    rejectSenders,
    settings: (overrides = {}) => ({
      enabled: true,
      host: '127.0.0.1',
      port,
      tls,
      caCertificate: tls === 'none' ? '' : caPem!,
      username: auth === 'required' ? SMTP_USERNAME : '',
      fromAddress: FROM_ADDRESS,
      fromName: FROM_NAME,
      ...overrides,
    }),
    async waitFor(predicate, timeoutMs) {
      let found: ReceivedMail | undefined;
      await waitUntil((all) => (found = all.find(predicate)) !== undefined, timeoutMs);
      return found!;
    },
    waitUntil,
    stop,
    start,
    async dispose() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
