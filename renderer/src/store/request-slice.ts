// The request an agent has open: its details, the checks being recorded, actions, and the revealed passcode.
import type { RequestView } from '../../../server/contract/request-view';
import type { ActionOutcome, RequestAction, RequestSlice, RevealedOtp } from './request-state';
import type { ConsoleState, SliceCreator } from './state';
import type { ConsoleRuntime } from './types';
import { fieldsOf, messageOf } from './types';

/** How long a revealed passcode stays on screen before it hides itself. */
export const OTP_VISIBLE_MS = 30_000;

const idle = {
  openId: null,
  detail: null,
  detailStatus: 'idle' as const,
  detailError: null,
  notes: {},
  busy: null,
  actionError: null,
  checkIntents: {},
  revealed: null,
  codeCheck: null,
  claimFocus: null,
};

export function createRequestSlice(runtime: ConsoleRuntime): SliceCreator<RequestSlice> {
  return (set, get) => {
    let hideTimer: ReturnType<typeof setTimeout> | undefined;
    const stopHideTimer = () => {
      if (hideTimer) clearTimeout(hideTimer);
      hideTimer = undefined;
    };
    const showFor = (revealed: RevealedOtp) => {
      stopHideTimer();
      set({ revealed: { ...revealed, visible: true } });
      hideTimer = setTimeout(() => {
        hideTimer = undefined;
        const current = get().revealed;
        if (current) set({ revealed: { ...current, visible: false } });
      }, OTP_VISIBLE_MS);
    };
    const forgetOtp = () => {
      stopHideTimer();
      set({ revealed: null });
    };

    /** The answer of an action on a request: into the queue, the open view and the approvals. */
    const took = (request: RequestView) => {
      get().upsertRequest(request);
      get().applyRequestUpdate(request);
      get().applyApproval(request);
    };

    /** An action taken in a dialog: a refusal shows next to its field, the panel need not repeat it. */
    const inDialog = async (outcome: Promise<ActionOutcome>) => {
      const settled = await outcome;
      if (!settled.ok) set({ actionError: null });
      return settled;
    };

    /** Runs one action on the open request, tracking it as busy and keeping its error. */
    const act = async (name: RequestAction, run: () => Promise<void>): Promise<ActionOutcome> => {
      set({ busy: name, actionError: null });
      try {
        await run();
        return { ok: true };
      } catch (error) {
        const message = messageOf(error);
        set({ actionError: message });
        return { ok: false, message, fields: fieldsOf(error) };
      } finally {
        if (get().busy === name) set({ busy: null });
      }
    };

    const openIdOrThrow = () => {
      const id = get().openId;
      if (!id) throw new Error('Open a request first.');
      return id;
    };

    return {
      ...idle,

      async openRequest(id) {
        if (get().openId !== id) {
          forgetOtp();
          set({ ...idle, openId: id, detailStatus: 'loading', screen: 'queue', activeId: id });
        }
        await get().refreshOpenRequest();
      },

      async refreshOpenRequest() {
        const id = get().openId;
        if (!id) return;
        try {
          const detail = await runtime.request('request:get', { requestId: id });
          if (get().openId !== id) return;
          const known = get().detail;
          if (known && known.updatedAt > detail.updatedAt) return;
          set({ detail, detailStatus: 'ready', detailError: null });
          get().applyRequestUpdate(detail);
          // An admin of another desk hears no updates of it: what they open is the news.
          get().applyApproval(detail);
        } catch (error) {
          if (get().openId !== id) return;
          set({ detailStatus: 'error', detailError: messageOf(error) });
        }
      },

      closeRequest() {
        forgetOtp();
        set({ ...idle });
      },

      applyRequestUpdate(request) {
        const { detail, revealed } = get();
        if (detail && detail.id === request.id && request.updatedAt >= detail.updatedAt)
          set({ detail: { ...detail, ...request } });
        if (revealed && revealed.requestId === request.id) {
          // A closed request's code is useless, and a newer reveal (say, by an admin who took
          // over) has replaced the one on screen.
          const replaced = request.otp && request.otp.revealCount > revealed.revealCount;
          if (request.state !== 'otp-issued' || replaced) forgetOtp();
        }
      },

      setNote(checkId, note) {
        set({ notes: { ...get().notes, [checkId]: note } });
      },

      async setCheck(checkId, checked) {
        const requestId = get().openId;
        set({ checkIntents: { ...get().checkIntents, [checkId]: checked } });
        const outcome = await act(`check:${checkId}`, async () => {
          if (!requestId) throw new Error('Open a request first.');
          took(
            checked
              ? await runtime.request('request:verify', {
                  requestId,
                  checkId,
                  note: (get().notes[checkId] ?? '').trim(),
                })
              : await runtime.request('request:unverify', { requestId, checkId }),
          );
        });
        if (get().openId === requestId) {
          const { [checkId]: _done, ...others } = get().checkIntents;
          set({ checkIntents: others });
        }
        return outcome;
      },

      claim(id) {
        return act('claim', async () => {
          const requestId = id ?? openIdOrThrow();
          const request = await runtime.request('request:claim', { requestId });
          if (get().openId !== requestId) void get().openRequest(requestId);
          took(request);
          set({ claimFocus: requestId });
        });
      },

      release() {
        return act('release', async () => {
          took(await runtime.request('request:release', { requestId: openIdOrThrow() }));
          set({ notes: {} });
        });
      },

      takeOver() {
        return act('take-over', async () => {
          took(await runtime.request('request:take-over', { requestId: openIdOrThrow() }));
        });
      },

      deny(reason) {
        return inDialog(
          act('deny', async () => {
            took(await runtime.request('request:deny', { requestId: openIdOrThrow(), reason }));
          }),
        );
      },

      reveal() {
        return act('reveal', async () => {
          const requestId = openIdOrThrow();
          const answer = await runtime.request('request:reveal', { requestId });
          if (get().openId !== requestId) return;
          showFor({ requestId, ...answer, visible: true });
        });
      },

      sendCode(checkId) {
        return act('send-code', async () => {
          const requestId = openIdOrThrow();
          took(await runtime.request('request:send-code', { requestId, checkId }));
          set({ codeCheck: null });
        });
      },

      async checkCode(code) {
        const outcome = await act('check-code', async () => {
          const requestId = openIdOrThrow();
          const answer = await runtime.request('request:check-code', { requestId, code });
          took(answer.request);
          set({ codeCheck: { requestId, result: answer.result } });
        });
        // A malformed code is refused next to the field; the panel need not repeat it.
        if (!outcome.ok && Object.keys(outcome.fields).length > 0) set({ actionError: null });
        return outcome;
      },

      askApproval(note) {
        return act('ask-approval', async () => {
          took(await runtime.request('request:ask-approval', { requestId: openIdOrThrow(), note }));
        });
      },

      approve(note) {
        return inDialog(
          act('approve', async () => {
            took(await runtime.request('request:approve', { requestId: openIdOrThrow(), note }));
          }),
        );
      },

      refuseApproval(note) {
        return inDialog(
          act('refuse-approval', async () => {
            took(
              await runtime.request('request:refuse-approval', {
                requestId: openIdOrThrow(),
                note,
              }),
            );
          }),
        );
      },

      reportSuspicious(description) {
        return inDialog(
          act('suspicious', async () => {
            took(
              await runtime.request('request:suspicious', {
                requestId: openIdOrThrow(),
                description,
              }),
            );
          }),
        );
      },

      showOtp() {
        return act('show-otp', async () => {
          const revealed = get().revealed;
          if (!revealed) return;
          // Shown again only once the server has it on record.
          await runtime.request('request:passcode-shown', { requestId: revealed.requestId });
          const current = get().revealed;
          if (current && current.revealCount === revealed.revealCount) showFor(current);
        });
      },

      hideOtp() {
        stopHideTimer();
        const revealed = get().revealed;
        if (revealed) set({ revealed: { ...revealed, visible: false } });
      },

      claimFocusDone() {
        set({ claimFocus: null });
      },

      dismissActionError() {
        set({ actionError: null });
      },
    };
  };
}

export const requestSelectors = {
  openId: (s: ConsoleState) => s.openId,
  detail: (s: ConsoleState) => s.detail,
  detailStatus: (s: ConsoleState) => s.detailStatus,
  detailError: (s: ConsoleState) => s.detailError,
  note: (checkId: string) => (s: ConsoleState) => s.notes[checkId] ?? '',
  /** Whether a check shows ticked: what is being sent, else what the server recorded. */
  checkTicked: (checkId: string) => (s: ConsoleState) =>
    s.checkIntents[checkId] ?? s.detail?.verification.some((r) => r.checkId === checkId) ?? false,
  busy: (s: ConsoleState) => s.busy,
  claimFocus: (s: ConsoleState) => s.claimFocus,
  actionError: (s: ConsoleState) => s.actionError,
  revealed: (s: ConsoleState) => s.revealed,
  /** The last code check's result, for the open request only. */
  codeCheck: (s: ConsoleState) =>
    s.codeCheck && s.codeCheck.requestId === s.openId ? s.codeCheck.result : null,
};
