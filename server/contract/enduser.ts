// The end-user JSON API's bodies and answers (the pages build on the same use-cases).
import { z } from 'zod';
import { HelpDeskIdSchema } from './realm-config';

export const SubmitRequestSchema = z
  .object({
    username: z.string().trim().min(1, 'Enter your username').max(128, 'At most 128 characters'),
    desk: HelpDeskIdSchema,
    password: z.string().max(256).optional(),
  })
  .strict();
export type SubmitRequestBody = z.infer<typeof SubmitRequestSchema>;

export const SubmitOtpSchema = z
  .object({
    otp: z.string().trim().min(1, 'Enter the passcode').max(40, 'That is too long for a passcode'),
  })
  .strict();

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

export type OtpSubmitResult =
  | { result: 'completed'; status: EndUserRequestStatus }
  | { result: 'wrong'; attemptsLeft: number; status: EndUserRequestStatus }
  | { result: 'expired' | 'locked'; status: EndUserRequestStatus }
  /** The account can't be signed in (e.g. disabled in the directory): the request has ended. */
  | { result: 'refused'; status: EndUserRequestStatus };
