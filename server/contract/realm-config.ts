// The realm's configuration as it travels on the wire and sits on disk: help desks, workflow, policies.
import { z } from 'zod';
import { DirectorySettingsSchema, defaultDirectorySettings } from './directory';
import {
  MailSettingsSchema,
  NotificationSettingsSchema,
  defaultMailSettings,
  defaultNotificationSettings,
} from './mail';
import { DeskHoursSchema, RiskPolicySchema, defaultRiskPolicy } from './risk';

export const HELP_DESK_IDS = ['1', '2'] as const;
export const HelpDeskIdSchema = z.enum(HELP_DESK_IDS);
export type HelpDeskId = z.infer<typeof HelpDeskIdSchema>;

/** E.164: a plus, a non-zero country digit, at most 15 digits in all. */
const E164_PATTERN = /^\+[1-9]\d{1,14}$/;

export const HelpDeskSchema = z
  .object({
    enabled: z.boolean(),
    name: z.string().trim().min(1, 'Give the desk a name').max(60, 'At most 60 characters'),
    phone: z
      .string()
      .trim()
      .refine((v) => v === '' || E164_PATTERN.test(v), {
        message: 'Use international format, e.g. +14155550123',
      }),
    email: z
      .string()
      .trim()
      .max(254)
      .refine((v) => v === '' || z.email().safeParse(v).success, {
        message: 'Enter an email address, e.g. helpdesk@example.com',
      }),
    /** When the desk is staffed; absent: always (no `outside-hours` signal). */
    hours: DeskHoursSchema.optional(),
  })
  .strict()
  .superRefine((desk, ctx) => {
    if (!desk.enabled) return;
    if (desk.phone === '')
      ctx.addIssue({
        code: 'custom',
        path: ['phone'],
        message: 'An enabled desk needs a phone number',
      });
    if (desk.email === '')
      ctx.addIssue({
        code: 'custom',
        path: ['email'],
        message: 'An enabled desk needs an email address',
      });
  });
export type HelpDesk = z.infer<typeof HelpDeskSchema>;

export const WORKFLOWS = [
  'username|second-factor',
  'username-password|second-factor',
  'username|second-factor|password',
  'persistent-token|second-factor',
  'persistent-token|second-factor|password',
] as const;
export const WorkflowSchema = z.enum(WORKFLOWS);
export type Workflow = z.infer<typeof WorkflowSchema>;

export const OtpPolicySchema = z
  .object({
    length: z.number().int().min(6, 'At least 6 digits').max(10, 'At most 10 digits'),
    ttlMinutes: z.number().int().min(1, 'At least 1 minute').max(60, 'At most 60 minutes'),
    maxAttempts: z.number().int().min(1, 'At least 1 attempt').max(10, 'At most 10 attempts'),
  })
  .strict();
export type OtpPolicy = z.infer<typeof OtpPolicySchema>;

/**
 * attestation: the agent records what they confirmed (their word, with a note); mailed-code: the
 * server mails a code to the address on file, the caller reads it back, the server checks it.
 */
export const VERIFICATION_CHECK_KINDS = ['attestation', 'mailed-code'] as const;

export const VerificationCheckSchema = z
  .object({
    kind: z.enum(VERIFICATION_CHECK_KINDS).default('attestation'),
    id: z
      .string()
      .regex(/^[a-z][a-z0-9-]{1,39}$/, 'Lower-case letters, digits and dashes, e.g. callback'),
    label: z.string().trim().min(1, 'Give the check a label').max(80),
    help: z.string().trim().max(300).default(''),
  })
  .strict();
export type VerificationCheck = z.infer<typeof VerificationCheckSchema>;

export const MASKABLE_FIELDS = ['email', 'phone', 'employeeId', 'department', 'manager'] as const;
export const MaskableFieldSchema = z.enum(MASKABLE_FIELDS);
export type MaskableField = z.infer<typeof MaskableFieldSchema>;

