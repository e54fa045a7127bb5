// Agent accounts on the wire: roles, desks, the login body, and what admins send to manage agents.
import { z } from 'zod';
import { HelpDeskIdSchema } from './realm-config';
import { UsernameInputSchema } from './username';

export const RoleSchema = z.enum(['agent', 'admin']);
export type Role = z.infer<typeof RoleSchema>;

export const UsernameSchema = UsernameInputSchema.regex(
  /^[a-z0-9][a-z0-9._-]{1,63}$/,
  '2–64 letters, digits, dots, dashes or underscores',
);

export const AgentViewSchema = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  role: RoleSchema,
  desks: z.array(HelpDeskIdSchema),
  enabled: z.boolean(),
  totpEnrolled: z.boolean(),
  createdAt: z.number(),
});
export type AgentView = z.infer<typeof AgentViewSchema>;

export const LoginSchema = z
  .object({
    username: UsernameInputSchema.min(1, 'Enter your username').max(64),
    password: z.string().min(1, 'Enter your password').max(256),
    totp: z
      .string()
      .regex(/^\d{6}$/, 'Six digits from your authenticator app')
      .optional(),
  })
  .strict();
export type LoginBody = z.infer<typeof LoginSchema>;

const desks = z
  .array(HelpDeskIdSchema)
  .max(2)
  .refine((d) => new Set(d).size === d.length, 'Each desk once');

export const AgentCreateSchema = z
  .object({
    username: UsernameSchema,
    displayName: z.string().trim().min(1, 'Enter a name').max(80),
    role: RoleSchema,
    desks,
  })
  .strict();
export type AgentCreate = z.infer<typeof AgentCreateSchema>;

export const AgentUpdateSchema = z
  .object({
    id: z.string().min(1),
    displayName: z.string().trim().min(1).max(80).optional(),
    role: RoleSchema.optional(),
    desks: desks.optional(),
    enabled: z.boolean().optional(),
    /** Issue a new generated password (shown once to the admin). */
    resetPassword: z.literal(true).optional(),
    /**
     * Forget the agent's authenticator (lost phone): their sessions end, and where the realm
     * requires TOTP they enrol again at their next sign-in.
     */
    resetTotp: z.literal(true).optional(),
  })
  .strict();
export type AgentUpdate = z.infer<typeof AgentUpdateSchema>;

/** What `POST /api/agent/session` answers with, in `{ data }`. */
export interface LoginResult {
  /** The bearer token for the socket's `auth.token` and `DELETE /api/agent/session`. */
  token: string;
  expiresAt: number;
  agent: AgentView;
  /** As in `session:ready`: the agent must enrol an authenticator before doing anything else. */
  mustEnrolTotp: boolean;
}
