// Settings → Mail: the SMTP connection the realm mails through (host, port, TLS mode, CA, account,
// sender), its password kept apart and never shown, a test mail, and the outbox's state.
import { useShallow } from 'zustand/react/shallow';
import type { MailSettings, SmtpTlsMode } from '../../../../../server/contract/mail';
import { SMTP_TLS_MODES } from '../../../../../server/contract/mail';
import { mailSelectors, settingsSelectors, useConsole, useConsoleStore } from '../../../store';
import { TextAreaField, TextField } from '../../../ui/Field';
import { SavedSecretField, useSavedSecret } from '../../../ui/SavedSecretField';
import { SettingsSection } from '../SettingsSection';
import { useDraft } from '../use-draft';
import { MailTestPanel } from './MailTestPanel';
import { OutboxStatus } from './OutboxStatus';

export const TLS_MODE_WORDS: Record<SmtpTlsMode, { label: string; hint: string; port: number }> = {
  implicit: {
    label: 'TLS from the start (port 465)',
    hint: 'The connection is encrypted from its first byte.',
    port: 465,
  },
  starttls: {
    label: 'STARTTLS required (port 587)',
    hint: 'Connects in the clear and must upgrade to TLS before logging in; refuses a server that will not.',
    port: 587,
  },
  none: {
    label: 'None — local relay only',
    hint: 'Nothing is encrypted: only for a relay on this machine or a trusted network.',
    port: 25,
  },
};

const DEFAULT_PORTS = new Set(SMTP_TLS_MODES.map((mode) => TLS_MODE_WORDS[mode].port));

export function MailSettingsForm() {
  const store = useConsoleStore();
  const saved = useConsole((s) => s.config!.mail);
  const passwordSaved = useConsole(mailSelectors.passwordSaved);
  const draft = useDraft<MailSettings>(saved);
  const password = useSavedSecret();
  const saveErrors = useConsole(useShallow(settingsSelectors.errorsUnder('')));
  const testFields = useConsole((s) => (s.mailTest.step === 'refused' ? s.mailTest.fields : null));
  const settings = draft.value;

  /** A save's or a test's refusal names `settings.host`. */
  const errorAt = (path: string): string | undefined =>
    saveErrors[`settings.${path}`] ?? testFields?.[`settings.${path}`];
  const change = (patch: Partial<MailSettings>) => draft.set((d) => ({ ...d, ...patch }));
  const chooseTls = (tls: SmtpTlsMode) =>
    // A port left at one mode's usual number follows the mode; a custom one stays.
    change({
      tls,
      ...(DEFAULT_PORTS.has(settings.port) ? { port: TLS_MODE_WORDS[tls].port } : {}),
    });
  const passwordToSend = password.toSend;

  const save = () => {
    void store
      .getState()
      .saveMail({
        settings: draft.value,
        ...(passwordToSend !== undefined ? { password: passwordToSend } : {}),
      })
      .then((outcome) => {
        if (!outcome.ok) return;
        draft.reset();
        password.reset();
      });
  };

  return (
    <SettingsSection
      id="mail"
      title="Mail"
      description="The SMTP server the realm sends mail through: codes for the mailed-code check and the notifications below. Passcodes are never mailed."
      dirty={draft.dirty || password.dirty}
      onReset={() => {
        draft.reset();
        password.reset();
      }}
      onSave={save}
    >
      <div className="field field-check">
        <input
          id="mail-enabled"
          type="checkbox"
          role="switch"
          checked={settings.enabled}
          onChange={(e) => change({ enabled: e.target.checked })}
        />
        <label htmlFor="mail-enabled">Send mail</label>
        <p className="field-hint">
          {settings.enabled
            ? 'On: verification codes and the notifications below go out through this server.'
            : 'Off: nothing is mailed, and a mailed-code check cannot be used.'}
        </p>
      </div>

      <fieldset className="directory-group">
        <legend>Server</legend>
        <div className="field-row">
          <TextField
            className="field-wide"
            label="SMTP host"
            value={settings.host}
            placeholder="smtp.example.com"
            autoComplete="off"
            spellCheck={false}
            error={errorAt('host')}
            onChange={(e) => change({ host: e.target.value })}
          />
          <TextField
            className="field-narrow"
            label="Port"
            type="number"
            min={1}
            max={65535}
            value={String(settings.port)}
            error={errorAt('port')}
            onChange={(e) => change({ port: Number(e.target.value) })}
          />
        </div>
        <fieldset className="radio-group">
          <legend>Encryption</legend>
          {SMTP_TLS_MODES.map((mode) => (
            <div key={mode} className="field field-check">
              <input
                id={`mail-tls-${mode}`}
                type="radio"
                name="mail-tls"
                checked={settings.tls === mode}
                aria-describedby={`mail-tls-${mode}-hint`}
                onChange={() => chooseTls(mode)}
              />
              <label htmlFor={`mail-tls-${mode}`}>{TLS_MODE_WORDS[mode].label}</label>
              <p id={`mail-tls-${mode}-hint`} className="field-hint">
                {TLS_MODE_WORDS[mode].hint}
              </p>
            </div>
          ))}
          {errorAt('tls') ? <p className="field-error">{errorAt('tls')}</p> : null}
        </fieldset>
        {settings.tls !== 'none' ? (
          <TextAreaField
            label="CA certificate (PEM)"
            className="field-mono"
            rows={3}
            value={settings.caCertificate}
            placeholder="-----BEGIN CERTIFICATE-----"
            spellCheck={false}
            error={errorAt('caCertificate')}
            hint="The CA that signed the SMTP server's certificate; leave empty to trust the system's CAs."
            onChange={(e) => change({ caCertificate: e.target.value })}
          />
        ) : null}
      </fieldset>

      <fieldset className="directory-group">
        <legend>Account and sender</legend>
        <div className="field-row">
          <TextField
            label="Username"
            value={settings.username}
            autoComplete="off"
            spellCheck={false}
            error={errorAt('username')}
            hint="Leave empty for a relay that needs no login."
            onChange={(e) => change({ username: e.target.value })}
          />
          <SavedSecretField
            id="mail"
            label="Password"
            secret={password}
            saved={passwordSaved}
            error={saveErrors['password'] ?? testFields?.['password']}
          />
        </div>
        <div className="field-row">
          <TextField
            label="From address"
            type="email"
            value={settings.fromAddress}
            placeholder="helpdesk@example.com"
            autoComplete="off"
            spellCheck={false}
            error={errorAt('fromAddress')}
            onChange={(e) => change({ fromAddress: e.target.value })}
          />
          <TextField
            label="From name"
            value={settings.fromName}
            placeholder="IT Help Desk"
            autoComplete="off"
            error={errorAt('fromName')}
            onChange={(e) => change({ fromName: e.target.value })}
          />
        </div>
      </fieldset>

      <MailTestPanel settings={settings} password={passwordToSend} />
      <OutboxStatus />
    </SettingsSection>
  );
}
