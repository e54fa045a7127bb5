// Directory status is read live: a user disabled or removed after asking for help gets no passcode and no sign-in.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Workflow } from '../../server/contract/realm-config';
import { claimAndVerify, issueCode } from '../e2e/support/agent-desk';
import type { AgentSocket, TestServer } from '../support/test-server';
import {
  PASSWORD,
  ask,
  connectAgent,
  login,
  must,
  nextEvent,
  readAudit,
  seedRealm,
  startTestServer,
} from '../support/test-server';
import type { PageResponse } from '../support/form-browser';
import { FormBrowser, pageText, referenceOn, requestIdOn } from '../support/form-browser';

let server: TestServer;
let agent: AgentSocket;

const REFUSAL = "This account can't be signed in right now Contact your administrator.";

beforeAll(async () => {
  server = await startTestServer();
  await seedRealm(
    server,
    [{ username: 'root', displayName: 'Root', role: 'admin', desks: ['1', '2'] }],
    ['jsmith', 'mlee', 'rpatel', 'agarcia', 'kwong', 'tnguyen'],
  );
  agent = await connectAgent(server.url, await login(server.url, 'root'));
});

afterAll(async () => {
  agent?.disconnect();
  await server?.cleanup();
});

beforeEach(async () => {
  await useWorkflow('username|second-factor');
});

const useWorkflow = (workflow: Workflow) => server.app.realm.update({ workflow }, 'test');

/** A browser that has identified as `username` and sent a request to desk 1; returns its request page. */
async function askForHelp(username: string): Promise<{ browser: FormBrowser; page: PageResponse }> {
  const browser = new FormBrowser(server.url);
  await browser.get('/sign-in');
  await browser.post('/sign-in', { username });
  await browser.get('/sign-in/method');
  const page = await browser.submit('/sign-in/method', { desk: '1' });
  expect(page.status).toBe(200);
  return { browser, page };
}

async function enterCode(browser: FormBrowser, otp: string): Promise<PageResponse> {
  await browser.get('/sign-in/code');
  return browser.submit('/sign-in/code', { otp });
}

describe('at reveal', () => {
  it('a user disabled after submitting gets no passcode: the agent is told why, and it is audited', async () => {
    const { page } = await askForHelp('jsmith');
    const requestId = await claimAndVerify(agent, referenceOn(page.html));
    await server.directory.setEnabled('jsmith', false);

    expect(await ask(agent, 'request:reveal', { requestId })).toEqual({
      error: {
        code: 'forbidden',
        message: 'jsmith is disabled in the directory; deny the request.',
      },
    });
    expect(server.app.requests.find(requestId)?.state).toBe('verified');
    const entries = await readAudit(server);
    const refusal = entries.find(
      (e) => e.action === 'request.reveal-refused' && e.requestId === requestId,
    );
    expect(refusal).toMatchObject({
      actor: 'agent:root',
      details: { reason: 'directory-disabled' },
    });
    // Once, with its reason: not again as a generic authorisation refusal.
    const after = entries.slice(entries.indexOf(refusal!) + 1);
    expect(after.filter((e) => e.action === 'authz.denied')).toEqual([]);

    // Enabled again, the same request can go ahead: the status is read each time.
    await server.directory.setEnabled('jsmith', true);
    expect((await must(agent, 'request:reveal', { requestId })).otp).toMatch(/^\d{8}$/);
  });

  it('a user removed from the directory after submitting gets no passcode either', async () => {
    const { page } = await askForHelp('mlee');
    const requestId = await claimAndVerify(agent, referenceOn(page.html));
    await server.directory.removeUser('mlee');

    expect(await ask(agent, 'request:reveal', { requestId })).toEqual({
      error: {
        code: 'forbidden',
        message: 'mlee is no longer in the directory; deny the request.',
      },
    });
    const refusal = (await readAudit(server)).find(
      (e) => e.action === 'request.reveal-refused' && e.requestId === requestId,
    );
    expect(refusal?.details).toMatchObject({ reason: 'directory-missing' });
  });
});

