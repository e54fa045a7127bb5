// Specification of the realm configuration contract: defaults, desks, policies, and the paths of errors.
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { HelpDesk, RealmConfig } from '../../../server/contract/realm-config';
import {
  DEFAULT_VERIFICATION_CHECKS,
  HelpDeskSchema,
  OtpPolicySchema,
  RealmConfigSchema,
  VerificationPolicySchema,
  WORKFLOWS,
  defaultRealmConfig,
} from '../../../server/contract/realm-config';

/** The dotted paths of every issue, or [] when the value is valid. */
function issuePaths(result: z.ZodSafeParseResult<unknown>): string[] {
  return result.success ? [] : result.error.issues.map((issue) => issue.path.join('.'));
}

/** The default config with some changes made to a deep copy. */
function configWith(change: (config: RealmConfig) => void): unknown {
  const config = structuredClone(defaultRealmConfig());
  change(config);
  return config;
}

const enabledDesk = (patch: Partial<HelpDesk> = {}): HelpDesk => ({
  enabled: true,
  name: 'IT Service Desk',
  phone: '+14155550123',
  email: 'helpdesk@example.com',
  ...patch,
});

describe('defaultRealmConfig', () => {
  it('is a valid realm config', () => {
    const result = RealmConfigSchema.safeParse(defaultRealmConfig());
    expect(result.error?.issues).toBeUndefined();
    expect(result.data).toEqual(defaultRealmConfig());
  });

  it('has both help desks disabled', () => {
    const { helpDesks } = defaultRealmConfig();
    expect(Object.keys(helpDesks).sort()).toEqual(['1', '2']);
    expect(helpDesks['1'].enabled).toBe(false);
    expect(helpDesks['2'].enabled).toBe(false);
  });

  it('uses the OTP policy of the design: 8 digits, 10 minutes, 5 attempts', () => {
    expect(defaultRealmConfig().otpPolicy).toEqual({ length: 8, ttlMinutes: 10, maxAttempts: 5 });
  });

  it('requires the callback and two checks in all, from the default checks', () => {
    const { verificationPolicy } = defaultRealmConfig();
    expect(verificationPolicy.checks.map((c) => c.id)).toEqual(
      DEFAULT_VERIFICATION_CHECKS.map((c) => c.id),
    );
    expect(verificationPolicy.required).toEqual(['callback']);
    expect(verificationPolicy.minimumChecks).toBe(2);
  });

  it('gives a fresh copy of the desks on each call', () => {
    const first = defaultRealmConfig();
    first.helpDesks['1'].enabled = true;
    expect(defaultRealmConfig().helpDesks['1'].enabled).toBe(false);
  });

  it('gives a fresh copy of the verification checks on each call', () => {
    const first = defaultRealmConfig();
    const second = defaultRealmConfig();
    expect(first.verificationPolicy.checks).not.toBe(second.verificationPolicy.checks);
    expect(first.verificationPolicy.checks[0]).not.toBe(second.verificationPolicy.checks[0]);
  });

  it('offers exactly the five workflows of the design, one of them by default', () => {
    expect(WORKFLOWS).toEqual([
      'username|second-factor',
      'username-password|second-factor',
      'username|second-factor|password',
      'persistent-token|second-factor',
      'persistent-token|second-factor|password',
    ]);
    expect(WORKFLOWS).toContain(defaultRealmConfig().workflow);
  });
});

