// The directory on the wire: where users come from (embedded or LDAP), the LDAP settings, the users
// an admin manages in the embedded directory, and what a connection test reports.
import { z } from 'zod';
import { DirectoryUsernameSchema } from './username';

export const DIRECTORY_SOURCES = ['embedded', 'ldap'] as const;
export const DirectorySourceSchema = z.enum(DIRECTORY_SOURCES);
export type DirectorySource = z.infer<typeof DirectorySourceSchema>;

/** An LDAP attribute description: a name (or OID) with options, e.g. `telephoneNumber`, `cn;lang-en`. */
const AttributeNameSchema = z
  .string()
  .trim()
  .regex(/^(?:[A-Za-z][A-Za-z0-9-]*|\d+(?:\.\d+)+)(?:;[A-Za-z0-9-]+)*$/, 'An attribute name');
/** Optional mapping: '' means the directory has no such attribute; the field is shown empty. */
const OptionalAttributeSchema = z.union([z.literal(''), AttributeNameSchema]);

export const LdapAttributeMapSchema = z
  .object({
    username: AttributeNameSchema,
    displayName: AttributeNameSchema,
    email: OptionalAttributeSchema,
    phone: OptionalAttributeSchema,
    employeeId: OptionalAttributeSchema,
    department: OptionalAttributeSchema,
    manager: OptionalAttributeSchema,
  })
  .strict();
export type LdapAttributeMap = z.infer<typeof LdapAttributeMapSchema>;

/** How the directory says an account is disabled. */
export const LdapDisabledRuleSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('none') }).strict(),
  /** Active Directory: bit 2 (ACCOUNTDISABLE, 0x2) of `userAccountControl`. */
  z.object({ kind: z.literal('ad-user-account-control') }).strict(),
  /** Disabled when `attribute` has `value` (compared case-insensitively), e.g. `pwdAccountLockedTime`/`000001010000Z` or `employeeType`/`disabled`. */
  z
    .object({
      kind: z.literal('attribute'),
      attribute: AttributeNameSchema,
      value: z.string().trim().min(1, 'The value that means disabled').max(256),
    })
    .strict(),
]);
export type LdapDisabledRule = z.infer<typeof LdapDisabledRuleSchema>;

export const USERNAME_PLACEHOLDER = '{username}';

export const LdapSettingsSchema = z
  .object({
    /** `ldap://host[:port]` or `ldaps://host[:port]`; '' until configured. */
    url: z
      .string()
      .trim()
      .max(512)
      .refine((v) => v === '' || /^ldaps?:\/\/[^\s/]+\/?$/i.test(v), {
        message: 'Use ldap://host:port or ldaps://host:port',
      }),
    /** Upgrade an `ldap://` connection with StartTLS before binding. */
    startTls: z.boolean(),
    /** PEM certificate(s) of the CA to trust for LDAPS/StartTLS; '' trusts the system's CAs. */
    caCertificate: z
      .string()
      .trim()
      .max(64 * 1024)
      .refine((v) => v === '' || v.includes('-----BEGIN CERTIFICATE-----'), {
        message: 'Paste a PEM certificate (-----BEGIN CERTIFICATE-----…)',
      }),
    /** The service account that searches; its password is kept with the server's keys. */
    bindDn: z.string().trim().max(1024),
    baseDn: z.string().trim().max(1024),
    /** An RFC 4515 filter with `{username}` where the escaped username goes. */
    userFilter: z
      .string()
      .trim()
      .max(1024)
      .refine((v) => v.includes(USERNAME_PLACEHOLDER), {
        message: `Put ${USERNAME_PLACEHOLDER} where the username goes`,
      }),
    attributes: LdapAttributeMapSchema,
    disabled: LdapDisabledRuleSchema,
    /** DN of a group whose members are privileged users (a stricter policy applies); '' for none. */
    privilegedGroup: z.string().trim().max(1024),
    /** How long a lookup may be reused for display (the queue); reveal and passcodes read live. */
    cacheSeconds: z.number().int().min(0).max(300),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.startTls && /^ldaps:/i.test(s.url))
      ctx.addIssue({
        code: 'custom',
        path: ['startTls'],
        message: 'ldaps:// is TLS already; StartTLS is for ldap://',
      });
  });
