// What an end-user's page and socket learn of their own request.

/** The end-user's coarse view: they learn progress, never who is handling it or why it was denied. */
export type EndUserPhase =
  | 'waiting'
  | 'verifying'
  | 'code-ready'
  | 'completed'
  | 'denied'
  | 'cancelled'
  | 'expired'
  | 'locked';

export interface EndUserRequestStatus {
  id: string;
  reference: string;
  phase: EndUserPhase;
  desk: { id: '1' | '2'; name: string; phone: string; email: string };
  otpExpiresAt: number | null;
  attemptsLeft: number | null;
}
