// The realm's SMTP connection as admins change it: settings saved in the realm (audited without the
// password), the password kept with the keys, a test mail with settings saved or not, the status.
import type {
  MailConfigure,
  MailSettings,
  MailStatus,
  MailTest,
  MailTestResult,
} from '../contract/mail';
import type { Logger } from '../logger';
import type { RealmService } from '../realm/realm-service';
import type { AuditLog, KeyRepository } from '../store/repositories';
import { sendTestMail } from './mail-test';
import type { Outbox } from './outbox';

export interface MailSettingsDeps {
  realm: RealmService;
  keys: KeyRepository;
  outbox: Outbox;
  audit: AuditLog;
  logger: Logger;
  now: () => number;
}

const SMTP_PASSWORD = 'smtp-password';

export class RealmMail {
  constructor(private readonly deps: MailSettingsDeps) {}

  /** Saves the settings (and the password when sent: '' removes it); audited without the password. */
  async configure(
    input: MailConfigure,
    actor: string,
  ): Promise<{ settings: MailSettings; status: MailStatus }> {
    const { keys, realm } = this.deps;
    const before = realm.config.mail;
    if (input.password !== undefined)
      await keys.setSecret(SMTP_PASSWORD, input.password === '' ? undefined : input.password);
    const config = await realm.updateMail(input.settings, actor, {
      enabledBefore: before.enabled,
      smtpPassword:
        input.password === undefined ? 'kept' : input.password === '' ? 'removed' : 'changed',
    });
    // A changed password alone leaves the realm as it was; the outbox must still hear of it.
    await this.deps.outbox.settingsChanged();
    return { settings: config.mail, status: this.deps.outbox.status() };
  }

  /** Sends a test mail with these settings; the saved password unless one is sent. Nothing is saved. */
  async test(input: MailTest, actor: string): Promise<MailTestResult> {
    const password = input.password ?? this.deps.keys.secret(SMTP_PASSWORD);
    const result = await sendTestMail(
      input.settings,
      password,
      input.to,
      this.deps.realm.config.name,
      this.deps.now,
    );
    await this.deps.audit.record({
      actor,
      action: 'mail.tested',
      details: {
        to: input.to,
        host: input.settings.host,
        port: input.settings.port,
        tls: input.settings.tls,
        ok: result.ok,
        ...(result.ok ? { messageId: result.messageId } : { stage: result.stage }),
      },
    });
    return result;
  }

  status(): MailStatus {
    return this.deps.outbox.status();
  }
}
