// Settings → Notifications: which mails go out (to the user when a passcode is issued or a sign-in
// completes, to each desk's address when a request arrives, admins' alerts to a security address);
// each needs mail enabled.
import { useShallow } from 'zustand/react/shallow';
import type { NotificationSettings } from '../../../../../server/contract/mail';
import { HELP_DESK_IDS } from '../../../../../server/contract/realm-config';
import { mailSelectors, settingsSelectors, useConsole, useConsoleStore } from '../../../store';
import { TextField } from '../../../ui/Field';
import { SettingsSection } from '../SettingsSection';
import { useDraft } from '../use-draft';

export function NotificationsForm() {
  const store = useConsoleStore();
  const saved = useConsole((s) => s.config!.notifications);
  const mailEnabled = useConsole(mailSelectors.enabled);
  const desks = useConsole(useShallow((s) => s.config!.helpDesks));
  const draft = useDraft<NotificationSettings>(saved);
  const errors = useConsole(useShallow(settingsSelectors.errorsUnder('notifications')));
  const value = draft.value;
  const change = (patch: Partial<NotificationSettings>) => draft.set((d) => ({ ...d, ...patch }));

  const save = () => {
    void store
      .getState()
      .saveConfig('notifications', { notifications: draft.value })
      .then((outcome) => outcome.ok && draft.reset());
  };

  return (
    <SettingsSection
      id="notifications"
      title="Notifications"
      description="Mails that tell users and desks what happened. A user who did not ask can say so from the mail, which ends their requests and blocks the help-desk method for them."
      dirty={draft.dirty}
      onReset={draft.reset}
      onSave={save}
    >
      {!mailEnabled ? (
        <p className="notice notice-warn">
          Mail is off: none of these are sent until it is enabled in Mail above.
        </p>
      ) : null}
      <div className="field field-check">
        <input
          id="notify-passcode-issued"
          type="checkbox"
          checked={value.passcodeIssued}
          onChange={(e) => change({ passcodeIssued: e.target.checked })}
        />
        <label htmlFor="notify-passcode-issued">Tell the user when a passcode is issued</label>
        <p className="field-hint">
          To the address in the directory, with a “This wasn’t me” link. Never the passcode.
        </p>
      </div>
      <div className="field field-check">
        <input
          id="notify-sign-in-completed"
          type="checkbox"
          checked={value.signInCompleted}
          onChange={(e) => change({ signInCompleted: e.target.checked })}
        />
        <label htmlFor="notify-sign-in-completed">
          Tell the user when a sign-in completes through the help desk
        </label>
      </div>
      <fieldset className="checkbox-group">
        <legend>Tell the desk when a new request arrives, at the desk’s email address</legend>
        {HELP_DESK_IDS.map((desk) => (
          <div key={desk} className="field field-check field-inline-check">
            <input
              id={`notify-desk-${desk}`}
              type="checkbox"
              checked={value.deskNewRequest[desk]}
              onChange={(e) =>
                change({ deskNewRequest: { ...value.deskNewRequest, [desk]: e.target.checked } })
              }
            />
            <label htmlFor={`notify-desk-${desk}`}>
              {desks[desk].name}
              {desks[desk].email ? ` (${desks[desk].email})` : ''}
            </label>
          </div>
        ))}
      </fieldset>
      <TextField
        label="Mail admins’ alerts to"
        type="email"
        value={value.securityAlertsTo}
        error={errors['securityAlertsTo']}
        hint="E.g. the security team’s address: suspicious callers, “This wasn’t me”, caps reached, refused approvals. Leave empty to mail none."
        onChange={(e) => change({ securityAlertsTo: e.target.value.trim() })}
      />
    </SettingsSection>
  );
}