describe('help desks', () => {
  it('an enabled desk with phone and email is valid', () => {
    expect(issuePaths(HelpDeskSchema.safeParse(enabledDesk()))).toEqual([]);
  });

  it('an enabled desk needs a phone and an email, reported at helpDesks.2.phone and .email', () => {
    const result = RealmConfigSchema.safeParse(
      configWith((c) => (c.helpDesks['2'] = enabledDesk({ phone: '', email: '' }))),
    );
    expect(issuePaths(result)).toEqual(['helpDesks.2.phone', 'helpDesks.2.email']);
  });

  it('an enabled desk missing only its email is reported at helpDesks.1.email', () => {
    const result = RealmConfigSchema.safeParse(
      configWith((c) => (c.helpDesks['1'] = enabledDesk({ email: '' }))),
    );
    expect(issuePaths(result)).toEqual(['helpDesks.1.email']);
  });

  it('a whitespace-only phone counts as missing on an enabled desk', () => {
    expect(issuePaths(HelpDeskSchema.safeParse(enabledDesk({ phone: '   ' })))).toEqual(['phone']);
  });

  it('reports a malformed phone and a missing email together', () => {
    const result = HelpDeskSchema.safeParse(enabledDesk({ phone: '555-0123', email: '' }));
    expect(issuePaths(result)).toEqual(['phone', 'email']);
  });

  it('a disabled desk may leave phone and email empty', () => {
    expect(
      issuePaths(HelpDeskSchema.safeParse(enabledDesk({ enabled: false, phone: '', email: '' }))),
    ).toEqual([]);
  });

  it('a disabled desk still may not hold a malformed phone or email', () => {
    const result = HelpDeskSchema.safeParse(
      enabledDesk({ enabled: false, phone: '555-0123', email: 'nope' }),
    );
    expect(issuePaths(result)).toEqual(['phone', 'email']);
  });

  it.each([
    ['empty', ''],
    ['blank', '   '],
    ['longer than 60 characters', 'D'.repeat(61)],
  ])('rejects a name that is %s', (_why, name) => {
    expect(issuePaths(HelpDeskSchema.safeParse(enabledDesk({ name })))).toEqual(['name']);
  });

  it('accepts a name of 60 characters and trims the name it keeps', () => {
    expect(issuePaths(HelpDeskSchema.safeParse(enabledDesk({ name: 'D'.repeat(60) })))).toEqual([]);
    expect(HelpDeskSchema.parse(enabledDesk({ name: '  Desk  ' })).name).toBe('Desk');
  });

  describe('phone (E.164)', () => {
    it.each(['+14155550123', '+442071838750', '+12', '+123456789012345'])('accepts %s', (phone) => {
      expect(issuePaths(HelpDeskSchema.safeParse(enabledDesk({ phone })))).toEqual([]);
    });

    it('trims surrounding spaces and keeps the number', () => {
      expect(HelpDeskSchema.parse(enabledDesk({ phone: ' +14155550123 ' })).phone).toBe(
        '+14155550123',
      );
    });

    it.each([
      ['without the plus', '4155550123'],
      ['with a leading zero', '+0123'],
      ['with letters', '+1415555ABCD'],
      ['with 16 digits', '+1234567890123456'],
      ['with spaces inside', '+1 415 555 0123'],
      ['with dashes', '+1-415-555-0123'],
      ['the plus alone', '+'],
      ['a single digit', '+1'],
    ])('rejects a number %s: %s', (_why, phone) => {
      expect(issuePaths(HelpDeskSchema.safeParse(enabledDesk({ phone })))).toEqual(['phone']);
    });

    it('reports a bad phone at its path in the realm config', () => {
      const result = RealmConfigSchema.safeParse(
        configWith((c) => (c.helpDesks['2'] = enabledDesk({ phone: '4155550123' }))),
      );
      expect(issuePaths(result)).toEqual(['helpDesks.2.phone']);
    });
  });

  describe('email', () => {
    it.each([
      'helpdesk@example.com',
      'it.support+otp@corp.example.co.uk',
      '  helpdesk@example.com  ',
    ])('accepts %s', (email) => {
      expect(issuePaths(HelpDeskSchema.safeParse(enabledDesk({ email })))).toEqual([]);
    });

    it.each([
      'helpdesk',
      'helpdesk@',
      '@example.com',
      'help desk@example.com',
      'helpdesk@example',
      'a@b@example.com',
      `${'a'.repeat(250)}@example.com`,
    ])('rejects %s', (email) => {
      expect(issuePaths(HelpDeskSchema.safeParse(enabledDesk({ email })))).toContain('email');
    });
  });
});

describe('otpPolicy', () => {
  const otpPolicy = (patch: object) => ({ length: 8, ttlMinutes: 10, maxAttempts: 5, ...patch });

  it.each([
    ['length', 6, true],
    ['length', 10, true],
    ['length', 5, false],
    ['length', 11, false],
    ['length', 7.5, false],
    ['ttlMinutes', 1, true],
    ['ttlMinutes', 60, true],
    ['ttlMinutes', 0, false],
    ['ttlMinutes', 61, false],
    ['ttlMinutes', 2.5, false],
    ['maxAttempts', 1, true],
    ['maxAttempts', 10, true],
    ['maxAttempts', 0, false],
    ['maxAttempts', 11, false],
  ] as const)('%s %d is valid: %s', (field, value, valid) => {
    const result = RealmConfigSchema.safeParse(
      configWith((c) => (c.otpPolicy = otpPolicy({ [field]: value }))),
    );
    expect(issuePaths(result)).toEqual(valid ? [] : [`otpPolicy.${field}`]);
  });

  it('rejects a length given as a string', () => {
    expect(issuePaths(OtpPolicySchema.safeParse(otpPolicy({ length: '8' })))).toEqual(['length']);
  });
});

