// Directory details in request:get over the real server, masked as the realm's verification policy says.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { askForHelp } from '../support/sign-in-pages';
import type { AgentSocket, TestServer } from '../support/test-server';
import {
  PASSWORD,
  ask,
  connectAgent,
  login,
  must,
  seedRealm,
  startTestServer,
} from '../support/test-server';

let server: TestServer;
let admin: AgentSocket;
let requestId: string;

const onFile = {
  username: 'jane',
  displayName: 'Jane Smith',
  email: 'jane.smith@example.com',
  phone: '+14155550123',
  employeeId: 'E-104223',
  department: 'Finance',
  manager: 'Robert Boss',
  enabled: true,
  privileged: true,
  password: PASSWORD,
};

beforeAll(async () => {
  server = await startTestServer();
  await seedRealm(server, [
    { username: 'root', displayName: 'Root', role: 'admin', desks: ['1', '2'] },
  ]);
  await server.app.realm.update({ workflow: 'username|second-factor' }, 'test');
  await server.directory.addUser(onFile);
  admin = await connectAgent(server.url, await login(server.url, 'root'));
  ({ requestId } = await askForHelp(server.url, 'jane', '1'));
});

afterAll(async () => {
  admin.disconnect();
  await server.cleanup();
});

async function setMaskedFields(maskedFields: string[]) {
  const { verificationPolicy } = await must(admin, 'config:get', {});
  await must(admin, 'config:update', {
    verificationPolicy: { ...verificationPolicy, maskedFields },
  });
}

describe('request:get', () => {
  it('masks the employee ID by default and shows the rest', async () => {
    const { directory } = await must(admin, 'request:get', { requestId });
    expect(directory).toEqual({
      displayName: 'Jane Smith',
      email: 'jane.smith@example.com',
      phone: '+14155550123',
      employeeId: '••••••23',
      department: 'Finance',
      manager: 'Robert Boss',
      enabled: true,
      privileged: true,
    });
  });

  it('masks every field the policy names, at once after an admin changes it', async () => {
    await setMaskedFields(['email', 'phone', 'employeeId', 'department', 'manager']);
    const { directory } = await must(admin, 'request:get', { requestId });
    expect(directory).toEqual({
      displayName: 'Jane Smith',
      email: 'j•••@example.com',
      phone: '••••••23',
      employeeId: '••••••23',
      department: '•••',
      manager: '•••',
      enabled: true,
      privileged: true,
    });
  });

  it('shows everything when the policy masks nothing', async () => {
    await setMaskedFields([]);
    const { directory } = await must(admin, 'request:get', { requestId });
    expect(directory).toMatchObject({ employeeId: 'E-104223', email: 'jane.smith@example.com' });
  });

  it('refuses a field the policy cannot mask, and changes nothing', async () => {
    const before = await must(admin, 'config:get', {});
    const { verificationPolicy } = before;
    const answer = await ask(admin, 'config:update', {
      verificationPolicy: { ...verificationPolicy, maskedFields: ['displayName'] },
    });
    expect(answer).toEqual({ error: expect.objectContaining({ code: 'bad-request' }) });
    expect(await must(admin, 'config:get', {})).toEqual(before);
  });
});
