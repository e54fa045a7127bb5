// The shape of the request slice: the open request, the actions on it, and the revealed passcode.
import type { RequestDetail, RequestView } from '../../../server/contract/request-view';

export interface RevealedOtp {
  requestId: string;
  otp: string;
  expiresAt: number;
  revealCount: number;
  /** False once auto-hidden (or hidden by hand); a click shows it again. */
  visible: boolean;
}

export type RequestAction =
  | 'claim'
  | 'release'
  | 'take-over'
  | 'deny'
  | 'reveal'
  | 'send-code'
  | 'check-code'
  | 'ask-approval'
  | 'approve'
  | 'refuse-approval'
  | 'suspicious'
  | 'show-otp'
  | `check:${string}`;

/** What the server said of the last code the agent typed for the open request's mailed-code check. */
export interface CodeCheckOutcome {
  requestId: string;
  result: 'verified' | 'wrong' | 'void';
}

export type ActionOutcome =
  { ok: true } | { ok: false; message: string; fields: Record<string, string> };

export interface RequestSlice {
  openId: string | null;
  detail: RequestDetail | null;
  detailStatus: 'idle' | 'loading' | 'ready' | 'error';
  detailError: string | null;
  /** Draft notes per check id for the open request. */
  notes: Record<string, string>;
  busy: RequestAction | null;
  actionError: string | null;
  /** Checks being recorded or withdrawn right now, by id: the box shows the intent at once. */
  checkIntents: Record<string, boolean>;
  revealed: RevealedOtp | null;
  codeCheck: CodeCheckOutcome | null;
  /**
   * A request this agent has just claimed, whose first check to record should take the keyboard
   * focus once it is on screen (the checks panel takes it and clears this).
   */
  claimFocus: string | null;

  openRequest(id: string): Promise<void>;
  refreshOpenRequest(): Promise<void>;
  closeRequest(): void;
  /** Folds a newer view of the open request (from an event or an answer) into its details. */
  applyRequestUpdate(request: RequestView): void;
  setNote(checkId: string, note: string): void;
  /** Records (with its note) or withdraws one verification check. */
  setCheck(checkId: string, checked: boolean): Promise<ActionOutcome>;
  /** Claims the given request (default: the open one) and opens it. */
  claim(id?: string): Promise<ActionOutcome>;
  release(): Promise<ActionOutcome>;
  takeOver(): Promise<ActionOutcome>;
  deny(reason: string): Promise<ActionOutcome>;
  reveal(): Promise<ActionOutcome>;
  /** Has the server mail a code to the user's address on file for a mailed-code check. */
  sendCode(checkId: string): Promise<ActionOutcome>;
  /** The code the caller read back, for the server to check (the agent never sees the code). */
  checkCode(code: string): Promise<ActionOutcome>;
  /** Asks a second person to approve the reveal, with an optional note for them. */
  askApproval(note: string): Promise<ActionOutcome>;
  /** Approves the reveal another agent asked for (a note for the record). */
  approve(note: string): Promise<ActionOutcome>;
  /** Refuses it: the server ends the request. */
  refuseApproval(note: string): Promise<ActionOutcome>;
  /** Ends the request as a suspicious caller: the server blocks the method and alerts admins. */
  reportSuspicious(description: string): Promise<ActionOutcome>;
  /** Shows the hidden passcode again once the server has recorded that it was shown. */
  showOtp(): Promise<ActionOutcome>;
  hideOtp(): void;
  /** The checks panel has moved the focus after a claim. */
  claimFocusDone(): void;
  dismissActionError(): void;
}