export const VerificationPolicySchema = z
  .object({
    checks: z.array(VerificationCheckSchema).min(1, 'Keep at least one check').max(12),
    /** Checks that must always be recorded before an OTP can be revealed. */
    required: z.array(z.string()),
    /** How many checks in all (required ones included) must be recorded. */
    minimumChecks: z.number().int().min(1).max(12),
    /**
     * Directory fields shown to agents only masked (e.g. `••••0123`), so an agent compares what the
     * caller says instead of reading the answer out.
     */
    maskedFields: z.array(MaskableFieldSchema).default([]),
    /**
     * Which recorded checks need a note saying what was confirmed: none, the required ones, or all.
     * A check recorded without one is refused.
     */
    notesRequired: z.enum(['none', 'required', 'all']).default('required'),
  })
  .strict()
  .superRefine((policy, ctx) => {
    const ids = policy.checks.map((c) => c.id);
    ids.forEach((id, i) => {
      if (ids.indexOf(id) !== i)
        ctx.addIssue({
          code: 'custom',
          path: ['checks', i, 'id'],
          message: `Duplicate check id ${id}`,
        });
    });
    policy.required.forEach((id, i) => {
      if (!ids.includes(id))
        ctx.addIssue({ code: 'custom', path: ['required', i], message: `Unknown check ${id}` });
    });
    if (policy.minimumChecks > policy.checks.length)
      ctx.addIssue({
        code: 'custom',
        path: ['minimumChecks'],
        message: `Cannot require more than the ${policy.checks.length} checks defined`,
      });
    if (policy.minimumChecks < new Set(policy.required).size)
      ctx.addIssue({
        code: 'custom',
        path: ['minimumChecks'],
        message: 'Must be at least the number of required checks',
      });
  });
export type VerificationPolicy = z.infer<typeof VerificationPolicySchema>;

export const QueueUrgencySchema = z
  .object({
    /** Minutes a request may wait before its row turns amber… */
    warnAfterMinutes: z.number().int().min(1, 'At least 1 minute').max(120, 'At most 120 minutes'),
    /** …and red. */
    urgentAfterMinutes: z
      .number()
      .int()
      .min(1, 'At least 1 minute')
      .max(240, 'At most 240 minutes'),
  })
  .strict()
  .refine((u) => u.urgentAfterMinutes > u.warnAfterMinutes, {
    path: ['urgentAfterMinutes'],
    message: 'Must be after the amber threshold',
  });
export type QueueUrgency = z.infer<typeof QueueUrgencySchema>;

export function defaultQueueUrgency(): QueueUrgency {
  return { warnAfterMinutes: 2, urgentAfterMinutes: 5 };
}

/** Hosts a plain (unencrypted) export may go to: the same machine (a local relay or agent). */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', '[::1]', 'localhost']);

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOSTS.has(host.toLowerCase());
}

const exportCaPem = z
  .string()
  .trim()
  .max(64 * 1024)
  .refine((v) => v.includes('-----BEGIN CERTIFICATE-----'), {
    message: 'Paste a PEM certificate (-----BEGIN CERTIFICATE-----…)',
  });

/** RFC 5424 PRINTUSASCII: printable ASCII without spaces. */
const PRINTABLE_ASCII = /^[\x21-\x7e]+$/;