export type LdapSettings = z.infer<typeof LdapSettingsSchema>;

/** ISO 3166-1 alpha-2 region, e.g. `US`, `GB`. */
export const CountryCodeSchema = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z]{2}$/, 'A two-letter country code, e.g. US');

export const DirectorySettingsSchema = z
  .object({
    source: DirectorySourceSchema,
    ldap: LdapSettingsSchema,
    /** Phone numbers typed without a country code are read as this country's. */
    phoneCountry: CountryCodeSchema,
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.source !== 'ldap') return;
    if (s.ldap.url === '')
      ctx.addIssue({ code: 'custom', path: ['ldap', 'url'], message: 'Enter the LDAP server URL' });
    if (s.ldap.baseDn === '')
      ctx.addIssue({
        code: 'custom',
        path: ['ldap', 'baseDn'],
        message: 'Enter the base DN to search',
      });
  });
export type DirectorySettings = z.infer<typeof DirectorySettingsSchema>;

export const OPENLDAP_PRESET: Pick<LdapSettings, 'userFilter' | 'attributes' | 'disabled'> = {
  userFilter: '(&(objectClass=person)(uid={username}))',
  attributes: {
    username: 'uid',
    displayName: 'cn',
    email: 'mail',
    phone: 'telephoneNumber',
    employeeId: 'employeeNumber',
    department: 'departmentNumber',
    manager: 'manager',
  },
  disabled: { kind: 'none' },
};

export const ACTIVE_DIRECTORY_PRESET: Pick<LdapSettings, 'userFilter' | 'attributes' | 'disabled'> =
  {
    userFilter: '(&(objectCategory=person)(objectClass=user)(sAMAccountName={username}))',
    attributes: {
      username: 'sAMAccountName',
      displayName: 'displayName',
      email: 'mail',
      phone: 'telephoneNumber',
      employeeId: 'employeeID',
      department: 'department',
      manager: 'manager',
    },
    disabled: { kind: 'ad-user-account-control' },
  };

export function defaultDirectorySettings(): DirectorySettings {
  return {
    source: 'embedded',
    ldap: {
      url: '',
      startTls: false,
      caCertificate: '',
      bindDn: '',
      baseDn: '',
      ...structuredClone(OPENLDAP_PRESET),
      privilegedGroup: '',
      cacheSeconds: 30,
    },
    phoneCountry: 'US',
  };
}

/**
 * What an admin saves: the settings, and the service account's password when it changes
 * (omitted: keep the saved one; it is never sent back).
 */
export const DirectoryConfigureSchema = z
  .object({
    settings: DirectorySettingsSchema,
    bindPassword: z.string().max(1024).optional(),
  })
  .strict();
export type DirectoryConfigure = z.infer<typeof DirectoryConfigureSchema>;

/** Test connection: these settings (saved or not), a username to look up. */
export const DirectoryTestSchema = z
  .object({
    ldap: LdapSettingsSchema,
    /** Omitted: the saved password. */
    bindPassword: z.string().max(1024).optional(),
    username: DirectoryUsernameSchema,
  })
  .strict();
export type DirectoryTest = z.infer<typeof DirectoryTestSchema>;

/** Where a connection test stopped, so an admin knows what to fix. */
export const DIRECTORY_TEST_STAGES = [
  'settings',
  'dns',
  'connect',
  'tls',
  'bind',
  'filter',
  'search',
  'no-such-user',
  'timeout',
] as const;
export type DirectoryTestStage = (typeof DIRECTORY_TEST_STAGES)[number];

