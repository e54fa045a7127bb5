// The realm's verification checks: tick each attestation done, with a note, or have the server mail
// and check a code; the line above says what is missing.
import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type {
  VerificationCheck,
  VerificationPolicy,
} from '../../../../server/contract/realm-config';
import { noteRequired } from '../../../../server/domain/request-lifecycle';
import { verificationProgress } from '../../../../server/domain/verification-policy';
import { requestSelectors, settingsSelectors, useConsole, useConsoleStore } from '../../store';
import { MailedCodeCheck } from './MailedCodeCheck';
import { progressText } from './progress-text';
import { requestAccess } from './request-access';
import { VerificationRecordLine } from './VerificationRecordLine';

/** The element to focus for a check: its note when the realm wants one, else its box or button. */
export function checkFocusTargetId(policy: VerificationPolicy, checkId: string): string {
  const check = policy.checks.find((c) => c.id === checkId);
  if (check?.kind === 'mailed-code') return `mailed-code-send-${checkId}`;
  return noteRequired(policy, checkId) ? `check-${checkId}-note` : `check-${checkId}`;
}

/** The first required check not yet recorded (else the first unrecorded one), in the policy's order. */
export function firstCheckToRecord(
  policy: VerificationPolicy,
  recorded: ReadonlyArray<{ checkId: string }>,
): string | null {
  const done = new Set(recorded.map((r) => r.checkId));
  const open = policy.checks.filter((c) => !done.has(c.id));
  return (open.find((c) => policy.required.includes(c.id)) ?? open[0])?.id ?? null;
}

/** Right after a claim, the keyboard goes to the first check to record (once the panel shows it). */
function useFocusAfterClaim(policy: VerificationPolicy | null, canEditChecks: boolean) {
  const store = useConsoleStore();
  const pending = useConsole(requestSelectors.claimFocus);
  const openId = useConsole((s) => (s.detail ? s.detail.id : null));
  useEffect(() => {
    if (!pending || !policy || pending !== openId || !canEditChecks) return;
    const state = store.getState();
    state.claimFocusDone();
    const checkId = firstCheckToRecord(policy, state.detail?.verification ?? []);
    if (!checkId) return;
    const target = document.getElementById(checkFocusTargetId(policy, checkId));
    target?.focus({ preventScroll: true });
    target?.scrollIntoView?.({ block: 'nearest' });
  }, [pending, policy, openId, canEditChecks, store]);
}

export function VerificationChecks() {
  const policy = useConsole(settingsSelectors.verificationPolicy);
  const verification = useConsole((s) => s.detail?.verification);
  const access = useConsole(useShallow(requestAccess));
  const codeOut = useConsole((s) => s.detail?.state === 'otp-issued');
  const approved = useConsole((s) => s.detail?.approval?.state === 'approved');
  useFocusAfterClaim(policy, access.isOpen && access.canEditChecks);
  if (!policy || !verification) return null;
  const progress = verificationProgress(policy, verification);
  const required = new Set(policy.required);

  if (!access.isOpen) return <RecordedChecks />;

  return (
    <fieldset className="checks" disabled={!access.canEditChecks}>
      <legend className="section-title">Verify the caller</legend>
      <p
        className={`checks-progress ${progress.met ? 'is-met' : ''}`}
        role="status"
        id="checks-progress"
      >
        {codeOut
          ? 'Verified; the passcode is out, so the checks are settled.'
          : progress.met && access.contested
            ? 'Verification complete, but no passcode while the other request is open.'
            : progress.met && access.revealRefusalCode === 'forbidden'
              ? 'Verification complete, but no passcode for a user who is not active in the directory.'
              : progress.met && access.approvalNeeded && !approved
                ? 'Verification complete; the reveal waits for a second approver.'
                : progressText(policy, progress)}
      </p>
      {!access.heldByMe && access.isOpen ? (
        <p className="field-hint">Claim the request to record checks.</p>
      ) : null}
      <ul className="check-list">
        {policy.checks.map((check) =>
          check.kind === 'mailed-code' ? (
            <MailedCodeCheck key={check.id} check={check} required={required.has(check.id)} />
          ) : (
            <CheckRow
              key={check.id}
              check={check}
              required={required.has(check.id)}
              needsNote={noteRequired(policy, check.id)}
            />
          ),
        )}
      </ul>
    </fieldset>
  );
}