/** RFC 5424 over TCP with octet-counting framing (RFC 6587), TLS as RFC 5425 has it. */
export const SyslogExportSchema = z
  .object({
    enabled: z.boolean(),
    host: z
      .string()
      .trim()
      .max(253)
      .refine((v) => v === '' || /^[A-Za-z0-9.-]+$|^\[?[0-9a-fA-F:.]+\]?$/.test(v), {
        message: 'A host name or address, e.g. siem.example.com',
      }),
    port: z.number().int().min(1).max(65535),
    /** TLS (RFC 5425), the server's certificate always verified. Off only to this machine. */
    tls: z.boolean(),
    /** The CA to trust (PEM); absent: the system's CAs. */
    caPem: exportCaPem.optional(),
    /** SHA-256 fingerprint of the server's certificate (`openssl x509 -fingerprint -sha256`); checked besides the CA. */
    pinSha256: z
      .string()
      .trim()
      .regex(/^([0-9A-Fa-f]{2}:?){31}[0-9A-Fa-f]{2}$/, 'A SHA-256 fingerprint, e.g. AB:CD:…')
      .optional(),
    /** APP-NAME of every message. */
    appName: z.string().trim().min(1).max(48).regex(PRINTABLE_ASCII, 'Printable ASCII, no spaces'),
    /** HOSTNAME of every message; absent: this machine's name. */
    hostname: z.string().trim().min(1).max(255).regex(PRINTABLE_ASCII).optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (!s.enabled) return;
    if (s.host === '')
      ctx.addIssue({ code: 'custom', path: ['host'], message: 'Enter the syslog server' });
    else if (!s.tls && !isLoopbackHost(s.host))
      ctx.addIssue({
        code: 'custom',
        path: ['tls'],
        message: 'Audit entries leave this machine only over TLS',
      });
  });
export type SyslogExportSettings = z.infer<typeof SyslogExportSchema>;

/**
 * An HTTPS endpoint that receives batches of entries, each body signed with HMAC-SHA256 (the key is
 * kept with the server's keys, never here). Plain http only to this machine (a local relay, tests).
 */
export const WebhookExportSchema = z
  .object({
    enabled: z.boolean(),
    url: z
      .string()
      .trim()
      .max(2048)
      .refine((v) => v === '' || URL.canParse(v), { message: 'Enter a valid URL' })
      .refine((v) => !URL.canParse(v) || webhookUrlProblem(new URL(v)) === undefined, {
        message: 'Use https (plain http only to this machine), with no user or password in it',
      }),
    /** The CA to trust (PEM); absent: the system's CAs. */
    caPem: exportCaPem.optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.enabled && s.url === '')
      ctx.addIssue({ code: 'custom', path: ['url'], message: 'Enter the webhook URL' });
  });
export type WebhookExportSettings = z.infer<typeof WebhookExportSchema>;

function webhookUrlProblem(url: URL): string | undefined {
  // The URL is a setting, and settings are in the audit log: a credential in it would be too.
  if (url.username !== '' || url.password !== '') return 'credentials';
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return undefined;
  return 'scheme';
}

/** Every audit entry streamed, as it is written, to a SIEM. Off by default. */
export const AuditExportSchema = z
  .object({ syslog: SyslogExportSchema, webhook: WebhookExportSchema })
  .strict();
export type AuditExportSettings = z.infer<typeof AuditExportSchema>;

export function defaultAuditExportSettings(): AuditExportSettings {
  return {
    syslog: { enabled: false, host: '', port: 6514, tls: true, appName: 'helpdesk-otp' },
    webhook: { enabled: false, url: '' },
  };
}

