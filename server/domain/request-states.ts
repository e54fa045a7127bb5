// The states a request passes through, and which of them leave it open; the wire and the console use these.

export const OPEN_STATES = ['queued', 'claimed', 'verified', 'otp-issued'] as const;
export const CLOSED_STATES = ['completed', 'denied', 'cancelled', 'expired', 'locked'] as const;
export const REQUEST_STATES = [...OPEN_STATES, ...CLOSED_STATES] as const;
export type OpenState = (typeof OPEN_STATES)[number];
export type ClosedState = (typeof CLOSED_STATES)[number];
export type RequestState = (typeof REQUEST_STATES)[number];

export function isOpenState(state: RequestState): state is OpenState {
  return (OPEN_STATES as readonly string[]).includes(state);
}
