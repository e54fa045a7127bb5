// The mails the realm sends about a request: the verification code, the notices that tell the user
// a passcode was issued or a sign-in completed (with "This wasn't me"), and the desk's new-request
// mail. Each is laid out by renderMail; none ever holds a help-desk passcode.
import type { AdminAlert, MailKind } from '../contract/mail';
import type { RealmConfig } from '../contract/realm-config';
import type { HelpRequest } from '../domain/help-request';
import { MAILED_CODE } from '../domain/mailed-code';
import type { MailContent } from './mail-layout';
import { renderMail } from './mail-layout';

/** A mail ready for the outbox. */
export interface QueuedMail extends MailContent {
  kind: MailKind;
  to: string;
  requestId?: string;
}

/** Where mail is handed over (the outbox): records it durably, or refuses (e.g. mail is off). */
export interface MailQueue {
  queue(mail: QueuedMail): Promise<unknown>;
}

/** A mail's content and kind, before it is addressed. */
export type Message = MailContent & { kind: MailKind };

/** A moment as every mail shows it: unambiguous, in UTC. */
export function mailTime(at: number): string {
  const d = new Date(at);
  const date = d.toLocaleDateString('en-GB', {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    timeZone: 'UTC',
  });
  const time = d.toLocaleTimeString('en-GB', {
    hour: '2-digit',
    minute: '2-digit',
    timeZone: 'UTC',
  });
  return `${date}, ${time} UTC`;
}

/** The browser a request came from, as its user agent said (shortened; never trusted). */
const browserOf = (request: HelpRequest) => request.origin.userAgent.slice(0, 160) || 'Not given';
const addressOf = (request: HelpRequest) => request.origin.ip || 'Unknown';
const deskName = (realm: RealmConfig, request: HelpRequest) => realm.helpDesks[request.desk].name;

export interface VerificationCodeInput {
  realm: RealmConfig;
  request: HelpRequest;
  code: string;
}

/** The code the caller reads back to the agent: it goes to the address on file, and only there. */
export function verificationCodeMail({ realm, request, code }: VerificationCodeInput): Message {
  const minutes = Math.round(MAILED_CODE.ttlMs / 60_000);
  return {
    kind: 'verification-code',
    ...renderMail({
      realmName: realm.name,
      // Not in the subject: the outbox keeps subjects (and admins see them) after bodies are gone.
      subject: 'Your verification code for the help desk',
      heading: `Your verification code: ${code}`,
      paragraphs: [
        `${deskName(realm, request)} asked to confirm it is you on the call about sign-in request ${request.reference}.`,
        `Read this code to the help desk agent: ${code}. It works for ${minutes} minutes.`,
        'Give it only to the help desk agent on the call you started. Nobody else needs it, and the help desk will never ask for your password.',
        'If you are not on a call with the help desk, someone may be pretending to be you: do not share the code, and tell your administrator.',
      ],
      facts: [
        ['Request', request.reference],
        ['Username', request.username],
      ],
      footer: 'You received this because a help desk agent verifying a caller sent it.',
    }),
  };
}

export interface UserNoticeInput {
  realm: RealmConfig;
  request: HelpRequest;
  /** When it happened. */
  at: number;
  /** The signed "This wasn't me" link. */
  notMeUrl: string;
}

/** What happened, where and from which browser: the facts a user recognises, or does not. */
function noticeFacts(realm: RealmConfig, request: HelpRequest, at: number) {
  return [
    ['When', mailTime(at)],
    ['Help desk', deskName(realm, request)],
    ['Request', request.reference],
    ['Browser', browserOf(request)],
    ['Address', addressOf(request)],
  ] as const;
}

const NOT_ME_FOOTER =
  'The link works once, for 7 days. It stops any open help-desk request for your account and blocks the help desk from issuing codes for it until an administrator checks.';

