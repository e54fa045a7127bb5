// Reveal: the passcode large and grouped for reading aloud, its countdown, auto-hide, and reveal again.
import { useEffect, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { verificationProgress } from '../../../../server/domain/verification-policy';
import { formatCountdown, groupOtp } from '../../lib/otp-format';
import { useServerNow } from '../queue/use-server-now';
import { OTP_VISIBLE_MS } from '../../store/request-slice';
import type { RevealedOtp } from '../../store/request-state';
import { requestSelectors, useConsole, useConsoleStore } from '../../store';
import { ConfirmDialog } from '../../ui/Dialog';
import { progressText } from './progress-text';
import { requestAccess } from './request-access';

/** `docked`: the box comes last in its column, so it stays at the foot of the panel until a code is out. */
export function RevealBox({ docked = false }: { docked?: boolean }) {
  const store = useConsoleStore();
  const access = useConsole(useShallow(requestAccess));
  const revealed = useConsole(requestSelectors.revealed);
  const busy = useConsole(requestSelectors.busy);
  const issued = useConsole(useShallow((s) => ({ otp: s.detail?.otp ?? null, id: s.detail?.id })));
  const why = useConsole((s) => {
    const policy = s.config?.verificationPolicy;
    const records = s.detail?.verification;
    return policy && records ? progressText(policy, verificationProgress(policy, records)) : '';
  });
  const contestedWith = useConsole((s) => s.detail?.contestedWith.join(', ') ?? '');
  const [confirming, setConfirming] = useState(false);

  if (!access.isOpen) return null;
  const mine = revealed && revealed.requestId === issued.id ? revealed : null;
  const codeOut = issued.otp !== null;

  return (
    <section
      className={`reveal${docked && !codeOut ? ' reveal-docked' : ''}`}
      aria-labelledby="reveal-heading"
    >
      <h3 id="reveal-heading" className="section-title">
        Passcode
      </h3>
      {mine ? (
        <ShownCode revealed={mine} />
      ) : codeOut && issued.otp ? (
        <IssuedElsewhere issuedAt={issued.otp.issuedAt} expiresAt={issued.otp.expiresAt} />
      ) : null}

      {!codeOut ? (
        <>
          <button
            type="button"
            className="button button-primary button-large"
            disabled={!access.canReveal || busy !== null}
            aria-describedby="reveal-why"
            aria-keyshortcuts="R"
            onClick={() => void store.getState().reveal()}
          >
            {busy === 'reveal' ? 'Revealing…' : 'Reveal passcode'}
          </button>
          <p id="reveal-why" className="field-hint">
            {access.directoryUnavailable
              ? 'Unavailable: the directory does not answer, so no passcode can be revealed until it does.'
              : access.contested
                ? `Not while contested: deny the other request (${contestedWith}) first.`
                : !access.heldByMe
                  ? access.holder
                    ? `Only ${access.holder}, who holds the request, can reveal the passcode.`
                    : 'Claim the request and verify the caller first.'
                  : access.canReveal
                    ? 'Read the passcode to the caller only; it works once, from their browser.'
                    : access.revealRefusalCode === 'verification-incomplete'
                      ? `Not yet: ${why}.`
                      : access.revealRefusal}
          </p>
        </>
      ) : access.heldByMe ? (
        <>
          <button
            type="button"
            className="button"
            disabled={busy !== null || !access.canReveal}
            aria-describedby={
              access.contested || access.directoryUnavailable ? 'reveal-why' : undefined
            }
            onClick={() => setConfirming(true)}
          >
            Reveal again…
          </button>
          {access.directoryUnavailable ? (
            <p id="reveal-why" className="field-hint">
              Unavailable: the directory does not answer, so no passcode can be revealed until it
              does.
            </p>
          ) : access.contested ? (
            <p id="reveal-why" className="field-hint">
              Not while contested: deny the other request ({contestedWith}) first.
            </p>
          ) : null}
        </>
      ) : null}

      {confirming ? (
        <ConfirmDialog
          title="Reveal a new passcode?"
          confirmLabel="Reveal new passcode"
          onConfirm={() => void store.getState().reveal()}
          onClose={() => setConfirming(false)}
        >
          <p>
            A new passcode replaces the one already issued: the old one stops working at once. Every
            reveal is recorded in the audit log.
          </p>
        </ConfirmDialog>
      ) : null}
    </section>
  );
}

function ShownCode({ revealed }: { revealed: RevealedOtp }) {
  const store = useConsoleStore();
  const busy = useConsole(requestSelectors.busy);
  const now = useServerNow();
  const box = useRef<HTMLDivElement>(null);
  // A fresh code (first or new reveal) is brought into view, however far the panel is scrolled; its
  // scroll margin keeps it clear of the sticky header above it.
  useEffect(() => {
    box.current?.scrollIntoView?.({ block: 'nearest' });
  }, [revealed.revealCount]);
  const left = (revealed.expiresAt - now) / 1000;
  if (left <= 0)
    return (
      <p className="notice notice-warn" role="status">
        This passcode has expired. Reveal again to issue a new one if the caller still needs it.
      </p>
    );
  if (!revealed.visible)
    return (
      <div className="otp otp-hidden">
        <div>
          <p>Passcode hidden. It is still valid for {formatCountdown(left)}.</p>
          <p id="otp-show-note" className="otp-hidden-note">
            Showing it again is recorded in the audit log.
          </p>
        </div>
        <button
          type="button"
          className="button"
          disabled={busy !== null}
          aria-describedby="otp-show-note"
          onClick={() => void store.getState().showOtp()}
        >
          {busy === 'show-otp' ? 'Recording…' : 'Show passcode'}
        </button>
      </div>
    );
  const groups = groupOtp(revealed.otp);
  return (
    <div className="otp" ref={box}>
      <p className="otp-label">
        Read out to the caller{revealed.revealCount > 1 ? ` (reveal #${revealed.revealCount})` : ''}
        :
      </p>
      <output className="otp-digits" aria-label={`Passcode ${groups.join(' ')}`}>
        {groups.map((group, index) => (
          <span key={index} className="otp-group">
            {group}
          </span>
        ))}
      </output>
      <p className="otp-meta">
        <span>
          Expires in <strong>{formatCountdown(left)}</strong>
        </span>
        <span>Hides itself after {OTP_VISIBLE_MS / 1000} s</span>
        <button
          type="button"
          className="button button-link"
          onClick={() => store.getState().hideOtp()}
        >
          Hide now
        </button>
      </p>
    </div>
  );
}

function IssuedElsewhere({ issuedAt, expiresAt }: { issuedAt: number; expiresAt: number }) {
  const now = useServerNow();
  const left = (expiresAt - now) / 1000;
  return (
    <p className="notice notice-info">
      A passcode was issued at {new Date(issuedAt).toLocaleTimeString()}
      {left > 0 ? `; it is valid for ${formatCountdown(left)} more` : '; it has expired'}. It is
      never shown twice: reveal again to issue a new one.
    </p>
  );
}