function CheckRow({
  check,
  required,
  needsNote,
}: {
  check: VerificationCheck;
  required: boolean;
  /** The realm wants a note saying what was confirmed before this check is recorded. */
  needsNote: boolean;
}) {
  const store = useConsoleStore();
  const record = useConsole((s) => s.detail?.verification.find((r) => r.checkId === check.id));
  const note = useConsole(requestSelectors.note(check.id));
  const ticked = useConsole(requestSelectors.checkTicked(check.id));
  const busy = useConsole((s) => s.busy === `check:${check.id}`);
  const [noteError, setNoteError] = useState<string | null>(null);
  const boxId = `check-${check.id}`;
  const noteId = `${boxId}-note`;

  /** Records the check, unless the realm wants a note and there is none (the server refuses too). */
  const recordCheck = () => {
    if (needsNote && note.trim() === '') {
      setNoteError('Write what you confirmed, and how, before ticking this check.');
      document.getElementById(noteId)?.focus();
      return;
    }
    setNoteError(null);
    void store.getState().setCheck(check.id, true);
  };

  return (
    <li className={`check ${record ? 'is-done' : ''}`}>
      <div className="check-main">
        <input
          id={boxId}
          type="checkbox"
          checked={ticked}
          aria-busy={busy || undefined}
          aria-describedby={`${boxId}-help`}
          onChange={(e) => {
            if (busy) return;
            if (e.target.checked) recordCheck();
            else void store.getState().setCheck(check.id, false);
          }}
        />
        <label htmlFor={boxId}>
          {check.label}
          {required ? <span className="tag tag-required">required</span> : null}
        </label>
      </div>
      <p id={`${boxId}-help`} className="check-help">
        {check.help}
      </p>
      {record ? (
        <VerificationRecordLine record={record} />
      ) : (
        <>
          <input
            id={noteId}
            className="check-note"
            type="text"
            maxLength={500}
            aria-label={`Note for “${check.label}”`}
            aria-required={needsNote || undefined}
            aria-invalid={noteError ? true : undefined}
            aria-describedby={noteError ? `${noteId}-error` : undefined}
            placeholder={
              needsNote
                ? 'Note (required): what was confirmed, how'
                : 'Note: what was confirmed, how'
            }
            value={note}
            onChange={(e) => {
              store.getState().setNote(check.id, e.target.value);
              if (noteError && e.target.value.trim()) setNoteError(null);
            }}
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                e.preventDefault();
                recordCheck();
              }
            }}
          />
          {noteError ? (
            <p id={`${noteId}-error`} className="field-error check-note-error" role="alert">
              {noteError}
            </p>
          ) : null}
        </>
      )}
    </li>
  );
}

/** A closed request: what was recorded, for the record; nothing to tick any more. */
function RecordedChecks() {
  const records = useConsole((s) => s.detail?.verification);
  const checks = useConsole((s) => s.config?.verificationPolicy.checks);
  if (!records) return null;
  const labelOf = (id: string) => checks?.find((c) => c.id === id)?.label ?? id;
  return (
    <section className="checks" aria-labelledby="checks-recorded">
      <h3 id="checks-recorded" className="section-title">
        Checks recorded
      </h3>
      {records.length === 0 ? (
        <p className="field-hint">None.</p>
      ) : (
        <ul className="check-list">
          {records.map((record) => (
            <li key={record.checkId} className="check is-done">
              <p className="check-main">
                <strong>{labelOf(record.checkId)}</strong>
              </p>
              <VerificationRecordLine record={record} flush />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
