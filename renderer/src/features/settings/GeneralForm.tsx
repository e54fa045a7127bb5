// The realm's name, how long an unclaimed request waits, and where a completed sign-in goes.
import { useShallow } from 'zustand/react/shallow';
import { settingsSelectors, useConsole, useConsoleStore } from '../../store';
import { TextField } from '../../ui/Field';
import { SettingsSection } from './SettingsSection';
import { useDraft } from './use-draft';

export function GeneralForm() {
  const store = useConsoleStore();
  const saved = useConsole(
    useShallow((s) => ({
      name: s.config!.name,
      requestTtlMinutes: String(s.config!.requestTtlMinutes),
      postSignInUrl: s.config!.postSignInUrl,
    })),
  );
  const draft = useDraft(saved);
  const errors = useConsole(useShallow(settingsSelectors.errorsUnder('')));
  const change = (patch: Partial<typeof saved>) => draft.set((d) => ({ ...d, ...patch }));

  return (
    <SettingsSection
      id="general"
      title="General"
      dirty={draft.dirty}
      onReset={draft.reset}
      onSave={() =>
        void store
          .getState()
          .saveConfig('general', {
            name: draft.value.name,
            requestTtlMinutes: Number(draft.value.requestTtlMinutes),
            postSignInUrl: draft.value.postSignInUrl,
          })
          .then((outcome) => outcome.ok && draft.reset())
      }
    >
      <TextField
        label="Realm name"
        value={draft.value.name}
        maxLength={80}
        error={errors['name']}
        onChange={(e) => change({ name: e.target.value })}
      />
      <TextField
        label="Unclaimed requests expire after (minutes)"
        type="number"
        min={5}
        max={1440}
        value={draft.value.requestTtlMinutes}
        error={errors['requestTtlMinutes']}
        onChange={(e) => change({ requestTtlMinutes: e.target.value })}
      />
      <TextField
        label="After sign-in, send the user to"
        type="url"
        value={draft.value.postSignInUrl}
        error={errors['postSignInUrl']}
        hint="Leave empty for the built-in completion page."
        onChange={(e) => change({ postSignInUrl: e.target.value })}
      />
    </SettingsSection>
  );
}
