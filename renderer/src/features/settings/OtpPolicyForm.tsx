// The passcode policy: how many digits, how long a code lives, how many wrong tries lock it.
import { useShallow } from 'zustand/react/shallow';
import { settingsSelectors, useConsole, useConsoleStore } from '../../store';
import { TextField } from '../../ui/Field';
import { SettingsSection } from './SettingsSection';
import { useDraft } from './use-draft';

export function OtpPolicyForm() {
  const store = useConsoleStore();
  const saved = useConsole(
    useShallow((s) => ({
      length: String(s.config!.otpPolicy.length),
      ttlMinutes: String(s.config!.otpPolicy.ttlMinutes),
      maxAttempts: String(s.config!.otpPolicy.maxAttempts),
    })),
  );
  const draft = useDraft(saved);
  const errors = useConsole(useShallow(settingsSelectors.errorsUnder('otpPolicy')));
  const change = (patch: Partial<typeof saved>) => draft.set((d) => ({ ...d, ...patch }));

  return (
    <SettingsSection
      id="otp-policy"
      title="Passcodes"
      description="Applies to passcodes revealed from now on."
      dirty={draft.dirty}
      onReset={draft.reset}
      onSave={() =>
        void store
          .getState()
          .saveConfig('otp-policy', {
            otpPolicy: {
              length: Number(draft.value.length),
              ttlMinutes: Number(draft.value.ttlMinutes),
              maxAttempts: Number(draft.value.maxAttempts),
            },
          })
          .then((outcome) => outcome.ok && draft.reset())
      }
    >
      <div className="field-row">
        <TextField
          label="Digits"
          type="number"
          min={6}
          max={10}
          value={draft.value.length}
          error={errors['length']}
          onChange={(e) => change({ length: e.target.value })}
        />
        <TextField
          label="Valid for (minutes)"
          type="number"
          min={1}
          max={60}
          value={draft.value.ttlMinutes}
          error={errors['ttlMinutes']}
          onChange={(e) => change({ ttlMinutes: e.target.value })}
        />
        <TextField
          label="Wrong tries before lock"
          type="number"
          min={1}
          max={10}
          value={draft.value.maxAttempts}
          error={errors['maxAttempts']}
          onChange={(e) => change({ maxAttempts: e.target.value })}
        />
      </div>
      {errors['_'] ? <p className="field-error">{errors['_']}</p> : null}
    </SettingsSection>
  );
}