/** The user is told a help-desk passcode was issued for their account (never the passcode). */
export function passcodeIssuedMail({ realm, request, at, notMeUrl }: UserNoticeInput): Message {
  return {
    kind: 'passcode-issued',
    ...renderMail({
      realmName: realm.name,
      subject: 'A help desk issued a sign-in code for your account',
      heading: 'A help desk issued a sign-in code for your account',
      paragraphs: [
        `${deskName(realm, request)} gave a one-time sign-in code to someone signing in as ${request.username}, after checking who they were.`,
        'If that was you, there is nothing to do.',
        "If it wasn't you, tell us now: we'll stop the request and block help-desk sign-in for your account.",
      ],
      facts: noticeFacts(realm, request, at),
      action: { label: "This wasn't me", url: notMeUrl },
      footer: NOT_ME_FOOTER,
    }),
  };
}

/** The user is told a sign-in through the help desk completed. */
export function signInCompletedMail({ realm, request, at, notMeUrl }: UserNoticeInput): Message {
  return {
    kind: 'sign-in-completed',
    ...renderMail({
      realmName: realm.name,
      subject: 'You signed in with a help-desk code',
      heading: 'Your account was signed in with a help-desk code',
      paragraphs: [
        `Someone signing in as ${request.username} finished signing in with a one-time code from ${deskName(realm, request)}.`,
        'If that was you, there is nothing to do.',
        "If it wasn't you, tell us now: we'll block help-desk sign-in for your account and alert your administrators.",
      ],
      facts: noticeFacts(realm, request, at),
      action: { label: "This wasn't me", url: notMeUrl },
      footer: NOT_ME_FOOTER,
    }),
  };
}

export interface DeskNewRequestInput {
  realm: RealmConfig;
  request: HelpRequest;
  /** The agent console's address (`…/agent`). */
  consoleUrl: string;
}

/** A desk's own address hears that a request arrived for it. */
export function deskNewRequestMail({ realm, request, consoleUrl }: DeskNewRequestInput): Message {
  const desk = deskName(realm, request);
  return {
    kind: 'desk-new-request',
    ...renderMail({
      realmName: realm.name,
      subject: `New sign-in request ${request.reference} for ${desk}`,
      heading: `New sign-in request for ${desk}`,
      paragraphs: [
        'Someone asked for a one-time sign-in code. Open the console to claim the request, then verify the caller before revealing a code.',
      ],
      facts: [
        ['Reference', request.reference],
        ['Username', request.username],
        ['Name', request.displayName || 'Not in the directory'],
        ['When', mailTime(request.createdAt)],
      ],
      action: { label: 'Open the agent console', url: consoleUrl },
      footer:
        'You receive this because this address is the help desk’s email in the realm’s settings.',
    }),
  };
}

export interface SecurityAlertInput {
  realm: RealmConfig;
  alert: AdminAlert;
  /** The agent console's address (`…/agent`). */
  consoleUrl: string;
}

const ALERT_TITLES: Record<AdminAlert['kind'], string> = {
  'not-me': 'A user said a help-desk sign-in was not them',
  'suspicious-caller': 'An agent reported a suspicious caller',
  'cap-reached': 'A help-desk passcode limit was reached',
  'approval-refused': 'A second approver refused a reveal',
  'audit-export-stopped': 'The audit export stopped',
};

/** Admins' alert, mailed to the realm's security address as it is raised. */
export function securityAlertMail({ realm, alert, consoleUrl }: SecurityAlertInput): Message {
  const title = ALERT_TITLES[alert.kind];
  return {
    kind: 'security-alert',
    ...renderMail({
      realmName: realm.name,
      subject: `[${realm.name}] ${title}: ${alert.username}`,
      heading: title,
      paragraphs: [alert.message],
      facts: [
        ['User', alert.username],
        ...(alert.reference ? ([['Request', alert.reference]] as [string, string][]) : []),
        ['When', mailTime(alert.at)],
      ],
      action: { label: 'Open the agent console', url: consoleUrl },
      footer:
        'You receive this because this address is where the realm’s settings send admins’ alerts.',
    }),
  };
}
