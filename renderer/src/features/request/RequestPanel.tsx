// The open request: who is calling (and the signals against them), the checks, the actions, the
// passcode. Its reference, caller and actions stay at the top (sticky) while the rest scrolls.
import { useLayoutEffect, useRef } from 'react';
import { requestSelectors, useConsole, useConsoleStore } from '../../store';
import { ApprovalBox } from './ApprovalBox';
import { CallerDetails } from './CallerDetails';
import { ClosedNotice } from './ClosedNotice';
import { ContestedNotice } from './ContestedNotice';
import { RequestActions } from './RequestActions';
import { requestAccess } from './request-access';
import { RequestHeader } from './RequestHeader';
import { RevealBox } from './RevealBox';
import { VerificationChecks } from './VerificationChecks';

export function RequestPanel() {
  const store = useConsoleStore();
  const openId = useConsole(requestSelectors.openId);
  const detail = useConsole(requestSelectors.detail);
  const status = useConsole(requestSelectors.detailStatus);
  const error = useConsole(requestSelectors.detailError);
  const actionError = useConsole(requestSelectors.actionError);
  // Once a code is out the checks are settled: the passcode goes first, where the eye is.
  const codeOut = useConsole((s) => s.detail?.state === 'otp-issued');
  // Someone else's request waiting for (or given) a second approval: the decision goes first, the
  // checks it rests on below, and it stays there once decided.
  const deciding = useConsole((s) => {
    const access = requestAccess(s);
    return access.canDecideApproval || (access.isOpen && !access.heldByMe && !!s.detail?.approval);
  });

  // What scrolls into view (the passcode, a check) stops below the sticky header, however tall.
  const sticky = useRef<HTMLDivElement>(null);
  const hasDetail = !!detail;
  useLayoutEffect(() => {
    const element = sticky.current;
    const panel = element?.parentElement;
    if (!element || !panel || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(() =>
      panel.style.setProperty('--request-sticky-height', `${element.offsetHeight}px`),
    );
    observer.observe(element);
    return () => observer.disconnect();
  }, [hasDetail]);

  if (!openId)
    return (
      <section className="request-panel request-placeholder" aria-label="Request">
        <p>Select a request from the queue to see the caller and verify them.</p>
        <p className="field-hint">
          In the list: <kbd>↑</kbd> <kbd>↓</kbd> to move, <kbd>Enter</kbd> to open, <kbd>C</kbd> to
          claim. Anywhere: <kbd>/</kbd> to search, <kbd>R</kbd> to reveal, <kbd>Esc</kbd> back to
          the list, <kbd>?</kbd> for every key.
        </p>
      </section>
    );

  if (!detail)
    return (
      <section className="request-panel request-placeholder" aria-label="Request">
        {status === 'error' ? (
          <p className="notice notice-error" role="alert">
            This request could not be opened: {error}
          </p>
        ) : (
          <p role="status">Opening the request…</p>
        )}
      </section>
    );

  return (
    // Focusable so that keyboard users can scroll it even when nothing in it is actionable.
    <section className="request-panel" aria-labelledby="request-heading" tabIndex={0}>
      <div className="request-sticky" ref={sticky}>
        <RequestHeader />
        <RequestActions />
      </div>
      <ClosedNotice />
      <ContestedNotice />
      {actionError ? (
        <div className="notice notice-error notice-row" role="alert">
          <span>{actionError}</span>
          <button
            type="button"
            className="button button-link"
            onClick={() => store.getState().dismissActionError()}
          >
            Dismiss
          </button>
        </div>
      ) : null}
      <div className="request-columns">
        <CallerDetails />
        <div className="request-work">
          {deciding ? (
            <>
              <ApprovalBox />
              <VerificationChecks />
              <RevealBox docked />
            </>
          ) : codeOut ? (
            <>
              <RevealBox />
              <VerificationChecks />
              <ApprovalBox />
            </>
          ) : (
            <>
              <VerificationChecks />
              <ApprovalBox />
              <RevealBox docked />
            </>
          )}
        </div>
      </div>
    </section>
  );
}