describe('at the passcode check', () => {
  it('a user disabled after the reveal: the right code is refused with a clear page and the request ends', async () => {
    const { browser, page } = await askForHelp('rpatel');
    const requestId = requestIdOn(page.html);
    const otp = await issueCode(agent, referenceOn(page.html));
    await server.directory.setEnabled('rpatel', false);

    const ended = nextEvent(
      agent,
      'request:updated',
      (r) => r.id === requestId && r.state === 'denied',
    );
    const answer = await enterCode(browser, otp);
    expect(answer.status).toBe(403);
    expect(pageText(answer.html)).toContain(REFUSAL);
    expect(pageText(answer.html)).not.toMatch(/not right|wrong/i);

    // Closed, not completed: the agent sees why, and the code no longer works anywhere.
    expect(await ended).toMatchObject({
      state: 'denied',
      closedReason: 'The account is disabled in the directory.',
      failedAttempts: 0,
    });
    const audit = await readAudit(server);
    expect(
      audit.find((e) => e.action === 'signin.refused' && e.requestId === requestId),
    ).toMatchObject({
      actor: 'system',
      details: { reason: 'directory-disabled', step: 'code', from: 'otp-issued', to: 'denied' },
    });
    expect(audit.some((e) => e.action === 'request.completed' && e.requestId === requestId)).toBe(
      false,
    );
    expect(audit.some((e) => e.action === 'signin.completed' && e.actor === 'user:rpatel')).toBe(
      false,
    );
    // The flow started over: nothing is left to try the code again on.
    const again = await browser.get('/sign-in/code');
    expect(again).toMatchObject({ status: 303, location: '/sign-in' });
  });

  it('a user removed after the reveal is refused the same way', async () => {
    const { browser, page } = await askForHelp('agarcia');
    const requestId = requestIdOn(page.html);
    const otp = await issueCode(agent, referenceOn(page.html));
    await server.directory.removeUser('agarcia');

    const answer = await enterCode(browser, otp);
    expect(answer.status).toBe(403);
    expect(pageText(answer.html)).toContain(REFUSAL);
    expect(server.app.requests.find(requestId)).toMatchObject({
      state: 'denied',
      closedReason: 'The account is no longer in the directory.',
    });
  });
});

describe('at the end of a password-last workflow', () => {
  it('a user disabled after the code is refused at the password step with a clear page, and nobody is signed in', async () => {
    await useWorkflow('username|second-factor|password');
    const { browser, page } = await askForHelp('kwong');
    const otp = await issueCode(agent, referenceOn(page.html));
    const afterCode = await browser.post('/sign-in/code', { otp });
    expect(afterCode).toMatchObject({ status: 303, location: '/sign-in/password' });
    await browser.get('/sign-in/password');
    await server.directory.setEnabled('kwong', false);

    const answer = await browser.submit('/sign-in/password', { password: PASSWORD });
    expect(answer.status).toBe(403);
    expect(pageText(answer.html)).toContain(REFUSAL);
    expect(pageText(answer.html)).not.toMatch(/password is not right/i);
    expect(browser.cookies.has('hd_pt')).toBe(false);

    const audit = await readAudit(server);
    expect(
      audit.find((e) => e.action === 'signin.refused' && e.actor === 'user:kwong'),
    ).toMatchObject({ details: { reason: 'directory-disabled', step: 'password' } });
    expect(audit.some((e) => e.action === 'signin.completed' && e.actor === 'user:kwong')).toBe(
      false,
    );
    // Nothing to come back to: the done page does not open.
    expect(await browser.get('/sign-in/done')).toMatchObject({ status: 303 });
  });

  it('a user removed after the code is refused the same way', async () => {
    await useWorkflow('username|second-factor|password');
    const { browser, page } = await askForHelp('tnguyen');
    const otp = await issueCode(agent, referenceOn(page.html));
    await browser.post('/sign-in/code', { otp });
    await browser.get('/sign-in/password');
    await server.directory.removeUser('tnguyen');

    const answer = await browser.submit('/sign-in/password', { password: PASSWORD });
    expect(answer.status).toBe(403);
    expect(pageText(answer.html)).toContain(REFUSAL);
    const audit = await readAudit(server);
    expect(
      audit.find((e) => e.action === 'signin.refused' && e.actor === 'user:tnguyen')?.details,
    ).toMatchObject({ reason: 'directory-missing', step: 'password' });
    expect(audit.some((e) => e.action === 'signin.completed' && e.actor === 'user:tnguyen')).toBe(
      false,
    );
  });
});
