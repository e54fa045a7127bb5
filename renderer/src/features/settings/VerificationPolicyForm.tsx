// The verification policy: the checks agents record (their word, or a code the server mails and
// checks), which are required, how many in all, and which directory fields agents see only masked.
import { useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import {
  MASKABLE_FIELDS,
  VERIFICATION_CHECK_KINDS,
  type MaskableField,
  type VerificationCheck,
  type VerificationPolicy,
} from '../../../../server/contract/realm-config';
import { mailSelectors, settingsSelectors, useConsole, useConsoleStore } from '../../store';
import { checkIdFromLabel } from '../../lib/check-id';
import { TextField } from '../../ui/Field';
import { SettingsSection } from './SettingsSection';
import { useDraft } from './use-draft';

const MASKABLE_LABELS: Record<MaskableField, string> = {
  email: 'Email',
  phone: 'Phone',
  employeeId: 'Employee ID',
  department: 'Department',
  manager: 'Manager',
};

type CheckKind = VerificationCheck['kind'];

export const CHECK_KIND_WORDS: Record<CheckKind, string> = {
  attestation: 'Agent confirms (with a note)',
  'mailed-code': 'Code mailed to the address on file (checked by the server)',
};

/** What "Add mailed-code check" starts from; the admin may reword it. */
const MAILED_CODE_CHECK: VerificationCheck = {
  kind: 'mailed-code',
  id: '',
  label: 'Caller read back the code mailed to the address on file',
  help: 'Send the code, ask the caller to read it from their mailbox, type it in. Never accept an address the caller gives.',
};

interface CheckDraft extends VerificationCheck {
  /**
   * Ids of saved checks stay fixed: past records refer to them. A new check's id is made from its
   * label when it is saved; admins never see or type ids.
   */
  saved: boolean;
  required: boolean;
}

interface PolicyDraft {
  checks: CheckDraft[];
  minimumChecks: string;
  maskedFields: MaskableField[];
  notesRequired: VerificationPolicy['notesRequired'];
}

const NOTES_REQUIRED_WORDS: Record<VerificationPolicy['notesRequired'], string> = {
  none: 'No check',
  required: 'The required checks',
  all: 'Every check',
};

export function VerificationPolicyForm() {
  const store = useConsoleStore();
  const policy = useConsole((s) => s.config!.verificationPolicy);
  const source = useMemo(() => toDraft(policy), [policy]);
  const draft = useDraft<PolicyDraft>(source);
  const errors = useConsole(useShallow(settingsSelectors.errorsUnder('verificationPolicy')));
  const mailEnabled = useConsole(mailSelectors.enabled);
  const value = draft.value;
  const update = (patch: Partial<PolicyDraft>) => draft.set((d) => ({ ...d, ...patch }));
  const updateCheck = (index: number, patch: Partial<CheckDraft>) =>
    update({ checks: value.checks.map((c, i) => (i === index ? { ...c, ...patch } : c)) });

  const save = () => {
    const checks = withIds(value.checks);
    void store
      .getState()
      .saveConfig('verification-policy', {
        verificationPolicy: {
          checks: checks.map(({ kind, id, label, help }) => ({ kind, id, label, help })),
          required: checks.filter((c) => c.required).map((c) => c.id),
          minimumChecks: Number(value.minimumChecks),
          maskedFields: value.maskedFields,
          notesRequired: value.notesRequired,
        },
      })
      .then((outcome) => outcome.ok && draft.reset());
  };

  return (
    <SettingsSection
      id="verification-policy"
      title="Verification"
      description="What an agent must confirm about a caller before a passcode can be revealed."
      dirty={draft.dirty}
      onReset={draft.reset}
      onSave={save}
    >
      {!mailEnabled && value.checks.some((c) => c.kind === 'mailed-code') ? (
        <p className="notice notice-warn" role="status">
          Mail is not enabled: a mailed-code check cannot be done until it is (Settings → Mail), so
          a policy that needs it blocks every reveal.
        </p>
      ) : null}
      <ol className="policy-checks">
        {value.checks.map((check, index) => (
          <li key={index} className="policy-check">
            <TextField
              label="Check"
              value={check.label}
              maxLength={80}
              error={errors[`checks.${index}.label`] ?? errors[`checks.${index}.id`]}
              onChange={(e) => updateCheck(index, { label: e.target.value })}
            />
            <div className="field">
              <label htmlFor={`policy-kind-${index}`}>How it is checked</label>
              <select
                id={`policy-kind-${index}`}
                value={check.kind}
                onChange={(e) => updateCheck(index, { kind: e.target.value as CheckKind })}
              >
                {VERIFICATION_CHECK_KINDS.map((kind) => (
                  <option key={kind} value={kind}>
                    {CHECK_KIND_WORDS[kind]}
                  </option>
                ))}
              </select>
              {errors[`checks.${index}.kind`] ? (
                <p className="field-error">{errors[`checks.${index}.kind`]}</p>
              ) : null}
            </div>
            <TextField
              label="Guidance for agents"
              value={check.help}
              maxLength={300}
              error={errors[`checks.${index}.help`]}
              onChange={(e) => updateCheck(index, { help: e.target.value })}
            />
            <div className="policy-check-foot">
              <div className="field field-check">
                <input
                  id={`policy-required-${index}`}
                  type="checkbox"
                  checked={check.required}
                  onChange={(e) => updateCheck(index, { required: e.target.checked })}
                />
                <label htmlFor={`policy-required-${index}`}>Always required</label>
              </div>
              <button
                type="button"
                className="button button-quiet"
                aria-label={`Remove check “${check.label || index + 1}”`}
                disabled={value.checks.length <= 1}
                onClick={() => update({ checks: value.checks.filter((_, i) => i !== index) })}
              >
                Remove
              </button>
            </div>
          </li>
        ))}
      </ol>
      {errors['checks'] ? <p className="field-error">{errors['checks']}</p> : null}
      {Object.entries(errors)
        .filter(([key]) => key.startsWith('required.'))
        .map(([key, message]) => (
          <p key={key} className="field-error">
            {message}
          </p>
        ))}
      <button
        type="button"
        className="button"
        disabled={value.checks.length >= 12}
        onClick={() =>
          update({
            checks: [
              ...value.checks,
              { kind: 'attestation', id: '', label: '', help: '', saved: false, required: false },
            ],
          })
        }
      >
        Add a check
      </button>{' '}
      <button
        type="button"
        className="button"
        disabled={
          value.checks.length >= 12 ||
          value.checks.some((c) => (c.saved ? c.id === 'mailed-code' : c.kind === 'mailed-code'))
        }
        onClick={() =>
          update({
            checks: [...value.checks, { ...MAILED_CODE_CHECK, saved: false, required: false }],
          })
        }
      >
        Add mailed-code check
      </button>
      <TextField
        label="Checks needed in all (required ones included)"
        type="number"
        min={1}
        max={12}
        className="field-narrow"
        value={value.minimumChecks}
        error={errors['minimumChecks']}
        onChange={(e) => update({ minimumChecks: e.target.value })}
      />
      <div className="field field-short-control">
        <label htmlFor="policy-notes-required">Notes required</label>
        <select
          id="policy-notes-required"
          value={value.notesRequired}
          aria-describedby="policy-notes-required-hint"
          aria-invalid={errors['notesRequired'] ? true : undefined}
          onChange={(e) =>
            update({ notesRequired: e.target.value as PolicyDraft['notesRequired'] })
          }
        >
          {(Object.keys(NOTES_REQUIRED_WORDS) as PolicyDraft['notesRequired'][]).map((level) => (
            <option key={level} value={level}>
              {NOTES_REQUIRED_WORDS[level]}
            </option>
          ))}
        </select>
        <p id="policy-notes-required-hint" className="field-hint">
          Which checks an agent must record with a note saying what was confirmed and how.
        </p>
        {errors['notesRequired'] ? <p className="field-error">{errors['notesRequired']}</p> : null}
      </div>
      <fieldset className="checkbox-group">
        <legend>Show agents these directory fields only masked</legend>
        {MASKABLE_FIELDS.map((field) => (
          <div key={field} className="field field-check field-inline-check">
            <input
              id={`mask-${field}`}
              type="checkbox"
              checked={value.maskedFields.includes(field)}
              onChange={(e) =>
                update({
                  maskedFields: e.target.checked
                    ? [...value.maskedFields, field]
                    : value.maskedFields.filter((f) => f !== field),
                })
              }
            />
            <label htmlFor={`mask-${field}`}>{MASKABLE_LABELS[field]}</label>
          </div>
        ))}
      </fieldset>
    </SettingsSection>
  );
}

/** The checks with an id each: saved ones keep theirs, new ones get one made from their label. */
function withIds(checks: CheckDraft[]): CheckDraft[] {
  const taken = checks.filter((c) => c.saved).map((c) => c.id);
  return checks.map((check) => {
    if (check.saved) return check;
    // The mailed-code check keeps the name it has always had; an attestation is named by its label.
    const id = checkIdFromLabel(check.kind === 'mailed-code' ? 'mailed-code' : check.label, taken);
    taken.push(id);
    return { ...check, id };
  });
}

function toDraft(policy: VerificationPolicy): PolicyDraft {
  return {
    checks: policy.checks.map((check) => ({
      ...check,
      saved: true,
      required: policy.required.includes(check.id),
    })),
    minimumChecks: String(policy.minimumChecks),
    maskedFields: [...policy.maskedFields],
    notesRequired: policy.notesRequired,
  };
}
