// First run on an empty data dir: an admin with a generated password, and with --demo a working sample realm.
import type { AgentAccounts } from '../agents/agent-accounts';
import type { EmbeddedDirectory } from '../directory/embedded-directory';
import type { RealmService } from '../realm/realm-service';
import { generatePassword } from '../security/passwords';
import { HELP_DESK_IDS } from '../contract/realm-config';
import { deskLabel } from '../contract/desk-label';

export interface Credential {
  kind: 'admin' | 'agent' | 'directory user';
  username: string;
  password: string;
  note: string;
}

export const DEMO_USERS = [
  {
    username: 'jsmith',
    displayName: 'Jane Smith',
    department: 'Finance',
    manager: 'mlee',
    employeeId: 'E10234',
    phone: '+14155550101',
  },
  {
    username: 'rpatel',
    displayName: 'Ravi Patel',
    department: 'Engineering',
    manager: 'mlee',
    employeeId: 'E10877',
    phone: '+14155550102',
  },
  {
    username: 'mlee',
    displayName: 'Min Lee',
    department: 'Engineering',
    manager: 'cfo',
    employeeId: 'E10002',
    phone: '+14155550103',
  },
  {
    username: 'agarcia',
    displayName: 'Ana Garcia',
    department: 'Sales',
    manager: 'mlee',
    employeeId: 'E11420',
    phone: '+14155550104',
  },
  {
    username: 'tnguyen',
    displayName: 'Tuan Nguyen',
    department: 'Operations',
    manager: 'agarcia',
    employeeId: 'E11999',
    phone: '+14155550105',
  },
] as const;

export async function createFirstAdmin(agents: AgentAccounts): Promise<Credential> {
  const password = generatePassword();
  await agents.createWithPassword(
    { username: 'admin', displayName: 'Administrator', role: 'admin', desks: [...HELP_DESK_IDS] },
    password,
  );
  return {
    kind: 'admin',
    username: 'admin',
    password,
    note: 'staffs both desks; change settings in the console',
  };
}

/** Sample data for trying the product: both desks on, one agent per desk, a few directory users. */
export async function seedDemo(deps: {
  agents: AgentAccounts;
  realm: RealmService;
  directory: EmbeddedDirectory;
}): Promise<Credential[]> {
  await deps.realm.update(
    {
      helpDesks: {
        '1': {
          enabled: true,
          name: 'IT Service Desk',
          phone: '+14155550100',
          email: 'servicedesk@example.com',
        },
        '2': {
          enabled: true,
          name: 'Security Help Desk',
          phone: '+14155550199',
          email: 'security-desk@example.com',
        },
      },
    },
    'system',
  );
  const { helpDesks } = deps.realm.config;
  const credentials: Credential[] = [];
  for (const [username, displayName, desk] of [
    ['alice', 'Alice Agent', '1'],
    ['bob', 'Bob Agent', '2'],
  ] as const) {
    const password = generatePassword();
    await deps.agents.createWithPassword(
      { username, displayName, role: 'agent', desks: [desk] },
      password,
    );
    credentials.push({
      kind: 'agent',
      username,
      password,
      note: `staffs ${deskLabel(desk, helpDesks[desk])}`,
    });
  }
  for (const user of DEMO_USERS) {
    const password = generatePassword();
    await deps.directory.addUser({
      ...user,
      email: `${user.username}@example.com`,
      enabled: true,
      password,
    });
    credentials.push({
      kind: 'directory user',
      username: user.username,
      password,
      note: user.displayName,
    });
  }
  return credentials;
}