/** A user as the directory gives them, mapped to the fields agents see. */
export const DirectoryUserViewSchema = z.object({
  username: z.string(),
  displayName: z.string(),
  email: z.string(),
  phone: z.string(),
  employeeId: z.string(),
  department: z.string(),
  manager: z.string(),
  enabled: z.boolean(),
  /** A member of the realm's privileged group: a stricter policy applies. */
  privileged: z.boolean(),
  /**
   * When the directory last changed the account (LDAP `modifyTimestamp`, AD `whenChanged`, the
   * embedded directory's own record), if it says: a recent change is a risk signal.
   */
  changedAt: z.number().nullable().optional(),
});
export type DirectoryUserView = z.infer<typeof DirectoryUserViewSchema>;

export type DirectoryTestResult =
  | {
      ok: true;
      /** The entry found. */
      dn: string;
      profile: DirectoryUserView;
      elapsedMs: number;
    }
  | { ok: false; stage: DirectoryTestStage; message: string; elapsedMs: number };

export interface DirectoryStatus {
  source: DirectorySource;
  /** `unavailable`: the last live read failed (LDAP down or misconfigured); sign-in is refused. */
  state: 'available' | 'unavailable';
  /** Why, in words, when unavailable. */
  problem: string | null;
  /** Since when (ms) in this state, as this server saw it. */
  since: number;
  /** Whether a bind password for LDAP is saved (it is never sent). */
  bindPasswordSaved: boolean;
  /** Users in the embedded directory. */
  embeddedUsers: number;
}

// ---- The embedded directory, managed by admins ----

const text = (max: number) => z.string().trim().max(max);

/** A user as an admin enters them; the phone is normalised to E.164 by the server. */
export const DirectoryUserInputSchema = z
  .object({
    username: DirectoryUsernameSchema,
    displayName: text(120).min(1, 'Enter a name'),
    email: text(254).refine((v) => v === '' || z.email().safeParse(v).success, {
      message: 'Enter an email address, e.g. jane@example.com',
    }),
    phone: text(40),
    employeeId: text(64),
    department: text(120),
    manager: text(120),
    enabled: z.boolean(),
    privileged: z.boolean(),
  })
  .strict();
export type DirectoryUserInput = z.infer<typeof DirectoryUserInputSchema>;

export const DirectoryUserSearchSchema = z
  .object({
    /** Matched case-insensitively against username, name, email, employee ID and department. */
    query: z.string().trim().max(120),
    offset: z.number().int().min(0).default(0),
    limit: z.number().int().min(1).max(200).default(50),
  })
  .strict();

const username = DirectoryUsernameSchema;

export const DirectoryUserAddSchema = z
  .object({
    user: DirectoryUserInputSchema,
    /** Omitted: the server generates one and answers it, once. */
    password: z.string().min(12, 'At least 12 characters').max(256).optional(),
  })
  .strict();

export const DirectoryUserUpdateSchema = z
  .object({ username, changes: DirectoryUserInputSchema.omit({ username: true }).partial() })
  .strict();

export const DirectoryUserEnableSchema = z.object({ username, enabled: z.boolean() }).strict();
export const DirectoryUserRefSchema = z.object({ username }).strict();

/** One CSV row that cannot be imported, and why. Line numbers count the header as line 1. */
export interface ImportRowError {
  line: number;
  column: string | null;
  message: string;
}

/** The answer to an import, previewed (`committed: false`) or done. */
export interface DirectoryImportResult {
  committed: boolean;
  rows: number;
  /** How many rows add a user, and how many replace one with the same username. */
  added: number;
  updated: number;
  errors: ImportRowError[];
  /** The first rows as they will be stored, for the preview. */
  sample: DirectoryUserView[];
  /** Passwords generated for rows that asked for one: shown once, never stored in clear. */
  generatedPasswords: { username: string; password: string }[];
  elapsedMs: number;
}

/** The CSV columns, in order, of import and export. */
export const DIRECTORY_CSV_COLUMNS = [
  'username',
  'displayName',
  'email',
  'phone',
  'employeeId',
  'department',
  'manager',
  'enabled',
  'privileged',
  'password',
] as const;
