// Two servers on one real PostgreSQL, each seeing at once what the other did: a session signed in on
// one works on the other a moment later (socket, HTTP, sign-out), a request the other closed is
// shown as closed (page and live socket), a new authenticator rule reaches consoles on both, and
// mail recorded on the server that does not lead is sent by the one that does, at once.
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../server/app';
import { createApp } from '../../server/app';
import { silentLogger } from '../../server/logger';
import { openPostgresStore } from '../../server/store/postgres/postgres-store';
import { FormBrowser, phaseOn } from '../support/form-browser';
import type { Postgres } from '../support/postgres';
import { startPostgres } from '../support/postgres';
import { askForHelp, liveStatus } from '../support/sign-in-pages';
import type { SmtpTestServer } from '../support/smtp-server';
import { startSmtpServer } from '../support/smtp-server';
import type { AgentSocket } from '../support/test-server';
import {
  PASSWORD,
  RELAXED_RISK_POLICY,
  connectAgent,
  login,
  must,
  nextEvent,
} from '../support/test-server';

let postgres: Postgres;
let smtp: SmtpTestServer;
const apps: App[] = [];
const urls: string[] = [];
const sockets: AgentSocket[] = [];
const A = 0;
const B = 1;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, check: () => boolean, withinMs = 10_000) {
  const deadline = Date.now() + withinMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not within ${withinMs} ms: ${what}`);
    await sleep(20);
  }
}

beforeAll(async () => {
  smtp = await startSmtpServer();
  postgres = await startPostgres();
  const database = await postgres.newDatabase();
  for (let i = 0; i < 2; i++) {
    const app = createApp({
      store: await openPostgresStore(database),
      version: 'test',
      logger: silentLogger(),
    });
    await new Promise<void>((resolve) => app.httpServer.listen(0, '127.0.0.1', resolve));
    apps.push(app);
    urls.push(`http://127.0.0.1:${(app.httpServer.address() as AddressInfo).port}`);
  }
  const seeded = apps[A]!;
  await seeded.realm.update(
    {
      helpDesks: {
        '1': {
          enabled: true,
          name: 'IT Service Desk',
          phone: '+14155550100',
          email: 'it@example.com',
        },
      },
      riskPolicy: RELAXED_RISK_POLICY,
    },
    'test',
  );
  await seeded.agents.createWithPassword(
    { username: 'root', displayName: 'Root', role: 'admin', desks: ['1'] },
    PASSWORD,
  );
  await seeded.agents.createWithPassword(
    { username: 'alice', displayName: 'Alice', role: 'agent', desks: ['1'] },
    PASSWORD,
  );
  await seeded.embeddedDirectory.addUser({
    username: 'jsmith',
    displayName: 'Jo Smith',
    email: 'jsmith@example.com',
    phone: '+14155550111',
    employeeId: 'E1',
    department: 'Finance',
    manager: 'boss',
    enabled: true,
    privileged: false,
    password: PASSWORD,
  });
  await until(
    'the other server knows the realm and the agents',
    () =>
      apps[B]!.realm.config.helpDesks['1'].enabled &&
      apps[B]!.agents.list().some((a) => a.username === 'alice'),
  );
}, 120_000);

afterAll(async () => {
  sockets.forEach((socket) => socket.disconnect());
  await Promise.all(apps.map((app) => app.close()));
  await postgres?.dispose();
  await smtp?.dispose();
});