describe('verificationPolicy', () => {
  const check = (id: string) => ({ id, label: `Check ${id}`, help: '' });
  const policy = (patch: object) => ({
    checks: ['callback', 'employee-id', 'manager', 'photo-id'].map(check),
    required: ['callback'],
    minimumChecks: 2,
    ...patch,
  });
  const paths = (patch: object) =>
    issuePaths(
      RealmConfigSchema.safeParse(
        configWith((c) => (c.verificationPolicy = policy(patch) as never)),
      ),
    );

  it('accepts the base policy used below', () => {
    expect(paths({})).toEqual([]);
  });

  it('reports a duplicate check id at the second occurrence', () => {
    expect(paths({ checks: ['callback', 'manager', 'callback'].map(check) })).toEqual([
      'verificationPolicy.checks.2.id',
    ]);
  });

  it('reports a required id that is not a check at its index in required', () => {
    expect(paths({ required: ['callback', 'ssn'] })).toEqual(['verificationPolicy.required.1']);
  });

  it('reports minimumChecks above the number of checks', () => {
    expect(paths({ minimumChecks: 5 })).toEqual(['verificationPolicy.minimumChecks']);
  });

  it('accepts minimumChecks equal to the number of checks', () => {
    expect(paths({ minimumChecks: 4 })).toEqual([]);
  });

  it('reports minimumChecks below the number of required checks', () => {
    expect(paths({ required: ['callback', 'employee-id', 'manager'], minimumChecks: 2 })).toEqual([
      'verificationPolicy.minimumChecks',
    ]);
  });

  it('accepts minimumChecks equal to the number of required checks', () => {
    expect(paths({ required: ['callback', 'employee-id', 'manager'], minimumChecks: 3 })).toEqual(
      [],
    );
  });

  it('counts a required id named twice once against minimumChecks', () => {
    expect(paths({ required: ['callback', 'callback'], minimumChecks: 1 })).toEqual([]);
  });

  it('needs at least one check and a minimum of at least one', () => {
    expect(paths({ checks: [], required: [], minimumChecks: 1 })).toContain(
      'verificationPolicy.checks',
    );
    expect(paths({ minimumChecks: 0, required: [] })).toEqual(['verificationPolicy.minimumChecks']);
  });

  it.each(['Callback', 'c', '1callback', 'call_back', 'call back', `c${'x'.repeat(40)}`])(
    'rejects the check id %s',
    (id) => {
      expect(paths({ checks: [check('callback'), check(id)] })).toContain(
        'verificationPolicy.checks.1.id',
      );
    },
  );

  it('fills in an empty help text when a check has none', () => {
    const parsed = VerificationPolicySchema.parse({
      checks: [{ id: 'callback', label: 'Called back' }],
      required: [],
      minimumChecks: 1,
    });
    expect(parsed.checks[0]?.help).toBe('');
  });
});

describe('postSignInUrl', () => {
  it.each([
    '',
    '   ',
    'https://apps.example.com/after-sign-in',
    'http://localhost:3000/',
    ' https://example.com ',
  ])('accepts "%s"', (url) => {
    expect(
      issuePaths(RealmConfigSchema.safeParse(configWith((c) => (c.postSignInUrl = url)))),
    ).toEqual([]);
  });

  it.each([
    'ftp://example.com/file',
    'javascript:alert(1)',
    'example.com/after-sign-in',
    '//example.com',
    'https://',
    'http://exa mple.com',
  ])('rejects "%s"', (url) => {
    const result = RealmConfigSchema.safeParse(configWith((c) => (c.postSignInUrl = url)));
    expect(new Set(issuePaths(result))).toEqual(new Set(['postSignInUrl']));
  });
});

describe('strictness', () => {
  it('rejects an unknown key at the top level', () => {
    const result = RealmConfigSchema.safeParse(
      configWith((c) => Object.assign(c, { theme: 'dark' })),
    );
    expect(result.error?.issues).toMatchObject([
      { code: 'unrecognized_keys', keys: ['theme'], path: [] },
    ]);
  });

  it('rejects a third help desk', () => {
    const result = RealmConfigSchema.safeParse(
      configWith((c) => Object.assign(c.helpDesks, { '3': enabledDesk() })),
    );
    expect(result.error?.issues).toMatchObject([
      { code: 'unrecognized_keys', keys: ['3'], path: ['helpDesks'] },
    ]);
  });

  it.each([
    [
      'a help desk',
      (c: RealmConfig) => Object.assign(c.helpDesks['1'], { fax: '+14155550100' }),
      'helpDesks.1',
    ],
    ['the OTP policy', (c: RealmConfig) => Object.assign(c.otpPolicy, { digits: 8 }), 'otpPolicy'],
    [
      'the verification policy',
      (c: RealmConfig) => Object.assign(c.verificationPolicy, { optional: [] }),
      'verificationPolicy',
    ],
    [
      'a verification check',
      (c: RealmConfig) => Object.assign(c.verificationPolicy.checks[0] ?? {}, { weight: 2 }),
      'verificationPolicy.checks.0',
    ],
    [
      'the persistent token',
      (c: RealmConfig) => Object.assign(c.persistentToken, { lifetimeHours: 1 }),
      'persistentToken',
    ],
  ])('rejects an unknown key in %s', (_where, change, path) => {
    expect(issuePaths(RealmConfigSchema.safeParse(configWith(change)))).toEqual([path]);
  });

  it('rejects a missing desk and a missing field', () => {
    const noDesk = RealmConfigSchema.safeParse(
      configWith((c) => delete (c.helpDesks as Partial<typeof c.helpDesks>)['2']),
    );
    expect(issuePaths(noDesk)).toEqual(['helpDesks.2']);
    const noWorkflow = RealmConfigSchema.safeParse(
      configWith((c) => delete (c as Partial<RealmConfig>).workflow),
    );
    expect(issuePaths(noWorkflow)).toEqual(['workflow']);
  });

  it('rejects a workflow outside the five', () => {
    const result = RealmConfigSchema.safeParse(
      configWith((c) => ((c as { workflow: string }).workflow = 'password')),
    );
    expect(issuePaths(result)).toEqual(['workflow']);
  });
});
