// The mails a request's life sends, over the real server and the real sign-in pages: a new request to
// its desk, each passcode issued and the completed sign-in to the user (with "This wasn't me"), each
// off when its setting is; and one that really reaches an SMTP server.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { NotificationSettings } from '../../server/contract/mail';
import type { OutboxMessage } from '../../server/store/repositories';
import type { SmtpTestServer } from '../support/smtp-server';
import { startSmtpServer } from '../support/smtp-server';
import type { AskedForHelp } from '../support/sign-in-pages';
import { askForHelp, enterCode } from '../support/sign-in-pages';
import { pageText } from '../support/form-browser';
import type { AgentSocket, TestServer } from '../support/test-server';
import { connectAgent, login, must, seedRealm, startTestServer } from '../support/test-server';

let server: TestServer;
let alice: AgentSocket;
let root: AgentSocket;
let smtp: SmtpTestServer | undefined;

const ALL_ON: NotificationSettings = {
  passcodeIssued: true,
  signInCompleted: true,
  deskNewRequest: { '1': true, '2': true },
  securityAlertsTo: '',
};

beforeAll(async () => {
  server = await startTestServer();
  await seedRealm(
    server,
    [
      { username: 'alice', displayName: 'Alice', role: 'agent', desks: ['1'] },
      { username: 'root', displayName: 'Root', role: 'admin', desks: ['1', '2'] },
    ],
    ['jsmith', 'rpatel', 'mlee', 'agarcia', 'nomail'],
  );
  alice = await connectAgent(server.url, await login(server.url, 'alice'));
  root = await connectAgent(server.url, await login(server.url, 'root'));
  await must(root, 'config:update', { workflow: 'username|second-factor' });
  await must(root, 'users:update', { username: 'nomail', changes: { email: '' } });
  await must(root, 'mail:configure', {
    settings: {
      enabled: true,
      host: 'smtp.example.com',
      port: 587,
      tls: 'starttls',
      caCertificate: '',
      username: '',
      fromAddress: 'helpdesk@example.com',
      fromName: 'Help Desk',
    },
  });
});

afterAll(async () => {
  alice?.disconnect();
  root?.disconnect();
  await server?.cleanup();
  await smtp?.dispose();
});

async function outbox(): Promise<OutboxMessage[]> {
  const text = await readFile(path.join(server.dataDir, 'outbox.json'), 'utf8');
  return (JSON.parse(text) as { messages: OutboxMessage[] }).messages;
}

const mailsOf = async (requestId: string, kind: OutboxMessage['kind']) =>
  (await outbox()).filter((m) => m.requestId === requestId && m.kind === kind);

/** Waits for the request's mail of this kind (notices are queued just after the change). */
async function mailOf(requestId: string, kind: OutboxMessage['kind']): Promise<OutboxMessage> {
  return vi.waitFor(
    async () => {
      const [found] = await mailsOf(requestId, kind);
      if (!found) throw new Error(`no ${kind} mail for ${requestId} yet`);
      return found;
    },
    { timeout: 5_000, interval: 20 },
  );
}

/**
 * That no mail of this kind was queued for the request: checked once a later mail of the same
 * request (queued after it would have been) is there, so the absence is not a matter of timing.
 */
async function expectNoMail(
  requestId: string,
  kind: OutboxMessage['kind'],
  after: () => Promise<unknown>,
) {
  await after();
  expect(await mailsOf(requestId, kind)).toEqual([]);
}

/** Claims, verifies and reveals; resolves with the passcode. */
async function reveal(requestId: string): Promise<string> {
  await must(alice, 'request:claim', { requestId });
  await must(alice, 'request:verify', { requestId, checkId: 'callback', note: 'Called back' });
  await must(alice, 'request:verify', { requestId, checkId: 'employee-id', note: 'Gave E1' });
  return (await must(alice, 'request:reveal', { requestId })).otp;
}

const setNotifications = (notifications: NotificationSettings) =>
  must(root, 'config:update', { notifications });

describe('a new request', () => {
  it("mails the desk's own address with the reference, the user and a link to the console", async () => {
    const { requestId, reference } = await askForHelp(server.url, 'jsmith', '1');
    const mail = await mailOf(requestId, 'desk-new-request');
    expect(mail.to).toEqual(['it@example.com']);
    expect(mail.subject).toContain(reference);
    expect(mail.text).toContain('User jsmith');
    expect(mail.text).toContain(`${server.url}/agent`);
    await must(alice, 'request:claim', { requestId });
    await must(alice, 'request:deny', { requestId, reason: 'test over' });
  });
});