describe('a session signed in on one server', () => {
  it('opens a console on the other at once, passes its admin routes, and signs out there', async () => {
    const token = await login(urls[A]!, 'root');
    // No wait: the other server's cache may not hold the session yet; it asks the database.
    const socket = await connectAgent(urls[B]!, token);
    sockets.push(socket);
    const exported = await fetch(`${urls[B]}/api/directory/export`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(exported.status).toBe(200);
    expect(await exported.text()).toContain('jsmith');
    const again = await login(urls[A]!, 'root');
    const out = await fetch(`${urls[B]}/api/agent/session`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${again}` },
    });
    expect(out.status).toBe(204);
    // Signed out, the token opens nothing on either server.
    await until('both servers forget the session', () =>
      apps.every((app) => app.sessions.authenticate(again) === undefined),
    );
    await expect(connectAgent(urls[A]!, again)).rejects.toThrow('unauthenticated');
  });
});

/** The same browser (its cookies) on another server, as behind a proxy that does not stick. */
function onServer(browser: FormBrowser, i: number): FormBrowser {
  const moved = new FormBrowser(urls[i]!);
  for (const [name, value] of browser.cookies) moved.cookies.set(name, value);
  return moved;
}

describe('a request made on one server', () => {
  it("is on the other server's request page at once", async () => {
    const { browser, requestId } = await askForHelp(urls[A]!, 'jsmith', '1', PASSWORD);
    const page = await onServer(browser, B).get('/sign-in/request');
    expect(page.status).toBe(200);
    expect(phaseOn(page.html)).toBe('waiting');
    expect(apps[B]!.requests.find(requestId)?.state).toBe('queued');
  });
});

describe('a request closed by the other server', () => {
  it("shows as closed on the end-user's page and live socket of the server that took it", async () => {
    const { browser, requestId } = await askForHelp(urls[A]!, 'jsmith', '1', PASSWORD);
    const alice = await connectAgent(urls[B]!, await login(urls[B]!, 'alice'));
    sockets.push(alice);
    await until(
      'the other server has the request',
      () => apps[B]!.requests.find(requestId) !== undefined,
    );
    await must(alice, 'request:claim', { requestId });
    await must(alice, 'request:deny', { requestId, reason: 'Could not verify the caller' });
    await until('the first server no longer holds it open', () =>
      apps[A]!.requests.openRequests().every((r) => r.id !== requestId),
    );
    // The first server never saw it close; it reads it from the history.
    expect(phaseOn((await browser.get('/sign-in/request')).html)).toBe('denied');
    expect((await liveStatus(browser, requestId)).phase).toBe('denied');
  });
});

describe('mail', () => {
  it('recorded on the server that does not lead is sent by the leader at once', async () => {
    // Sweeps once an hour: only the outbox should act here.
    for (const app of apps) app.startTimers(60 * 60_000);
    await until('one leads', () => apps.some((app) => app.leadership.leading));
    const admin = await connectAgent(urls[A]!, await login(urls[A]!, 'root'));
    sockets.push(admin);
    await must(admin, 'mail:configure', { settings: smtp.settings(), password: smtp.password });
    const follower = apps.find((app) => !app.leadership.leading)!;
    await until('the follower knows mail is on', () => follower.realm.config.mail.enabled);
    const marker = `marker-${Date.now()}`;
    const queuedAt = Date.now();
    await follower.outbox.queue({
      kind: 'test',
      to: 'jsmith@example.com',
      subject: `Across processes ${marker}`,
      text: marker,
      html: `<p>${marker}</p>`,
    });
    // The leader's worker was asleep with nothing due: only the remote change wakes it.
    const received = await smtp.waitFor((mail) => mail.subject.includes(marker), 10_000);
    const ms = received.receivedAt - queuedAt;
    console.log(`outbox: queued on the follower, received from the leader after ${ms} ms`);
    expect(ms).toBeLessThan(5_000);
  });
});

describe('a new authenticator rule', () => {
  it('reaches the consoles connected to the other server at once', async () => {
    const admin = await connectAgent(urls[A]!, await login(urls[A]!, 'root'));
    const alice = await connectAgent(urls[B]!, await login(urls[B]!, 'alice'));
    sockets.push(admin, alice);
    const told = nextEvent(alice, 'session:ready', (info) => info.mustEnrolTotp);
    await must(admin, 'config:update', { agentTotp: 'everyone' });
    expect((await told).mustEnrolTotp).toBe(true);
  });
});
