// The shape of the session slice: the sign-in phase, the confirmed session, and its actions.
import type { SessionInfo, TotpEnrolment } from '../../../server/contract/agent-events';

export type SessionPhase =
  /** Reading the server URL and any saved token. */
  | 'starting'
  | 'signed-out'
  | 'signing-in'
  /** A token is in hand; waiting for the server's `session:ready`. */
  | 'connecting'
  | 'ready';

/** History is every agent's; Settings and Audit are admins'. */
export type Screen = 'queue' | 'history' | 'settings' | 'audit';

export interface SignInInput {
  username: string;
  password: string;
  totp?: string;
}

export interface SessionSlice {
  serverUrl: string;
  phase: SessionPhase;
  screen: Screen;
  token: string | null;
  session: SessionInfo | null;
  signInError: { code: string; message: string; fields: Record<string, string> } | null;
  /** The server asked for a code from the agent's authenticator app. */
  totpNeeded: boolean;
  /** Why the last session ended, shown on the sign-in screen. */
  endedMessage: string | null;
  enrolment: TotpEnrolment | null;
  enrolmentError: string | null;
  /** This agent wants a chime when a request arrives on their desks (off unless they turned it on). */
  soundOnNewRequest: boolean;

  start(): Promise<void>;
  signIn(input: SignInInput): Promise<void>;
  signOut(): Promise<void>;
  /** Drops the session and everything loaded under it, and says why. */
  endSession(message: string): void;
  setScreen(screen: Screen): void;
  /** Turns the new-request chime on or off for this agent, remembered on this machine. */
  setSoundOnNewRequest(on: boolean): void;
  beginTotpEnrolment(): Promise<void>;
  confirmTotpEnrolment(code: string): Promise<boolean>;
}