export const RealmConfigSchema = z
  .object({
    name: z.string().trim().min(1).max(80),
    helpDesks: z.object({ '1': HelpDeskSchema, '2': HelpDeskSchema }).strict(),
    workflow: WorkflowSchema,
    otpPolicy: OtpPolicySchema,
    verificationPolicy: VerificationPolicySchema,
    /** A queued request nobody claims within this many minutes expires. */
    requestTtlMinutes: z
      .number()
      .int()
      .min(5)
      .max(24 * 60),
    persistentToken: z.object({ lifetimeDays: z.number().int().min(1).max(365) }).strict(),
    /** Where a completed sign-in is sent; empty for the built-in completion page. */
    postSignInUrl: z
      .string()
      .trim()
      .refine((v) => v === '' || /^https?:\/\//i.test(v), { message: 'Use an http(s) URL' })
      .refine((v) => v === '' || URL.canParse(v), { message: 'Enter a valid URL' }),
    /** Who must use an authenticator app (TOTP) in addition to a password. */
    agentTotp: z.enum(['none', 'admins', 'everyone']),
    /**
     * Where users come from. Changed only through `directory:configure` (it carries the LDAP
     * password, kept apart); realms from before it read as the embedded directory.
     */
    directory: DirectorySettingsSchema.default(defaultDirectorySettings),
    /** The SMTP connection. Changed only through `mail:configure` (its password is kept apart). */
    mail: MailSettingsSchema.default(defaultMailSettings),
    notifications: NotificationSettingsSchema.default(defaultNotificationSettings),
    /** Risk signals' weights and levels, the second approver, the suspicious-caller block, caps. */
    riskPolicy: RiskPolicySchema.default(defaultRiskPolicy),
    /** When a waiting request's row turns amber, then red, in every agent's queue. */
    queueUrgency: QueueUrgencySchema.default(defaultQueueUrgency),
    /** Where every audit entry is streamed as it is written (syslog, a webhook); off by default. */
    auditExport: AuditExportSchema.default(defaultAuditExportSettings),
  })
  .strict();
export type RealmConfig = z.infer<typeof RealmConfigSchema>;

/** A partial update an admin sends; nested objects are replaced per key. */
export const RealmConfigPatchSchema = z
  .object({
    name: z.unknown(),
    helpDesks: z.object({ '1': z.unknown(), '2': z.unknown() }).partial().strict(),
    workflow: z.unknown(),
    otpPolicy: z.unknown(),
    verificationPolicy: z.unknown(),
    requestTtlMinutes: z.unknown(),
    persistentToken: z.unknown(),
    postSignInUrl: z.unknown(),
    agentTotp: z.unknown(),
    notifications: z.unknown(),
    riskPolicy: z.unknown(),
    queueUrgency: z.unknown(),
    auditExport: z.unknown(),
  })
  .partial()
  .strict();
export type RealmConfigPatch = z.infer<typeof RealmConfigPatchSchema>;

export const DEFAULT_VERIFICATION_CHECKS: VerificationCheck[] = [
  {
    kind: 'attestation',
    id: 'callback',
    label: 'Called back the phone number on file',
    help: 'Hang up and call the number in the directory, never one the caller gives you.',
  },
  {
    kind: 'attestation',
    id: 'employee-id',
    label: 'Caller stated the employee ID on file',
    help: 'Ask for it; do not read it out.',
  },
  {
    kind: 'attestation',
    id: 'manager',
    label: 'Manager confirmed the request',
    help: 'Reach the manager in the directory through a known channel.',
  },
  {
    kind: 'attestation',
    id: 'photo-id',
    label: 'Saw photo ID on a video call',
    help: 'Compare the face and name with the directory photo.',
  },
];

export function defaultRealmConfig(): RealmConfig {
  return {
    name: 'Default realm',
    helpDesks: {
      '1': { enabled: false, name: 'Help Desk 1', phone: '', email: '' },
      '2': { enabled: false, name: 'Help Desk 2', phone: '', email: '' },
    },
    workflow: 'username-password|second-factor',
    otpPolicy: { length: 8, ttlMinutes: 10, maxAttempts: 5 },
    verificationPolicy: {
      checks: DEFAULT_VERIFICATION_CHECKS.map((check) => ({ ...check })),
      required: ['callback'],
      minimumChecks: 2,
      maskedFields: ['employeeId'],
      notesRequired: 'required',
    },
    requestTtlMinutes: 30,
    persistentToken: { lifetimeDays: 30 },
    postSignInUrl: '',
    agentTotp: 'none',
    directory: defaultDirectorySettings(),
    mail: defaultMailSettings(),
    notifications: defaultNotificationSettings(),
    riskPolicy: defaultRiskPolicy(),
    queueUrgency: defaultQueueUrgency(),
    auditExport: defaultAuditExportSettings(),
  };
}
