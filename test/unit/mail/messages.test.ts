// Specification of the mails a request sends: what each says, in text and HTML alike, and that none
// carries a help-desk passcode.
import { describe, expect, it } from 'vitest';
import type { RealmConfig } from '../../../server/contract/realm-config';
import { defaultRealmConfig } from '../../../server/contract/realm-config';
import type { HelpRequest } from '../../../server/domain/help-request';
import type { Message } from '../../../server/mail/messages';
import {
  deskNewRequestMail,
  mailTime,
  passcodeIssuedMail,
  signInCompletedMail,
  verificationCodeMail,
} from '../../../server/mail/messages';

const T0 = Date.UTC(2026, 11, 1, 15, 30, 0);
const PASSCODE = '73915260';
const NOT_ME_URL = 'https://signin.example.com/sign-in/not-me?t=abc.def';

const realm: RealmConfig = {
  ...defaultRealmConfig(),
  name: 'Acme & Co',
  helpDesks: {
    '1': { enabled: true, name: 'IT Service Desk', phone: '+14155550100', email: 'it@acme.test' },
    '2': { enabled: false, name: 'Security Desk', phone: '', email: '' },
  },
};

const common = {
  id: 'req-0123456789abcdef',
  reference: 'K7M-4QX',
  desk: '1' as const,
  username: 'jdoe',
  displayName: 'Jane <Doe>',
  inDirectory: true,
  sessionHash: 'c'.repeat(64),
  createdAt: T0,
  updatedAt: T0,
  expiresAt: T0 + 30 * 60_000,
  verification: [],
  failedAttempts: 0,
  riskSignals: [],
  origin: { ip: '203.0.113.7', userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0' },
};
const queued: HelpRequest = { ...common, state: 'queued' };
/** The passcode's hash is all a request ever holds; the passcode itself is never handed to a mail. */
const issued: HelpRequest = {
  ...common,
  state: 'otp-issued',
  claimedBy: { id: 'agent-alice', username: 'alice' },
  otp: { hash: 'a'.repeat(64), issuedAt: T0 + 60_000, expiresAt: T0 + 11 * 60_000, revealCount: 1 },
};
const completed: HelpRequest = {
  ...common,
  state: 'completed',
  closedAt: T0 + 2 * 60_000,
  closedReason: 'Signed in with the passcode.',
};

/** The HTML's visible text: tags and styles gone, entities read. */
const visible = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/\s+/g, ' ');

/** Runs of six or more digits: what a passcode or code would look like. */
const codeLike = (text: string) => text.match(/\d{6,}/g) ?? [];

function expectSaidInBoth(mail: Message, ...phrases: string[]) {
  for (const phrase of phrases) {
    expect(mail.text).toContain(phrase);
    expect(visible(mail.html)).toContain(phrase);
  }
}

function expectNoPasscode(mail: Message) {
  for (const part of [mail.subject, mail.text, visible(mail.html)]) {
    expect(part).not.toContain(PASSCODE);
    expect(codeLike(part)).toEqual([]);
  }
}

describe('the verification-code mail', () => {
  const mail = verificationCodeMail({ realm, request: issued, code: '048213' });

  it('carries the code, how long it works, and whom to give it to', () => {
    expect(mail.kind).toBe('verification-code');
    expectSaidInBoth(
      mail,
      '048213',
      'It works for 10 minutes',
      'Give it only to the help desk agent on the call you started',
      'K7M-4QX',
      'IT Service Desk',
      'Acme & Co',
    );
  });

  it('keeps the code out of the subject (the outbox keeps subjects after bodies are gone)', () => {
    expect(mail.subject).not.toContain('048213');
    expect(mail.subject).toContain('Acme & Co');
  });

  it('the only code-like digits in it are the code itself', () => {
    expect(new Set(codeLike(mail.text))).toEqual(new Set(['048213']));
    expect(new Set(codeLike(visible(mail.html)))).toEqual(new Set(['048213']));
    expect(mail.text).not.toContain(PASSCODE);
  });
});

describe('the passcode-issued notice', () => {
  const mail = passcodeIssuedMail({
    realm,
    request: issued,
    at: T0 + 60_000,
    notMeUrl: NOT_ME_URL,
  });

  it('says when, which desk, from which browser and address, with the "This wasn\'t me" link', () => {
    expect(mail.kind).toBe('passcode-issued');
    expectSaidInBoth(
      mail,
      mailTime(T0 + 60_000),
      'IT Service Desk',
      'Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0',
      '203.0.113.7',
      'K7M-4QX',
      "This wasn't me",
    );
    expect(mail.text).toContain(NOT_ME_URL);
    expect(mail.html).toContain('href="https://signin.example.com/sign-in/not-me?t=abc.def"');
  });

  it('never carries a passcode', () => expectNoPasscode(mail));
});

describe('the sign-in-completed notice', () => {
  const mail = signInCompletedMail({
    realm,
    request: completed,
    at: T0 + 2 * 60_000,
    notMeUrl: NOT_ME_URL,
  });

  it('says a help-desk sign-in completed, when, where from, with the link', () => {
    expect(mail.kind).toBe('sign-in-completed');
    expectSaidInBoth(
      mail,
      'finished signing in',
      mailTime(T0 + 2 * 60_000),
      'IT Service Desk',
      '203.0.113.7',
      "This wasn't me",
    );
    expect(mail.text).toContain(NOT_ME_URL);
  });

  it('never carries a passcode', () => expectNoPasscode(mail));
});

describe("the desk's new-request mail", () => {
  const mail = deskNewRequestMail({
    realm,
    request: queued,
    consoleUrl: 'https://signin.example.com/agent',
  });

  it('names the reference, the user, when, and links to the console', () => {
    expect(mail.kind).toBe('desk-new-request');
    expect(mail.subject).toContain('K7M-4QX');
    expectSaidInBoth(mail, 'K7M-4QX', 'jdoe', 'Jane <Doe>', mailTime(T0), 'IT Service Desk');
    expect(mail.text).toContain('https://signin.example.com/agent');
    expect(mail.html).toContain('href="https://signin.example.com/agent"');
  });

  it('escapes what the directory says in the HTML part', () => {
    expect(mail.html).toContain('Jane &lt;Doe&gt;');
    expect(mail.html).not.toContain('Jane <Doe>');
  });

  it('never carries a passcode', () => expectNoPasscode(mail));
});

describe('mailTime', () => {
  it('is written in UTC, with the day, so a reader abroad is not misled', () => {
    expect(mailTime(T0)).toBe('Tue, 1 Dec 2026, 15:30 UTC');
  });
});
