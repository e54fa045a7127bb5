// Builds the nodemailer transport for the realm's SMTP settings: the TLS mode as the admin chose it,
// the CA they trust, a login only when a user name is set, and timeouts so a silent server fails.
import { isIP } from 'node:net';
import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import type { MailSettings } from '../contract/mail';

export const SMTP_TIMEOUTS = {
  /** Waiting for the TCP (or TLS) connection to open. */
  connectionMs: 10_000,
  /** Waiting for the server's 220 greeting once connected. */
  greetingMs: 10_000,
  /** Silence on an open connection. */
  socketMs: 20_000,
  /** Resolving the host name. */
  dnsMs: 10_000,
} as const;

/** The host as a socket wants it: `[2001:db8::1]` (how admins write an IPv6 literal) loses its brackets. */
export function smtpHost(settings: MailSettings): string {
  return settings.host.replace(/^\[(.*)\]$/, '$1');
}

/** nodemailer's options for these settings. One connection per send: no pool (mail is rare). */
export function smtpOptions(
  settings: MailSettings,
  password: string | undefined,
): SMTPTransport.Options {
  const host = smtpHost(settings);
  return {
    host,
    port: settings.port,
    // implicit: TLS from the first byte; starttls: the upgrade is required, never skipped;
    // none: no STARTTLS even when offered (a local relay whose certificate nobody can check).
    secure: settings.tls === 'implicit',
    requireTLS: settings.tls === 'starttls',
    ignoreTLS: settings.tls === 'none',
    tls: {
      minVersion: 'TLSv1.2',
      // A name is checked against the certificate; an address literal is checked as an IP SAN.
      ...(isIP(host) === 0 ? { servername: host } : {}),
      ...(settings.caCertificate !== '' ? { ca: settings.caCertificate } : {}),
    },
    ...(settings.username !== ''
      ? { auth: { type: 'login' as const, user: settings.username, pass: password ?? '' } }
      : {}),
    connectionTimeout: SMTP_TIMEOUTS.connectionMs,
    greetingTimeout: SMTP_TIMEOUTS.greetingMs,
    socketTimeout: SMTP_TIMEOUTS.socketMs,
    dnsTimeout: SMTP_TIMEOUTS.dnsMs,
    // Never nodemailer's own logging: a transcript can hold the login and the message body.
    logger: false,
    debug: false,
  };
}

export type SmtpTransport = Transporter<SMTPTransport.SentMessageInfo>;

/**
 * One connection per message, or (`pooled`) one connection kept open for a run of messages: a
 * backlog then pays the greeting, TLS and login once. A pooled transport never resends by itself
 * (`maxRequeues: 0`): retrying is the outbox's decision, with its own record of attempts.
 */
export function createSmtpTransport(
  settings: MailSettings,
  password: string | undefined,
  { pooled = false }: { pooled?: boolean } = {},
): SmtpTransport {
  const options = smtpOptions(settings, password);
  if (!pooled) return nodemailer.createTransport(options);
  return nodemailer.createTransport({
    ...options,
    pool: true,
    maxConnections: 1,
    maxMessages: 100,
    maxRequeues: 0,
  }) as unknown as SmtpTransport;
}

/** The From header: the realm's name for people, its address for machines. */
export function fromOf(settings: MailSettings): { name: string; address: string } {
  return { name: settings.fromName, address: settings.fromAddress };
}
