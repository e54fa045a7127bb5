// "Send test mail": one message straight to the SMTP server with these settings (saved or not),
// nothing queued, and the first failure named by its stage with something the admin can act on.
import { randomBytes } from 'node:crypto';
import type { MailSettings, MailTestResult } from '../contract/mail';
import { renderMail } from './mail-layout';
import { classifySmtpError } from './smtp-errors';
import { createSmtpTransport, fromOf } from './smtp-transport';

/** The Message-ID a mail from this address carries: `<random@domain-of-the-From-address>`. */
export function newMessageId(fromAddress: string, id = randomBytes(16).toString('hex')): string {
  const domain = fromAddress.split('@').at(-1)?.toLowerCase() || 'localhost';
  return `<${id}@${domain}>`;
}

export async function sendTestMail(
  settings: MailSettings,
  password: string | undefined,
  to: string,
  realmName: string,
  now: () => number = Date.now,
): Promise<MailTestResult> {
  const started = now();
  const elapsed = () => now() - started;
  if (settings.host === '')
    return { ok: false, stage: 'settings', message: 'Enter the SMTP server.', elapsedMs: 0 };
  if (settings.fromAddress === '')
    return { ok: false, stage: 'settings', message: 'Enter the From address.', elapsedMs: 0 };
  if (settings.username !== '' && (password === undefined || password === ''))
    return {
      ok: false,
      stage: 'settings',
      message: `No password is saved for ${settings.username}: enter it, or clear the user name if the server takes mail without a login.`,
      elapsedMs: 0,
    };
  const mail = renderMail({
    realmName,
    subject: 'Test mail',
    heading: 'Mail from the help desk works',
    paragraphs: [
      'An administrator sent this message to check the SMTP settings. Mail such as verification codes and sign-in notices will go out the same way.',
      'No action is needed.',
    ],
    facts: [
      ['Server', `${settings.host}:${settings.port}`],
      ['TLS', settings.tls],
      ['Sent', new Date(started).toUTCString()],
    ],
  });
  const transport = createSmtpTransport(settings, password);
  const messageId = newMessageId(settings.fromAddress);
  try {
    const info = await transport.sendMail({
      from: fromOf(settings),
      to,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      messageId,
    });
    if (info.rejected.length > 0)
      return {
        ok: false,
        stage: 'recipient',
        message: `${settings.host}:${settings.port} refused the recipient ${to}.`,
        elapsedMs: elapsed(),
      };
    return { ok: true, messageId, response: info.response, elapsedMs: elapsed() };
  } catch (error) {
    const problem = classifySmtpError(error, settings, password);
    return { ok: false, stage: problem.stage, message: problem.message, elapsedMs: elapsed() };
  } finally {
    transport.close();
  }
}
