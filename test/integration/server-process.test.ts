// The server as a process: first run, health, the data-dir lock, corrupt files and clean shutdown.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runServer } from '../support/server-process';

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'hdotp-proc-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('npm run server', () => {
  it('creates a realm with both desks disabled and prints a generated admin password once', async () => {
    const first = runServer(['--port', '0', '--data', dataDir]);
    const url = await first.ready;
    const password = /admin\s+admin\s+(\S+)/.exec(first.output())?.[1];
    expect(password).toMatch(/^[A-Za-z0-9]{5}(-[A-Za-z0-9]{5}){3}$/);
    // A realm with no users and no desk says what to do next.
    expect(first.output()).toMatch(/Next steps/);
    expect(first.output()).toContain('Settings → Desks: enable Help Desk 1 or 2');
    expect(first.output()).toContain(`npm run directory -- import users.csv --data ${dataDir}`);
    expect(first.output()).toMatch(/connect LDAP or Active Directory/);

    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({
      status: 'ok',
      version: expect.any(String),
      storage: { status: 'ok' },
    });

    const login = await fetch(`${url}/api/agent/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password }),
    });
    expect(login.status).toBe(201);

    const realm = JSON.parse(await readFile(path.join(dataDir, 'realm.json'), 'utf8'));
    expect(realm.helpDesks['1'].enabled).toBe(false);
    expect(realm.helpDesks['2'].enabled).toBe(false);
    // The password is not kept in clear anywhere in the data dir.
    for (const file of ['agents.json', 'audit.jsonl', 'realm.json']) {
      expect(await readFile(path.join(dataDir, file), 'utf8')).not.toContain(password!);
    }

    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    const second = runServer(['--port', '0', '--data', dataDir]);
    await second.ready;
    expect(second.output()).not.toMatch(/admin\s+admin\s+\S+-/);
    expect(second.output()).not.toMatch(/Next steps/);
    second.child.kill('SIGINT');
    expect(await second.exited).toBe(0);
  });

  it('refuses to share its data dir with a running server', async () => {
    const first = runServer(['--port', '0', '--data', dataDir]);
    await first.ready;
    const second = runServer(['--port', '0', '--data', dataDir]);
    expect(await second.exited).toBe(1);
    expect(second.output()).toMatch(/Another server \(pid \d+/);
    expect(second.output()).toContain(dataDir);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
  });

  it('stops with a message naming a corrupt file, and leaves the file as it was', async () => {
    const first = runServer(['--port', '0', '--data', dataDir]);
    await first.ready;
    first.child.kill('SIGTERM');
    await first.exited;

    const realmFile = path.join(dataDir, 'realm.json');
    const broken = (await readFile(realmFile, 'utf8')).slice(0, 40);
    await writeFile(realmFile, broken);
    const second = runServer(['--port', '0', '--data', dataDir]);
    expect(await second.exited).toBe(1);
    expect(second.output()).toContain(realmFile);
    expect(second.output()).toMatch(/corrupt/i);
    expect(await readFile(realmFile, 'utf8')).toBe(broken);
  });

  it('rejects a data file that parses but breaks the schema, naming the field', async () => {
    const first = runServer(['--port', '0', '--data', dataDir]);
    await first.ready;
    first.child.kill('SIGTERM');
    await first.exited;
    const realmFile = path.join(dataDir, 'realm.json');
    const realm = JSON.parse(await readFile(realmFile, 'utf8'));
    realm.otpPolicy.length = 3;
    await writeFile(realmFile, JSON.stringify(realm));
    const second = runServer(['--port', '0', '--data', dataDir]);
    expect(await second.exited).toBe(1);
    expect(second.output()).toContain(realmFile);
    expect(second.output()).toMatch(/otpPolicy\.length/);
  });

  it('--demo enables both desks and prints agent and user credentials, and the desks as the method page names them', async () => {
    const demo = runServer(['--port', '0', '--data', dataDir, '--demo']);
    await demo.ready;
    expect(demo.output()).toMatch(/agent\s+alice\s+\S+\s+\(staffs Help Desk 1 · IT Service Desk\)/);
    expect(demo.output()).toMatch(
      /agent\s+bob\s+\S+\s+\(staffs Help Desk 2 · Security Help Desk\)/,
    );
    expect(demo.output()).toMatch(/Desks \(as the method page shows them\):/);
    expect(demo.output()).toMatch(
      /Help Desk 1 · IT Service Desk\s+\+14155550100\s+servicedesk@example\.com/,
    );
    expect(demo.output()).toMatch(
      /Help Desk 2 · Security Help Desk\s+\+14155550199\s+security-desk@example\.com/,
    );
    expect(demo.output()).toMatch(/directory user\s+jsmith/);
    expect(demo.output()).not.toMatch(/Next steps/);
    const realm = JSON.parse(await readFile(path.join(dataDir, 'realm.json'), 'utf8'));
    expect(realm.helpDesks['1']).toMatchObject({
      enabled: true,
      phone: expect.stringMatching(/^\+/),
    });
    expect(realm.helpDesks['2']).toMatchObject({
      enabled: true,
      email: expect.stringContaining('@'),
    });
    demo.child.kill('SIGTERM');
    expect(await demo.exited).toBe(0);

    // Only a new data dir is seeded: this one is used as it is, and says so.
    const again = runServer(['--port', '0', '--data', dataDir, '--demo']);
    await again.ready;
    expect(again.output()).toContain('--demo only seeds a new data dir');
    expect(again.output()).not.toMatch(/agent\s+alice\s+\S+-/);
    expect(again.output()).not.toMatch(/Desks \(as the method page/);
    again.child.kill('SIGTERM');
    expect(await again.exited).toBe(0);
  });

  it('explains a bad flag instead of starting', async () => {
    const bad = runServer(['--port', 'seventy', '--data', dataDir]);
    expect(await bad.exited).toBe(1);
    expect(bad.output()).toMatch(/--port/);
    expect(bad.output()).toMatch(/Usage/);
  });

  it('takes over the data dir of a server killed with SIGKILL, without anyone deleting a file', async () => {
    const first = runServer(['--port', '0', '--data', dataDir]);
    await first.ready;
    first.child.kill('SIGKILL');

    const second = runServer(['--port', '0', '--data', dataDir]);
    const url = await second.ready;
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect(await first.exited).toBe(null); // it died of the signal, it did not shut down
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });
});
