// The realm's sign-in workflow (the five options) and how long a persistent token lasts.
import { useShallow } from 'zustand/react/shallow';
import { WORKFLOWS, type Workflow } from '../../../../server/contract/realm-config';
import { settingsSelectors, useConsole, useConsoleStore } from '../../store';
import { TextField } from '../../ui/Field';
import { SettingsSection } from './SettingsSection';
import { useDraft } from './use-draft';

const WORKFLOW_LABELS: Record<Workflow, string> = {
  'username|second-factor': 'Username, then second factor',
  'username-password|second-factor': 'Username and password, then second factor',
  'username|second-factor|password': 'Username, then second factor, then password',
  'persistent-token|second-factor': 'Persistent token, then second factor',
  'persistent-token|second-factor|password': 'Persistent token, then second factor, then password',
};

export function WorkflowForm() {
  const store = useConsoleStore();
  const saved = useConsole(
    useShallow((s) => ({
      workflow: s.config!.workflow,
      lifetimeDays: String(s.config!.persistentToken.lifetimeDays),
    })),
  );
  const draft = useDraft(saved);
  const errors = useConsole(useShallow(settingsSelectors.errorsUnder('')));

  return (
    <SettingsSection
      id="workflow"
      title="Workflow"
      description="The steps an end-user goes through; the help desk stands in for the second factor."
      dirty={draft.dirty}
      onReset={draft.reset}
      onSave={() =>
        void store
          .getState()
          .saveConfig('workflow', {
            workflow: draft.value.workflow,
            persistentToken: { lifetimeDays: Number(draft.value.lifetimeDays) },
          })
          .then((outcome) => outcome.ok && draft.reset())
      }
    >
      <div className="field">
        <label htmlFor="settings-workflow-select">Default workflow</label>
        <select
          id="settings-workflow-select"
          value={draft.value.workflow}
          aria-invalid={errors['workflow'] ? true : undefined}
          onChange={(e) => draft.set((d) => ({ ...d, workflow: e.target.value as Workflow }))}
        >
          {WORKFLOWS.map((workflow) => (
            <option key={workflow} value={workflow}>
              {WORKFLOW_LABELS[workflow]}
            </option>
          ))}
        </select>
        {errors['workflow'] ? <p className="field-error">{errors['workflow']}</p> : null}
      </div>
      <TextField
        label="Persistent token lifetime (days)"
        type="number"
        min={1}
        max={365}
        value={draft.value.lifetimeDays}
        error={errors['persistentToken.lifetimeDays']}
        onChange={(e) => draft.set((d) => ({ ...d, lifetimeDays: e.target.value }))}
      />
    </SettingsSection>
  );
}
