// Mail on the wire: the realm's SMTP connection, which notifications go out, the outbox as admins
// see it, the connection test, and the blocks a "This wasn't me" link (or an admin) puts on a user.
import { z } from 'zod';

export const SMTP_TLS_MODES = ['implicit', 'starttls', 'none'] as const;
export type SmtpTlsMode = (typeof SMTP_TLS_MODES)[number];

const email = z
  .string()
  .trim()
  .max(254)
  .refine((v) => v === '' || z.email().safeParse(v).success, {
    message: 'Enter an email address, e.g. helpdesk@example.com',
  });

export const MailSettingsSchema = z
  .object({
    /** Off: nothing is mailed (the outbox keeps nothing new); the mailed-code check cannot be used. */
    enabled: z.boolean(),
    host: z
      .string()
      .trim()
      .max(253)
      .refine((v) => v === '' || /^[A-Za-z0-9.-]+$|^\[[0-9a-fA-F:.]+\]$/.test(v), {
        message: 'A host name or address, e.g. smtp.example.com',
      }),
    port: z.number().int().min(1).max(65535),
    /** implicit: TLS from the first byte (465); starttls: upgrade required (587); none: local relays only. */
    tls: z.enum(SMTP_TLS_MODES),
    /** PEM certificate(s) of the CA to trust; '' trusts the system's CAs. */
    caCertificate: z
      .string()
      .trim()
      .max(64 * 1024)
      .refine((v) => v === '' || v.includes('-----BEGIN CERTIFICATE-----'), {
        message: 'Paste a PEM certificate (-----BEGIN CERTIFICATE-----…)',
      }),
    /** '' for a relay without AUTH; the password is kept with the server's keys. */
    username: z.string().trim().max(254),
    fromAddress: email,
    fromName: z.string().trim().max(120),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (!s.enabled) return;
    if (s.host === '')
      ctx.addIssue({ code: 'custom', path: ['host'], message: 'Enter the SMTP server' });
    if (s.fromAddress === '')
      ctx.addIssue({ code: 'custom', path: ['fromAddress'], message: 'Enter the From address' });
  });
export type MailSettings = z.infer<typeof MailSettingsSchema>;

export function defaultMailSettings(): MailSettings {
  return {
    enabled: false,
    host: '',
    port: 587,
    tls: 'starttls',
    caCertificate: '',
    username: '',
    fromAddress: '',
    fromName: '',
  };
}

/** Which mails go out (each only while mail is enabled). Defaults on. */
export const NotificationSettingsSchema = z
  .object({
    /** The user, at the directory address, when a passcode is issued for their account. */
    passcodeIssued: z.boolean(),
    /** The user, when a sign-in completes through the help desk. */
    signInCompleted: z.boolean(),
    /** Each desk's own address, when a request arrives for it. */
    deskNewRequest: z.object({ '1': z.boolean(), '2': z.boolean() }).strict(),
    /**
     * Where admins' alerts (suspicious caller, "This wasn't me", a cap reached) are mailed as they
     * are raised, e.g. the security team's address; '' mails none.
     */
    securityAlertsTo: email.default(''),
  })
  .strict();
export type NotificationSettings = z.infer<typeof NotificationSettingsSchema>;

export function defaultNotificationSettings(): NotificationSettings {
  return {
    passcodeIssued: true,
    signInCompleted: true,
    deskNewRequest: { '1': true, '2': true },
    securityAlertsTo: '',
  };
}

/** What an admin saves: the settings, and the SMTP password when it changes (omitted: keep it). */
export const MailConfigureSchema = z
  .object({
    settings: MailSettingsSchema,
    /** '' removes the saved password. */
    password: z.string().max(1024).optional(),
  })
  .strict();
export type MailConfigure = z.infer<typeof MailConfigureSchema>;

/** Send test mail: these settings (saved or not) to this address; nothing is saved or queued. */
export const MailTestSchema = z
  .object({
    settings: MailSettingsSchema,
    password: z.string().max(1024).optional(),
    to: z.email('Enter the address to send the test to').max(254),
  })
  .strict();
export type MailTest = z.infer<typeof MailTestSchema>;

export const MAIL_TEST_STAGES = [
  'settings',
  'dns',
  'connect',
  'tls',
  'auth',
  'sender',
  'recipient',
  'timeout',
  'other',
] as const;
export type MailTestStage = (typeof MAIL_TEST_STAGES)[number];

export type MailTestResult =
  | { ok: true; messageId: string; response: string; elapsedMs: number }
  | { ok: false; stage: MailTestStage; message: string; elapsedMs: number };

export const MAIL_KINDS = [
  'test',
  'verification-code',
  'passcode-issued',
  'sign-in-completed',
  'desk-new-request',
  'security-alert',
] as const;
export type MailKind = (typeof MAIL_KINDS)[number];

/** An outbox message as admins see it: never its body (a verification code may be in it). */
export interface OutboxEntryView {
  id: string;
  kind: MailKind;
  to: string[];
  subject: string;
  state: 'pending' | 'sent' | 'failed';
  attempts: number;
  createdAt: number;
  nextAttemptAt: number | null;
  sentAt: number | null;
  lastError: string | null;
}

export interface MailStatus {
  enabled: boolean;
  /** Whether an SMTP password is saved (it is never sent). */
  passwordSaved: boolean;
  outbox: {
    pending: number;
    failed: number;
    /** The latest problem sending, if the last attempt failed. */
    lastError: string | null;
    lastSentAt: number | null;
  };
  /** The most recent messages that failed for good or are waiting to be retried, newest first. */
  problems: OutboxEntryView[];
}

/** The help-desk method is blocked for a user until an admin clears it. */
export interface MethodBlockView {
  username: string;
  reason: 'not-me' | 'suspicious-caller' | 'admin';
  /** In words, for the admin. */
  detail: string;
  at: number;
  by: string;
  /** When the block lapses by itself; null: until an admin clears it. */
  until: number | null;
}

/** Something admins must see now (live, in every admin console). */
export const ADMIN_ALERT_KINDS = [
  /** The user followed "This wasn't me". */
  'not-me',
  /** An agent ended a request as a suspicious caller. */
  'suspicious-caller',
  /** A cap was reached: passcodes for one user in a day, or reveals by one agent in an hour. */
  'cap-reached',
  /** A second approver refused a reveal. */
  'approval-refused',
  /** A SIEM destination refused audit entries for good: the export waits for new settings. */
  'audit-export-stopped',
] as const;
export type AdminAlertKind = (typeof ADMIN_ALERT_KINDS)[number];

export interface AdminAlert {
  id: string;
  kind: AdminAlertKind;
  /** The user it is about. */
  username: string;
  message: string;
  at: number;
  /** The request it is about, if any. */
  reference?: string;
}

export const BlockClearSchema = z
  .object({
    username: z.string().trim().min(1).max(128),
    reason: z.string().trim().min(3, 'Say why, for the record').max(500),
  })
  .strict();
