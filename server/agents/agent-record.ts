// An agent account as stored: the wire view plus its password hash and authenticator secrets.
import { z } from 'zod';
import type { AgentView } from '../contract/agents';
import { RoleSchema } from '../contract/agents';
import { HelpDeskIdSchema } from '../contract/realm-config';

export const AgentRecordSchema = z
  .object({
    id: z.string(),
    username: z.string(),
    displayName: z.string(),
    role: RoleSchema,
    desks: z.array(HelpDeskIdSchema),
    enabled: z.boolean(),
    passwordHash: z.string(),
    /** Base32 TOTP secret once the agent has enrolled an authenticator app. */
    totpSecret: z.string().optional(),
    /**
     * Base32 secret handed out by `totp:begin` and not yet confirmed; kept on disk so a restart
     * between scanning the QR code and typing the first code does not break enrolment.
     */
    pendingTotpSecret: z.string().optional(),
    /** RFC 6238 time step of the last code accepted, so a code works once (no replay). */
    totpLastTimeStep: z.number().int().nonnegative().optional(),
    createdAt: z.number(),
    updatedAt: z.number(),
  })
  .strict();
export type AgentRecord = z.infer<typeof AgentRecordSchema>;

export const AgentsDocumentSchema = z.object({ agents: z.array(AgentRecordSchema) }).strict();
export type AgentsDocument = z.infer<typeof AgentsDocumentSchema>;

export const SessionRecordSchema = z
  .object({
    /** SHA-256 of the bearer token; the token itself is never stored. */
    tokenHash: z.string().regex(/^[0-9a-f]{64}$/),
    /** A short public id for audit and socket rooms (not the token). */
    id: z.string(),
    agentId: z.string(),
    createdAt: z.number(),
    expiresAt: z.number(),
  })
  .strict();
export type SessionRecord = z.infer<typeof SessionRecordSchema>;

export const SessionsDocumentSchema = z.object({ sessions: z.array(SessionRecordSchema) }).strict();
export type SessionsDocument = z.infer<typeof SessionsDocumentSchema>;

export function toAgentView(agent: AgentRecord): AgentView {
  return {
    id: agent.id,
    username: agent.username,
    displayName: agent.displayName,
    role: agent.role,
    desks: [...agent.desks].sort(),
    enabled: agent.enabled,
    totpEnrolled: agent.totpSecret !== undefined,
    createdAt: agent.createdAt,
  };
}
