// What an agent's console is shown of a request: never the passcode's hash nor the session binding.
import { z } from 'zod';
import { REQUEST_STATES } from '../domain/request-states';
import { HelpDeskIdSchema } from './realm-config';
import { ApprovalSchema, RiskLevelSchema, RiskSignalIdSchema } from './risk';

export const RequestStateSchema = z.enum(REQUEST_STATES);
export type RequestStateName = z.infer<typeof RequestStateSchema>;

const AgentRefViewSchema = z.object({ id: z.string(), username: z.string() });

export const DirectoryDetailsSchema = z.object({
  displayName: z.string(),
  email: z.string(),
  phone: z.string(),
  employeeId: z.string(),
  department: z.string(),
  manager: z.string(),
  enabled: z.boolean(),
  /** A member of the directory's privileged group (stored embedded users from before it: false). */
  privileged: z.boolean().default(false),
});
export type DirectoryDetails = z.infer<typeof DirectoryDetailsSchema>;

export const RequestViewSchema = z.object({
  id: z.string(),
  reference: z.string(),
  desk: HelpDeskIdSchema,
  username: z.string(),
  displayName: z.string(),
  inDirectory: z.boolean(),
  state: RequestStateSchema,
  createdAt: z.number(),
  updatedAt: z.number(),
  expiresAt: z.number(),
  claimedBy: AgentRefViewSchema.nullable(),
  verification: z.array(
    z.object({
      checkId: z.string(),
      note: z.string(),
      by: AgentRefViewSchema,
      at: z.number(),
      /** attested: the agent's word; server-verified: the server checked a code the caller read back. */
      method: z.enum(['attested', 'server-verified']),
    }),
  ),
  /**
   * The code mailed for a mailed-code check (never the code itself); `attemptsLeft` 0 when three
   * wrong entries voided it and a new one must be sent.
   */
  mailedCode: z
    .object({
      checkId: z.string(),
      /** The address it went to, masked (`j•••@example.com`). */
      sentTo: z.string(),
      sentAt: z.number(),
      expiresAt: z.number(),
      attemptsLeft: z.number().int(),
      sendsLeft: z.number().int(),
    })
    .nullable(),
  otp: z
    .object({ issuedAt: z.number(), expiresAt: z.number(), revealCount: z.number() })
    .nullable(),
  failedAttempts: z.number(),
  closedReason: z.string().nullable(),
  origin: z.object({ ip: z.string(), userAgent: z.string() }),
  /** Another open request exists for the same user (two browsers asked): no reveal until one ends. */
  contested: z.boolean(),
  /** The references of the user's other open requests, oldest first. */
  contestedWith: z.array(z.string()),
  /** The request's risk under the realm's current policy, each signal with its weight and reason. */
  risk: z.object({
    level: RiskLevelSchema,
    score: z.number(),
    signals: z.array(z.object({ id: RiskSignalIdSchema, detail: z.string(), weight: z.number() })),
  }),
  /** Reveal waits for a second person's approval (privileged user, or the risk level). */
  approvalNeeded: z.boolean(),
  /** The approval asked for or given, with who asked and who approved. */
  approval: ApprovalSchema.nullable(),
});
export type RequestView = z.infer<typeof RequestViewSchema>;

/** The full record an agent opens: the view plus directory details (masked per policy). */
export type RequestDetail = RequestView & {
  directory: DirectoryDetails | null;
  /** The directory could not be read just now (LDAP down or misconfigured): reveal is refused. */
  directoryUnavailable: boolean;
  /** Wrong passcodes this user entered across all requests in the last 24 hours. */
  recentFailures: number;
};
