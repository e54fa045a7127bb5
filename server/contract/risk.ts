// Impostor resistance on the wire: the risk signals a request carries, the realm's risk policy (weights,
// levels, second approver, block time, caps) and the desks' opening hours.
import { z } from 'zod';

/**
 * What the server notices about a request, each computed from what it knows (never the caller's word):
 * - new-browser: no earlier successful sign-in of this user from this browser (device cookie);
 * - new-network: the address is on none of the networks of the user's last successful sign-ins;
 * - recent-requests: other requests for this user in the last 24 hours;
 * - recent-wrong-passcodes: wrong passcodes for this user in the last 24 hours;
 * - contested: two browsers asked for this user at once;
 * - privileged: a member of the directory's privileged group;
 * - directory-changed: the directory says the account changed recently;
 * - not-in-directory: no enabled directory user of that name (no passcode can be revealed anyway);
 * - outside-hours: the desk's opening hours are set and the request came outside them.
 */
export const RISK_SIGNALS = [
  'new-browser',
  'new-network',
  'recent-requests',
  'recent-wrong-passcodes',
  'contested',
  'privileged',
  'directory-changed',
  'not-in-directory',
  'outside-hours',
] as const;
export const RiskSignalIdSchema = z.enum(RISK_SIGNALS);
export type RiskSignalId = z.infer<typeof RiskSignalIdSchema>;

/** What each signal means, for the settings page and the README. */
export const RISK_SIGNAL_LABELS: Record<RiskSignalId, string> = {
  'new-browser': 'No earlier sign-in from this browser',
  'new-network': 'Address not on a network the user signed in from before',
  'recent-requests': 'Other help-desk requests for the user in the last 24 hours',
  'recent-wrong-passcodes': 'Wrong passcodes for the user in the last 24 hours',
  contested: 'Two browsers asked for the user at once',
  privileged: 'Privileged user (directory group)',
  'directory-changed': 'Account changed in the directory recently',
  'not-in-directory': 'Not an active directory user',
  'outside-hours': "Outside the desk's opening hours",
};

/** One signal on a request, with the reasons in plain words (e.g. "3 other requests in 24 h"). */
export const RiskSignalSchema = z.object({ id: RiskSignalIdSchema, detail: z.string() }).strict();
export type RiskSignal = z.infer<typeof RiskSignalSchema>;

export const RISK_LEVELS = ['low', 'medium', 'high'] as const;
export const RiskLevelSchema = z.enum(RISK_LEVELS);
export type RiskLevel = z.infer<typeof RiskLevelSchema>;

/** A request's risk as agents see it: the level, its score, and each signal with its weight. */
export interface RiskAssessment {
  level: RiskLevel;
  score: number;
  signals: (RiskSignal & { weight: number })[];
}

const weight = z.number().int().min(0, 'At least 0').max(100, 'At most 100');

export const RiskPolicySchema = z
  .object({
    /** Points each signal adds to a request's score (0 ignores it). */
    weights: z.object(
      Object.fromEntries(RISK_SIGNALS.map((id) => [id, weight])) as Record<
        RiskSignalId,
        typeof weight
      >,
    ),
    /** A score at or above this is medium risk… */
    mediumAt: z.number().int().min(1, 'At least 1').max(1000),
    /** …and at or above this, high. */
    highAt: z.number().int().min(1, 'At least 1').max(1000),
    /** recent-requests counts when the user had at least this many other requests in 24 hours. */
    recentRequestsAtLeast: z.number().int().min(1, 'At least 1').max(50, 'At most 50'),
    /** directory-changed counts when the account changed within this many days. */
    directoryChangedDays: z.number().int().min(1, 'At least 1 day').max(90, 'At most 90 days'),
    /** Who needs a second person's approval before a passcode is revealed. */
    secondApprover: z
      .object({
        /** Requests of privileged users. */
        privileged: z.boolean(),
        /** Requests at or above this level ('never': none by level). */
        atLevel: z.enum(['medium', 'high', 'never']),
      })
      .strict(),
    /** How long "Suspicious caller" blocks the help-desk method for the user (an admin may clear it sooner). */
    suspiciousBlockHours: z
      .number()
      .int()
      .min(1, 'At least 1 hour')
      .max(24 * 90, 'At most 90 days'),
    caps: z
      .object({
        /** Passcodes issued per user in any 24 hours. */
        passcodesPerUserPerDay: z.number().int().min(1, 'At least 1').max(100, 'At most 100'),
        /** Passcodes one agent reveals in any hour. */
        revealsPerAgentPerHour: z.number().int().min(1, 'At least 1').max(1000, 'At most 1000'),
      })
      .strict(),
  })
  .strict()
  .superRefine((policy, ctx) => {
    if (policy.highAt <= policy.mediumAt)
      ctx.addIssue({
        code: 'custom',
        path: ['highAt'],
        message: 'Must be above the medium level',
      });
  });
