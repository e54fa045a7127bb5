// When a waiting request's row turns amber, then red, in every agent's queue.
import { useShallow } from 'zustand/react/shallow';
import { settingsSelectors, useConsole, useConsoleStore } from '../../store';
import { TextField } from '../../ui/Field';
import { SettingsSection } from './SettingsSection';
import { useDraft } from './use-draft';

export function QueueUrgencyForm() {
  const store = useConsoleStore();
  const saved = useConsole(
    useShallow((s) => ({
      warnAfterMinutes: String(s.config!.queueUrgency.warnAfterMinutes),
      urgentAfterMinutes: String(s.config!.queueUrgency.urgentAfterMinutes),
    })),
  );
  const draft = useDraft(saved);
  const errors = useConsole(useShallow(settingsSelectors.errorsUnder('queueUrgency')));
  const change = (patch: Partial<typeof saved>) => draft.set((d) => ({ ...d, ...patch }));

  return (
    <SettingsSection
      id="queue-urgency"
      title="Queue"
      description="How long a caller may wait for an agent before their row stands out in every queue."
      dirty={draft.dirty}
      onReset={draft.reset}
      onSave={() =>
        void store
          .getState()
          .saveConfig('queue-urgency', {
            queueUrgency: {
              warnAfterMinutes: Number(draft.value.warnAfterMinutes),
              urgentAfterMinutes: Number(draft.value.urgentAfterMinutes),
            },
          })
          .then((outcome) => outcome.ok && draft.reset())
      }
    >
      <div className="field-row">
        <TextField
          label="Amber after (minutes)"
          type="number"
          min={1}
          max={120}
          value={draft.value.warnAfterMinutes}
          error={errors['warnAfterMinutes']}
          onChange={(e) => change({ warnAfterMinutes: e.target.value })}
        />
        <TextField
          label="Red after (minutes)"
          type="number"
          min={1}
          max={240}
          value={draft.value.urgentAfterMinutes}
          error={errors['urgentAfterMinutes']}
          onChange={(e) => change({ urgentAfterMinutes: e.target.value })}
        />
      </div>
      <p className="field-hint">
        Counted from when the user submitted the request, while nobody has claimed it.
      </p>
      {errors['_'] ? <p className="field-error">{errors['_']}</p> : null}
    </SettingsSection>
  );
}
