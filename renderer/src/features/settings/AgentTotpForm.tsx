// Who must use an authenticator app at agent sign-in: nobody, admins, or everyone.
import { useConsole, useConsoleStore } from '../../store';
import type { RealmConfig } from '../../../../server/contract/realm-config';
import { SettingsSection } from './SettingsSection';
import { useDraft } from './use-draft';

type Rule = RealmConfig['agentTotp'];

const RULES: Array<{ value: Rule; label: string; hint: string }> = [
  { value: 'none', label: 'Nobody', hint: 'Password only (agents may still enrol an app).' },
  { value: 'admins', label: 'Admins', hint: 'Admins enrol an app at their next sign-in.' },
  {
    value: 'everyone',
    label: 'Everyone',
    hint: 'Every agent enrols an app at their next sign-in.',
  },
];

export function AgentTotpForm() {
  const store = useConsoleStore();
  const saved = useConsole((s) => s.config!.agentTotp);
  const error = useConsole((s) => s.configErrors['agentTotp']);
  const draft = useDraft<Rule>(saved);

  return (
    <SettingsSection
      id="agent-totp"
      title="Agent sign-in"
      description="Who needs a code from an authenticator app, besides the password."
      dirty={draft.dirty}
      onReset={draft.reset}
      onSave={() =>
        void store
          .getState()
          .saveConfig('agent-totp', { agentTotp: draft.value })
          .then((outcome) => outcome.ok && draft.reset())
      }
    >
      <fieldset className="radio-group">
        <legend>Require an authenticator app for</legend>
        {RULES.map((rule) => (
          <div key={rule.value} className="field field-check">
            <input
              id={`agent-totp-${rule.value}`}
              type="radio"
              name="agent-totp"
              value={rule.value}
              checked={draft.value === rule.value}
              aria-describedby={`agent-totp-${rule.value}-hint`}
              onChange={() => draft.set(rule.value)}
            />
            <label htmlFor={`agent-totp-${rule.value}`}>{rule.label}</label>
            <p id={`agent-totp-${rule.value}-hint`} className="field-hint">
              {rule.hint}
            </p>
          </div>
        ))}
        {error ? <p className="field-error">{error}</p> : null}
      </fieldset>
    </SettingsSection>
  );
}