export type RiskPolicy = z.infer<typeof RiskPolicySchema>;

export function defaultRiskPolicy(): RiskPolicy {
  return {
    weights: {
      'new-browser': 15,
      'new-network': 15,
      'recent-requests': 20,
      'recent-wrong-passcodes': 25,
      contested: 40,
      privileged: 30,
      'directory-changed': 25,
      'not-in-directory': 60,
      'outside-hours': 20,
    },
    mediumAt: 30,
    highAt: 60,
    recentRequestsAtLeast: 2,
    directoryChangedDays: 7,
    secondApprover: { privileged: true, atLevel: 'high' },
    suspiciousBlockHours: 72,
    caps: { passcodesPerUserPerDay: 3, revealsPerAgentPerHour: 20 },
  };
}

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

/** When a desk is staffed, in its own time zone; a request outside them carries `outside-hours`. */
export const DeskHoursSchema = z
  .object({
    /** An IANA time zone, e.g. Europe/London. */
    timeZone: z.string().refine(
      (zone) => {
        try {
          new Intl.DateTimeFormat('en', { timeZone: zone });
          return true;
        } catch {
          return false;
        }
      },
      { message: 'An IANA time zone, e.g. Europe/London' },
    ),
    /** Days open, 0 = Sunday … 6 = Saturday. */
    days: z
      .array(z.number().int().min(0).max(6))
      .min(1, 'Pick at least one day')
      .refine((d) => new Set(d).size === d.length, 'Each day once'),
    /** Opening and closing time, HH:MM (24-hour); closing before opening spans midnight. */
    opens: z.string().regex(TIME, 'HH:MM, e.g. 08:00'),
    closes: z.string().regex(TIME, 'HH:MM, e.g. 18:00'),
  })
  .strict()
  .refine((h) => h.opens !== h.closes, { path: ['closes'], message: 'Must differ from opening' });
export type DeskHours = z.infer<typeof DeskHoursSchema>;

/** A second person's approval of a reveal, asked for by the holder. */
export const ApprovalSchema = z
  .object({
    state: z.enum(['requested', 'approved']),
    requestedBy: z.object({ id: z.string(), username: z.string() }).strict(),
    requestedAt: z.number(),
    /** What the holder tells the approver. */
    requestNote: z.string(),
    /** Who approved (never the holder, never the user themself). */
    approvedBy: z.object({ id: z.string(), username: z.string() }).strict().optional(),
    approvedAt: z.number().optional(),
    note: z.string().optional(),
  })
  .strict();
export type Approval = z.infer<typeof ApprovalSchema>;

const note = z.string().trim().min(3, 'Say why, for the record').max(500);
const requestId = z.string().min(16).max(64);

/** The payloads of the impostor-resistance events. */
export const AskApprovalSchema = z.object({ requestId, note: z.string().trim().max(500) }).strict();
export const ApprovalDecisionSchema = z.object({ requestId, note }).strict();
export const SuspiciousCallerSchema = z
  .object({
    requestId,
    /** What made the agent suspicious, kept as evidence. */
    description: z.string().trim().min(10, 'Describe what happened, for the record').max(2000),
  })
  .strict();
