// One help desk: enabled, name, phone (E.164) and email, as the end-user method page shows them.
import type { HelpDesk, HelpDeskId } from '../../../../server/contract/realm-config';
import { useShallow } from 'zustand/react/shallow';
import { settingsSelectors, useConsole, useConsoleStore } from '../../store';
import { TextField } from '../../ui/Field';
import { SettingsSection } from './SettingsSection';
import { useDraft } from './use-draft';

export function HelpDeskForm({ desk }: { desk: HelpDeskId }) {
  const store = useConsoleStore();
  const saved = useConsole((s) => s.config!.helpDesks[desk]);
  const draft = useDraft<HelpDesk>(saved);
  const errors = useConsole(useShallow(settingsSelectors.errorsUnder(`helpDesks.${desk}`)));
  const section = `help-desk-${desk}` as const;
  const change = (patch: Partial<HelpDesk>) => draft.set((d) => ({ ...d, ...patch }));

  return (
    <SettingsSection
      id={section}
      title={`Help Desk ${desk}`}
      description={
        saved.enabled
          ? `Offered to end-users as “${saved.name}”.`
          : 'Not offered to end-users while disabled.'
      }
      dirty={draft.dirty}
      onReset={draft.reset}
      onSave={() =>
        void store
          .getState()
          .saveConfig(section, { helpDesks: { [desk]: draft.value } })
          .then((outcome) => outcome.ok && draft.reset())
      }
    >
      <div className="field field-check">
        <input
          id={`desk-${desk}-enabled`}
          type="checkbox"
          checked={draft.value.enabled}
          onChange={(e) => change({ enabled: e.target.checked })}
        />
        <label htmlFor={`desk-${desk}-enabled`}>Offer Help Desk {desk} to end-users</label>
        {errors.enabled ? <p className="field-error">{errors.enabled}</p> : null}
      </div>
      <TextField
        label="Name"
        value={draft.value.name}
        maxLength={60}
        error={errors.name}
        onChange={(e) => change({ name: e.target.value })}
      />
      <TextField
        label="Phone"
        type="tel"
        value={draft.value.phone}
        error={errors.phone}
        hint="International format, e.g. +14155550123."
        onChange={(e) => change({ phone: e.target.value })}
      />
      <TextField
        label="Email"
        type="email"
        value={draft.value.email}
        error={errors.email}
        onChange={(e) => change({ email: e.target.value })}
      />
    </SettingsSection>
  );
}
