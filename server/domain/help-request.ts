// A help-desk OTP request as the server keeps it: its state, who holds it, how the caller was verified.
import { z } from 'zod';
import { HelpDeskIdSchema } from '../contract/realm-config';
import { ApprovalSchema, RiskSignalSchema } from '../contract/risk';
import type { ClosedState, OpenState } from './request-states';
import { isOpenState } from './request-states';

export const AgentRefSchema = z.object({ id: z.string(), username: z.string() }).strict();
export type AgentRef = z.infer<typeof AgentRefSchema>;

export const VerificationRecordSchema = z
  .object({
    checkId: z.string(),
    note: z.string(),
    by: AgentRefSchema,
    at: z.number(),
    /** attested: the agent's word; server-verified: the server checked a code the caller read back. */
    method: z.enum(['attested', 'server-verified']).default('attested'),
  })
  .strict();
export type VerificationRecord = z.infer<typeof VerificationRecordSchema>;

const IssuedOtpSchema = z
  .object({
    /** HMAC of the passcode bound to the request id; the passcode itself is never stored. */
    hash: z.string().regex(/^[0-9a-f]{64}$/),
    issuedAt: z.number(),
    expiresAt: z.number(),
    /** How many times a code has been revealed for this request (re-reveal issues a new one). */
    revealCount: z.number().int().min(1),
  })
  .strict();
export type IssuedOtp = z.infer<typeof IssuedOtpSchema>;

/** A code mailed for a `mailed-code` check and not yet read back: only its keyed hash is kept. */
export const MailedCodeSchema = z
  .object({
    checkId: z.string(),
    /** HMAC of the code bound to the request id. */
    hash: z.string().regex(/^[0-9a-f]{64}$/),
    /** The directory address it was sent to (shown masked). */
    sentTo: z.string(),
    sentAt: z.number(),
    expiresAt: z.number(),
    /** Codes sent for this request so far (resends are limited). */
    sends: z.number().int().min(1),
    /** Wrong codes typed against this one (three void it). */
    wrong: z.number().int().min(0),
  })
  .strict();
export type MailedCode = z.infer<typeof MailedCodeSchema>;

const base = {
  id: z.string().min(16),
  reference: z.string(),
  desk: HelpDeskIdSchema,
  username: z.string(),
  /** From the directory at submission; empty when the user is not in it. */
  displayName: z.string(),
  /** False when the username is not an enabled directory user; the end-user is never told. */
  inDirectory: z.boolean(),
  /** SHA-256 of the end-user's browser-session secret the request is bound to. */
  sessionHash: z.string().regex(/^[0-9a-f]{64}$/),
  createdAt: z.number(),
  updatedAt: z.number(),
  /** When an unfinished request lapses if nobody completes it. */
  expiresAt: z.number(),
  verification: z.array(VerificationRecordSchema),
  /**
   * The last mailed code, if any: cleared when checked right, released, taken over or revealed. A
   * code voided by three wrong entries stays, unusable, until the next send, so the send limit holds.
   */
  mailedCode: MailedCodeSchema.optional(),
  /** Wrong passcodes entered against this request. */
  failedAttempts: z.number().int().min(0),
  /** Client hints the agent may weigh (never trusted for decisions). */
  origin: z.object({ ip: z.string(), userAgent: z.string() }).strict(),
  /** What the server noticed (weighed by the realm's current risk policy when shown or decided on). */
  riskSignals: z.array(RiskSignalSchema).default([]),
  /** SHA-256 of the browser's device cookie: a completed sign-in makes it a known browser of the user. */
  deviceHash: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
  /** A second person's approval of the reveal, once the holder asked for it. */
  approval: ApprovalSchema.optional(),
};

const closed = {
  closedAt: z.number(),
  /** Why it closed, in words an agent can read (deny reason, "superseded", …). */
  closedReason: z.string(),
  closedBy: AgentRefSchema.optional(),
};

export const HelpRequestSchema = z.discriminatedUnion('state', [
  z.object({ ...base, state: z.literal('queued') }).strict(),
  z.object({ ...base, state: z.literal('claimed'), claimedBy: AgentRefSchema }).strict(),
  z.object({ ...base, state: z.literal('verified'), claimedBy: AgentRefSchema }).strict(),
  z
    .object({
      ...base,
      state: z.literal('otp-issued'),
      claimedBy: AgentRefSchema,
      otp: IssuedOtpSchema,
    })
    .strict(),
  z
    .object({
      ...base,
      ...closed,
      state: z.literal('completed'),
      claimedBy: AgentRefSchema.optional(),
    })
    .strict(),
  z
    .object({
      ...base,
      ...closed,
      state: z.literal('denied'),
      claimedBy: AgentRefSchema.optional(),
    })
    .strict(),
  z
    .object({
      ...base,
      ...closed,
      state: z.literal('cancelled'),
      claimedBy: AgentRefSchema.optional(),
    })
    .strict(),
  z
    .object({
      ...base,
      ...closed,
      state: z.literal('expired'),
      claimedBy: AgentRefSchema.optional(),
    })
    .strict(),
  z
    .object({
      ...base,
      ...closed,
      state: z.literal('locked'),
      claimedBy: AgentRefSchema.optional(),
    })
    .strict(),
]);
export type HelpRequest = z.infer<typeof HelpRequestSchema>;
export type OpenRequest = Extract<HelpRequest, { state: OpenState }>;
export type ClosedRequest = Extract<HelpRequest, { state: ClosedState }>;

export function isOpen(request: HelpRequest): request is OpenRequest {
  return isOpenState(request.state);
}