describe('a passcode issued and a sign-in completed', () => {
  let asked: AskedForHelp;
  let otp: string;
  let issued: OutboxMessage;

  it('each reveal mails the user at the directory address, with "This wasn\'t me" and no passcode', async () => {
    asked = await askForHelp(server.url, 'rpatel', '1');
    otp = await reveal(asked.requestId);
    issued = await mailOf(asked.requestId, 'passcode-issued');
    expect(issued.to).toEqual(['rpatel@example.com']);
    expect(issued.text).toContain('IT Service Desk');
    expect(issued.text).toContain(asked.reference);
    expect(issued.text).toMatch(
      new RegExp(`${server.url.replace(/[.:/]/g, '\\$&')}/sign-in/not-me\\?t=[A-Za-z0-9_%.-]+`),
    );
    for (const part of [issued.subject, issued.text, issued.html]) expect(part).not.toContain(otp);

    // A second reveal (a new passcode) is a second notice.
    const again = (await must(alice, 'request:reveal', { requestId: asked.requestId })).otp;
    await vi.waitFor(async () =>
      expect(await mailsOf(asked.requestId, 'passcode-issued')).toHaveLength(2),
    );
    for (const message of await mailsOf(asked.requestId, 'passcode-issued'))
      for (const part of [message.text, message.html]) {
        expect(part).not.toContain(otp);
        expect(part).not.toContain(again);
      }
    otp = again;
  });

  it('completing the sign-in mails the user a sign-in-completed notice', async () => {
    const page = await enterCode(asked.browser, otp);
    expect(pageText(page.html)).toContain("You're signed in");
    const mail = await mailOf(asked.requestId, 'sign-in-completed');
    expect(mail.to).toEqual(['rpatel@example.com']);
    expect(mail.text).toContain('finished signing in');
    expect(mail.text).toContain('/sign-in/not-me?t=');
    expect(mail.text).not.toContain(otp);
  });

  it('a user with no address on file gets no notice, and the sign-in is not held up', async () => {
    const { requestId, browser } = await askForHelp(server.url, 'nomail', '1');
    const code = await reveal(requestId);
    const page = await enterCode(browser, code);
    expect(pageText(page.html)).toContain("You're signed in");
    // The desk's mail of the same request was queued before; the user's would have been after it.
    await mailOf(requestId, 'desk-new-request');
    expect(await mailsOf(requestId, 'passcode-issued')).toEqual([]);
    expect(await mailsOf(requestId, 'sign-in-completed')).toEqual([]);
  });
});

describe('each notification follows its setting', () => {
  it('with every setting off, a whole sign-in mails nobody', async () => {
    await setNotifications({
      passcodeIssued: false,
      signInCompleted: false,
      deskNewRequest: { '1': false, '2': true },
      securityAlertsTo: '',
    });
    try {
      const { requestId, browser } = await askForHelp(server.url, 'mlee', '1');
      const code = await reveal(requestId);
      await enterCode(browser, code);
      // A mail that is on (desk 2's) is queued after these changes: the others are not coming.
      await expectNoMail(requestId, 'passcode-issued', async () => {
        const other = await askForHelp(server.url, 'agarcia', '2');
        await mailOf(other.requestId, 'desk-new-request');
      });
      expect(await mailsOf(requestId, 'sign-in-completed')).toEqual([]);
      expect(await mailsOf(requestId, 'desk-new-request')).toEqual([]);
    } finally {
      await setNotifications(ALL_ON);
    }
  });

  it('with only the passcode notice off, completion still mails', async () => {
    await setNotifications({ ...ALL_ON, passcodeIssued: false });
    try {
      const { requestId, browser } = await askForHelp(server.url, 'mlee', '1');
      const code = await reveal(requestId);
      await enterCode(browser, code);
      await mailOf(requestId, 'sign-in-completed');
      expect(await mailsOf(requestId, 'passcode-issued')).toEqual([]);
    } finally {
      await setNotifications(ALL_ON);
    }
  });
});

describe('through a real SMTP server', () => {
  it('the passcode-issued notice arrives, with the link and without the passcode', async () => {
    smtp = await startSmtpServer();
    await must(root, 'mail:configure', { settings: smtp.settings(), password: smtp.password });
    server.app.outbox.start();

    const { requestId } = await askForHelp(server.url, 'jsmith', '1');
    const code = await reveal(requestId);
    const received = await smtp.waitFor(
      (m) => m.to.includes('jsmith@example.com') && m.text.includes('issued a sign-in code'),
    );
    expect(received.subject).toContain('A help desk issued a sign-in code for your account');
    expect(received.text).toContain('/sign-in/not-me?t=');
    expect(received.html).toContain('This wasn&#39;t me');
    expect(received.text).not.toContain(code);
    expect(received.html).not.toContain(code);
  });
});
