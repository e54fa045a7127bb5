// What an end-user's page and socket learn of their own request.
import type { HelpDeskId } from './realm-config';

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
  desk: { id: HelpDeskId; name: string; phone: string; email: string };
  otpExpiresAt: number | null;
  attemptsLeft: number | null;
}
