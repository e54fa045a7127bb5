// Risk and approval: what each server-noticed signal weighs, where medium and high risk start, which
// requests need a second approver, how long "Suspicious caller" blocks the user, and the caps.
import { useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import {
  RISK_SIGNALS,
  RISK_SIGNAL_LABELS,
  type RiskPolicy,
  type RiskSignalId,
} from '../../../../server/contract/risk';
import { settingsSelectors, useConsole, useConsoleStore } from '../../store';
import { TextField } from '../../ui/Field';
import { SettingsSection } from './SettingsSection';
import { useDraft } from './use-draft';

type AtLevel = RiskPolicy['secondApprover']['atLevel'];

const AT_LEVEL_WORDS: Record<AtLevel, string> = {
  medium: 'Medium or high risk',
  high: 'High risk',
  never: 'Never by risk level',
};

/** Numbers as typed, so that a half-typed field is not turned into 0 under the admin's fingers. */
interface RiskDraft {
  weights: Record<RiskSignalId, string>;
  mediumAt: string;
  highAt: string;
  recentRequestsAtLeast: string;
  directoryChangedDays: string;
  privileged: boolean;
  atLevel: AtLevel;
  suspiciousBlockHours: string;
  passcodesPerUserPerDay: string;
  revealsPerAgentPerHour: string;
}

function toDraft(policy: RiskPolicy): RiskDraft {
  return {
    weights: Object.fromEntries(
      RISK_SIGNALS.map((id) => [id, String(policy.weights[id])]),
    ) as Record<RiskSignalId, string>,
    mediumAt: String(policy.mediumAt),
    highAt: String(policy.highAt),
    recentRequestsAtLeast: String(policy.recentRequestsAtLeast),
    directoryChangedDays: String(policy.directoryChangedDays),
    privileged: policy.secondApprover.privileged,
    atLevel: policy.secondApprover.atLevel,
    suspiciousBlockHours: String(policy.suspiciousBlockHours),
    passcodesPerUserPerDay: String(policy.caps.passcodesPerUserPerDay),
    revealsPerAgentPerHour: String(policy.caps.revealsPerAgentPerHour),
  };
}

function fromDraft(draft: RiskDraft): RiskPolicy {
  return {
    weights: Object.fromEntries(
      RISK_SIGNALS.map((id) => [id, Number(draft.weights[id])]),
    ) as Record<RiskSignalId, number>,
    mediumAt: Number(draft.mediumAt),
    highAt: Number(draft.highAt),
    recentRequestsAtLeast: Number(draft.recentRequestsAtLeast),
    directoryChangedDays: Number(draft.directoryChangedDays),
    secondApprover: { privileged: draft.privileged, atLevel: draft.atLevel },
    suspiciousBlockHours: Number(draft.suspiciousBlockHours),
    caps: {
      passcodesPerUserPerDay: Number(draft.passcodesPerUserPerDay),
      revealsPerAgentPerHour: Number(draft.revealsPerAgentPerHour),
    },
  };
}

export function RiskPolicyForm() {
  const store = useConsoleStore();
  const policy = useConsole((s) => s.config!.riskPolicy);
  const source = useMemo(() => toDraft(policy), [policy]);
  const draft = useDraft<RiskDraft>(source);
  const errors = useConsole(useShallow(settingsSelectors.errorsUnder('riskPolicy')));
  const value = draft.value;
  const change = (patch: Partial<RiskDraft>) => draft.set((d) => ({ ...d, ...patch }));

  const save = () => {
    void store
      .getState()
      .saveConfig('risk-policy', { riskPolicy: fromDraft(draft.value) })
      .then((outcome) => outcome.ok && draft.reset());
  };

  return (
    <SettingsSection
      id="risk-policy"
      title="Risk & approval"
      description="The server notices things about each request; their points add up to a score that agents see as low, medium or high risk. Risky requests can need a second person’s approval before a passcode is revealed."
      dirty={draft.dirty}
      onReset={draft.reset}
      onSave={save}
    >
      <fieldset>
        <legend>Points per signal (0 ignores it)</legend>
        <div className="risk-weights">
          {RISK_SIGNALS.map((id) => (
            <TextField
              key={id}
              label={RISK_SIGNAL_LABELS[id]}
              type="number"
              min={0}
              max={100}
              value={value.weights[id]}
              error={errors[`weights.${id}`]}
              onChange={(e) => change({ weights: { ...value.weights, [id]: e.target.value } })}
            />
          ))}
        </div>
      </fieldset>
      <div className="field-row">
        <TextField
          label="Medium risk from score"
          type="number"
          min={1}
          max={1000}
          value={value.mediumAt}
          error={errors['mediumAt']}
          onChange={(e) => change({ mediumAt: e.target.value })}
        />
        <TextField
          label="High risk from score"
          type="number"
          min={1}
          max={1000}
          value={value.highAt}
          error={errors['highAt']}
          onChange={(e) => change({ highAt: e.target.value })}
        />
      </div>
      <div className="field-row">
        <TextField
          label="Other requests in 24 hours that count"
          type="number"
          min={1}
          max={50}
          value={value.recentRequestsAtLeast}
          error={errors['recentRequestsAtLeast']}
          hint="At least this many other requests for the user make the signal count."
          onChange={(e) => change({ recentRequestsAtLeast: e.target.value })}
        />
        <TextField
          label="Account changed within (days)"
          type="number"
          min={1}
          max={90}
          value={value.directoryChangedDays}
          error={errors['directoryChangedDays']}
          hint="A directory change this recent counts as a signal."
          onChange={(e) => change({ directoryChangedDays: e.target.value })}
        />
      </div>
      <fieldset>
        <legend>Second approver before the reveal</legend>
        <div className="field field-check">
          <input
            id="risk-approver-privileged"
            type="checkbox"
            checked={value.privileged}
            onChange={(e) => change({ privileged: e.target.checked })}
          />
          <label htmlFor="risk-approver-privileged">For privileged users</label>
          {errors['secondApprover.privileged'] ? (
            <p className="field-error">{errors['secondApprover.privileged']}</p>
          ) : null}
        </div>
        <div className="field field-short-control">
          <label htmlFor="risk-approver-level">For requests at</label>
          <select
            id="risk-approver-level"
            value={value.atLevel}
            aria-invalid={errors['secondApprover.atLevel'] ? true : undefined}
            onChange={(e) => change({ atLevel: e.target.value as AtLevel })}
          >
            {(Object.keys(AT_LEVEL_WORDS) as AtLevel[]).map((level) => (
              <option key={level} value={level}>
                {AT_LEVEL_WORDS[level]}
              </option>
            ))}
          </select>
          {errors['secondApprover.atLevel'] ? (
            <p className="field-error">{errors['secondApprover.atLevel']}</p>
          ) : null}
        </div>
        <p className="field-hint">
          Another agent of the desk or an admin approves; never the agent holding the request, never
          the user themself.
        </p>
      </fieldset>
      <div className="field-row">
        <TextField
          label="“Suspicious caller” blocks the user for (hours)"
          className="field-short-control"
          type="number"
          min={1}
          max={24 * 90}
          value={value.suspiciousBlockHours}
          error={errors['suspiciousBlockHours']}
          hint="An admin can clear it sooner in Blocked users."
          onChange={(e) => change({ suspiciousBlockHours: e.target.value })}
        />
      </div>
      <div className="field-row">
        <TextField
          label="Passcodes per user in 24 hours"
          type="number"
          min={1}
          max={100}
          value={value.passcodesPerUserPerDay}
          error={errors['caps.passcodesPerUserPerDay']}
          onChange={(e) => change({ passcodesPerUserPerDay: e.target.value })}
        />
        <TextField
          label="Reveals per agent in an hour"
          type="number"
          min={1}
          max={1000}
          value={value.revealsPerAgentPerHour}
          error={errors['caps.revealsPerAgentPerHour']}
          onChange={(e) => change({ revealsPerAgentPerHour: e.target.value })}
        />
      </div>
      <p className="field-hint">Reaching a cap refuses the reveal and alerts the admins.</p>
      {errors['_'] ? <p className="field-error">{errors['_']}</p> : null}
    </SettingsSection>
  );
}
