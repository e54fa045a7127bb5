// What went wrong talking to the SMTP server, in the stage an admin can act on: naming the host, the
// port, the TLS setting or the login, and quoting the server's own reply. Never the password.
import type { MailSettings, MailTestStage } from '../contract/mail';
import { SMTP_TIMEOUTS, smtpHost } from './smtp-transport';

export interface SmtpProblem {
  stage: Exclude<MailTestStage, 'settings'>;
  message: string;
  /** The server refused for good (a 5xx reply): sending the same message again will not help. */
  permanent: boolean;
}

/** What nodemailer (and Node's sockets) put on an error. */
interface SmtpErrorFields {
  code?: string;
  originalCode?: string;
  command?: string;
  response?: string;
  responseCode?: number;
  message?: string;
  reason?: string;
}

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME', 'ENODATA']);
const CONNECT_CODES = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNRESET',
  'EADDRNOTAVAIL',
  'EPIPE',
]);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ETIMEOUT', 'ESOCKETTIMEDOUT']);
/** Node's TLS and OpenSSL codes that mean the certificate or the handshake, not the network. */
const TLS_PATTERN =
  /CERT|SELF_SIGNED|UNABLE_TO_|ERR_TLS|ERR_SSL|SSL routines|certificate|wrong version number|handshake|TLS/i;

const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;

/** The server's reply, trimmed to a line an admin can read. */
function replyOf(fields: SmtpErrorFields): string {
  const reply = (fields.response ?? '').replace(/\s+/g, ' ').trim();
  return reply.length > 200 ? `${reply.slice(0, 200)}…` : reply;
}

/** Removes the password wherever a message might quote it (a misbehaving server echoing it back). */
export function scrubSecret(text: string, secret: string | undefined): string {
  if (!secret) return text;
  return text.split(secret).join('[password]');
}

export function classifySmtpError(
  error: unknown,
  settings: MailSettings,
  password: string | undefined,
): SmtpProblem {
  const fields: SmtpErrorFields =
    typeof error === 'object' && error !== null ? (error as SmtpErrorFields) : {};
  const host = smtpHost(settings);
  const where = `${settings.host}:${settings.port}`;
  const code = fields.code ?? '';
  const system = fields.originalCode ?? (code.startsWith('E') ? code : '');
  const reply = replyOf(fields);
  const said = reply !== '' ? ` The server said: "${reply}".` : '';
  const detail = `${fields.message ?? String(error)} ${fields.reason ?? ''} ${system}`;
  const permanent = (fields.responseCode ?? 0) >= 500;
  const problem = (stage: SmtpProblem['stage'], message: string, isPermanent = false) => ({
    stage,
    message: scrubSecret(message, password),
    permanent: isPermanent,
  });

  if (code === 'EDNS' || DNS_CODES.has(system))
    return problem(
      'dns',
      `The name ${host} could not be resolved (${system || code}). Check the SMTP server's host name.`,
    );
  if (TIMEOUT_CODES.has(code) || TIMEOUT_CODES.has(system))
    return problem(
      'timeout',
      `${where} did not answer in time (connection ${seconds(SMTP_TIMEOUTS.connectionMs)}, ` +
        `greeting ${seconds(SMTP_TIMEOUTS.greetingMs)}). Check the host, the port and any firewall; ` +
        (settings.tls === 'implicit'
          ? 'with implicit TLS the port must speak TLS from the start (usually 465).'
          : 'a port that expects TLS from the start (usually 465) needs implicit TLS.'),
    );
  if (CONNECT_CODES.has(system) && code !== 'ETLS')
    return problem(
      'connect',
      `Could not connect to ${where} (${system}). Check the host and the port, and that the ` +
        `server accepts connections from this machine.`,
    );
  if (code === 'ETLS' || code === 'EREQUIRETLS' || fields.command === 'STARTTLS') {
    if (fields.command === 'STARTTLS' || /STARTTLS/i.test(detail))
      return problem(
        'tls',
        `${where} did not agree to STARTTLS, which these settings require.${said} Choose implicit ` +
          `TLS if the port expects TLS from the start (usually 465), or a port that offers STARTTLS (usually 587).`,
      );
    return problem('tls', tlsMessage(where, settings, detail));
  }
  if ((code === 'ESOCKET' || code === 'ECONNECTION') && TLS_PATTERN.test(detail))
    return problem('tls', tlsMessage(where, settings, detail));
  if (code === 'EAUTH' || code === 'ENOAUTH' || (fields.command ?? '').startsWith('AUTH')) {
    if (/Missing credentials/i.test(detail))
      return problem(
        'auth',
        `No password is saved for ${settings.username}: enter it, or clear the user name if the server takes mail without a login.`,
      );
    if (code === 'ENOAUTH')
      return problem(
        'auth',
        `${where} offers no login on this connection, but a user name is set.${said} Clear the user name, or turn TLS on if the server allows logins only over TLS.`,
      );
    return problem(
      'auth',
      `${where} refused the login for ${settings.username}.${said} Check the user name and password.`,
      permanent,
    );
  }
  if (fields.command === 'MAIL FROM')
    return problem(
      'sender',
      `${where} refused the sender ${settings.fromAddress}.${said} Use a From address this account may send as.`,
      permanent,
    );
  if (fields.command === 'RCPT TO')
    return problem(
      'recipient',
      `${where} refused the recipient.${said} Check the address; the server may not relay to it.`,
      permanent,
    );
  if (CONNECT_CODES.has(system) || code === 'ECONNECTION')
    return problem(
      'connect',
      `The connection to ${where} failed (${system || code}).${said} Check the host, the port and the TLS setting.`,
    );
  const text = (fields.message ?? String(error)).replace(/\s+/g, ' ').slice(0, 300);
  return problem('other', `Sending through ${where} failed: ${text}`, permanent);
}

function tlsMessage(where: string, settings: MailSettings, detail: string): string {
  const why =
    /self[- ]signed|UNABLE_TO_(GET_ISSUER|VERIFY)|unable to (get|verify)|CERT_UNTRUSTED/i.test(
      detail,
    )
      ? settings.caCertificate !== ''
        ? 'its certificate is not signed by the CA certificate in these settings'
        : "its certificate is not signed by a CA this machine trusts: paste your CA's certificate"
      : /ALTNAME|does not match|Hostname\/IP/i.test(detail)
        ? `its certificate is not for the name ${settings.host}`
        : /EXPIRED|expired/i.test(detail)
          ? 'its certificate has expired'
          : /wrong version number|unknown protocol|packet length/i.test(detail)
            ? settings.tls === 'implicit'
              ? 'the port does not speak TLS from the start: choose STARTTLS (usually 587)'
              : 'the TLS handshake failed'
            : 'the TLS handshake failed';
  // OpenSSL's own lines name a source file; its short reason is the part an admin can search for.
  const reason = detail
    .replace(/[0-9A-F]+:error:[0-9A-F]+:SSL routines:[^:]*:([^:]+):\S*/g, '$1')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 160);
  return `TLS with ${where} failed: ${why} (${reason}).`;
}
