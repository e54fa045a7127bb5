// The verification code by mail: to the directory's email address, through the outbox.
import type { CodeChannel } from '../requests/code-channel';
import type { MailQueue } from './messages';
import { verificationCodeMail } from './messages';

export function mailCodeChannel(mail: MailQueue): CodeChannel {
  return {
    name: 'mail',
    contact: 'email address',
    unavailable: (realm) =>
      realm.mail.enabled
        ? undefined
        : 'Mail is turned off for this realm, so no code can be mailed. Verify the caller another way, or ask an admin to turn mail on.',
    contactOf: (profile) => profile.email.trim(),
    async deliver({ to, code, request, realm }) {
      await mail.queue({
        ...verificationCodeMail({ realm, request, code }),
        to,
        requestId: request.id,
      });
    },
  };
}
