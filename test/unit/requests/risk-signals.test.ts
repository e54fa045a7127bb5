// The risk signals of a new request, from the facts the service gathers: each signal alone, its words,
// the policy's thresholds, and the network and opening-hours rules they rest on.
import { describe, expect, it } from 'vitest';
import type { RealmConfig } from '../../../server/contract/realm-config';
import { defaultRealmConfig } from '../../../server/contract/realm-config';
import type { DeskHours, RiskSignalId } from '../../../server/contract/risk';
import type { DirectoryProfile } from '../../../server/directory/directory';
import type { RiskFacts } from '../../../server/requests/risk-signals';
import { networkOf, riskSignalsOf, withinHours } from '../../../server/requests/risk-signals';
import type { SignInRecord } from '../../../server/store/repositories';

const DAY = 24 * 60 * 60 * 1000;
/** Wednesday 2 December 2026, 12:00 UTC. */
const NOON = Date.UTC(2026, 11, 2, 12);

const profile = (over: Partial<DirectoryProfile> = {}): DirectoryProfile => ({
  username: 'jsmith',
  displayName: 'Jane Smith',
  email: 'jane@example.com',
  phone: '+14155550101',
  employeeId: 'E1',
  department: 'Finance',
  manager: 'mlee',
  enabled: true,
  privileged: false,
  changedAt: NOON - 365 * DAY,
  ...over,
});

const signIn = (over: Partial<SignInRecord> = {}): SignInRecord => ({
  at: NOON - DAY,
  deviceHash: 'a'.repeat(64),
  ip: '203.0.113.7',
  network: '203.0.113.0/24',
  ...over,
});

/** A request that raises nothing: a known browser on a known network, a quiet history, a plain user. */
const quiet = (over: Partial<RiskFacts> = {}): RiskFacts => ({
  desk: '1',
  profile: profile(),
  deviceHash: 'a'.repeat(64),
  ip: '203.0.113.50',
  signIns: [signIn()],
  recentRequests: 0,
  recentWrongPasscodes: 0,
  contestedWith: undefined,
  now: NOON,
  ...over,
});

function configWith(over: Partial<RealmConfig['riskPolicy']> = {}, hours?: DeskHours): RealmConfig {
  const config = defaultRealmConfig();
  return {
    ...config,
    riskPolicy: { ...config.riskPolicy, ...over },
    helpDesks: hours
      ? { ...config.helpDesks, '1': { ...config.helpDesks['1'], hours } }
      : config.helpDesks,
  };
}

const ids = (facts: RiskFacts, config = configWith()): RiskSignalId[] =>
  riskSignalsOf(facts, config).map((s) => s.id);
const detailOf = (id: RiskSignalId, facts: RiskFacts, config = configWith()) =>
  riskSignalsOf(facts, config).find((s) => s.id === id)?.detail;

describe('riskSignalsOf', () => {
  it('raises nothing for a known browser on a known network, a quiet history and a plain, active user', () => {
    expect(riskSignalsOf(quiet(), configWith())).toEqual([]);
  });

  describe('new-browser', () => {
    it('when the user has never signed in at all', () => {
      const facts = quiet({ signIns: [] });
      expect(ids(facts)).toEqual(['new-browser']);
      expect(detailOf('new-browser', facts)).toBe('No earlier sign-in recorded for this user.');
    });

    it('when the browser is not one the user signed in from', () => {
      const facts = quiet({ deviceHash: 'b'.repeat(64) });
      expect(ids(facts)).toEqual(['new-browser']);
      expect(detailOf('new-browser', facts)).toBe(
        'The user has never signed in from this browser.',
      );
    });

    it('when the browser sent no device cookie, even if a sign-in was recorded without one', () => {
      const facts = quiet({ deviceHash: undefined, signIns: [signIn({ deviceHash: '' })] });
      expect(ids(facts)).toEqual(['new-browser']);
      expect(detailOf('new-browser', facts)).toMatch(/no device cookie/);
      expect(ids(quiet({ deviceHash: '', signIns: [signIn({ deviceHash: '' })] }))).toEqual([
        'new-browser',
      ]);
    });

    it('not when any of the remembered sign-ins was from this browser', () => {
      const signIns = [
        signIn({ deviceHash: 'c'.repeat(64) }),
        signIn(),
        signIn({ deviceHash: '' }),
      ];
      expect(ids(quiet({ signIns }))).toEqual([]);
    });
  });

  describe('new-network', () => {
    it('when the address is on none of the networks of the last sign-ins, naming the last address', () => {
      const facts = quiet({
        ip: '198.51.100.9',
        signIns: [signIn({ ip: '203.0.113.7' }), signIn({ ip: '203.0.113.8' })],
      });
      expect(ids(facts)).toEqual(['new-network']);
      expect(detailOf('new-network', facts)).toBe(
        "198.51.100.9 is not on a network of the user's last 2 sign-ins (last from 203.0.113.7).",
      );
    });

    it('not when the address shares a /24 with any of them', () => {
      const signIns = [signIn({ ip: '198.51.100.1', network: '198.51.100.0/24' }), signIn()];
      expect(ids(quiet({ ip: '203.0.113.200', signIns }))).toEqual([]);
    });

    it('not without any sign-in to compare with (new-browser says that)', () => {
      expect(ids(quiet({ signIns: [] }))).not.toContain('new-network');
    });

    it('compares an IPv4-mapped address as IPv4, and IPv6 by /48', () => {
      expect(ids(quiet({ ip: '::ffff:203.0.113.99' }))).toEqual([]);
      const v6 = [signIn({ ip: '2001:db8:abcd:1::5', network: networkOf('2001:db8:abcd:1::5') })];
      expect(ids(quiet({ ip: '2001:db8:abcd:ffff::1', signIns: v6 }))).toEqual([]);
      expect(ids(quiet({ ip: '2001:db8:abce::1', signIns: v6 }))).toEqual(['new-network']);
    });
  });

  describe('recent-requests', () => {
    it('from the policy’s threshold on, saying how many', () => {
      expect(ids(quiet({ recentRequests: 1 }))).toEqual([]);
      expect(ids(quiet({ recentRequests: 2 }))).toEqual(['recent-requests']);
      expect(detailOf('recent-requests', quiet({ recentRequests: 3 }))).toBe(
        '3 other requests for this user in the last 24 hours.',
      );
    });

    it('follows the threshold an admin sets', () => {
      const config = configWith({ recentRequestsAtLeast: 1 });
      expect(ids(quiet({ recentRequests: 1 }), config)).toEqual(['recent-requests']);
      expect(detailOf('recent-requests', quiet({ recentRequests: 1 }), config)).toBe(
        '1 other request for this user in the last 24 hours.',
      );
      expect(ids(quiet({ recentRequests: 4 }), configWith({ recentRequestsAtLeast: 5 }))).toEqual(
        [],
      );
    });
  });

  describe('recent-wrong-passcodes', () => {
    it('from the first wrong passcode, saying how many', () => {
      expect(ids(quiet({ recentWrongPasscodes: 0 }))).toEqual([]);
      expect(ids(quiet({ recentWrongPasscodes: 1 }))).toEqual(['recent-wrong-passcodes']);
      expect(detailOf('recent-wrong-passcodes', quiet({ recentWrongPasscodes: 1 }))).toBe(
        '1 wrong passcode for this user in the last 24 hours.',
      );
      expect(detailOf('recent-wrong-passcodes', quiet({ recentWrongPasscodes: 4 }))).toBe(
        '4 wrong passcodes for this user in the last 24 hours.',
      );
    });
  });

  describe('contested', () => {
    it('names the other browser’s request', () => {
      const facts = quiet({ contestedWith: 'K7M-4QX' });
      expect(ids(facts)).toEqual(['contested']);
      expect(detailOf('contested', facts)).toBe(
        'Another browser asked for this user at the same time (K7M-4QX).',
      );
    });
  });

  describe('privileged', () => {
    it('for a member of the privileged group', () => {
      expect(ids(quiet({ profile: profile({ privileged: true }) }))).toEqual(['privileged']);
    });
  });

  describe('not-in-directory', () => {
    it('for a user the directory does not have', () => {
      const facts = quiet({ profile: undefined });
      expect(ids(facts)).toEqual(['not-in-directory']);
      expect(detailOf('not-in-directory', facts)).toBe('No user of this name in the directory.');
    });

    it('for a disabled user', () => {
      const facts = quiet({ profile: profile({ enabled: false }) });
      expect(ids(facts)).toEqual(['not-in-directory']);
      expect(detailOf('not-in-directory', facts)).toBe('The account is disabled in the directory.');
    });
  });

  describe('directory-changed', () => {
    it('within the policy’s days, saying when', () => {
      const today = quiet({ profile: profile({ changedAt: NOON - 60_000 }) });
      expect(ids(today)).toEqual(['directory-changed']);
      expect(detailOf('directory-changed', today)).toBe(
        'The directory changed the account today (2026-12-02).',
      );
      const sixDays = quiet({ profile: profile({ changedAt: NOON - 6 * DAY - 1 }) });
      expect(detailOf('directory-changed', sixDays)).toBe(
        'The directory changed the account 6 days ago (2026-11-26).',
      );
      expect(
        detailOf('directory-changed', quiet({ profile: profile({ changedAt: NOON - DAY }) })),
      ).toBe('The directory changed the account 1 day ago (2026-12-01).');
    });

    it('not from the policy’s number of days on, nor when the directory does not say', () => {
      expect(ids(quiet({ profile: profile({ changedAt: NOON - 7 * DAY }) }))).toEqual([]);
      expect(ids(quiet({ profile: profile({ changedAt: null }) }))).toEqual([]);
      expect(ids(quiet({ profile: profile({ changedAt: undefined }) }))).toEqual([]);
    });

    it('follows the days an admin sets', () => {
      const facts = quiet({ profile: profile({ changedAt: NOON - 10 * DAY }) });
      expect(ids(facts, configWith({ directoryChangedDays: 30 }))).toEqual(['directory-changed']);
      expect(ids(facts, configWith({ directoryChangedDays: 10 }))).toEqual([]);
    });

    it('reads a change a moment ahead of our clock (a directory whose clock runs fast) as today', () => {
      const facts = quiet({ profile: profile({ changedAt: NOON + 2_000 }) });
      expect(detailOf('directory-changed', facts)).toBe(
        'The directory changed the account today (2026-12-02).',
      );
    });
  });

  describe('outside-hours', () => {
    const weekdays: DeskHours = {
      timeZone: 'UTC',
      days: [1, 2, 3, 4, 5],
      opens: '08:00',
      closes: '18:00',
    };

    it('when the desk has hours and the request came outside them, saying which', () => {
      const facts = quiet({ now: Date.UTC(2026, 11, 2, 19) });
      expect(ids(facts, configWith({}, weekdays))).toEqual(['outside-hours']);
      expect(detailOf('outside-hours', facts, configWith({}, weekdays))).toBe(
        "Outside the desk's hours (Mon, Tue, Wed, Thu, Fri 08:00–18:00, UTC).",
      );
    });

    it('not inside them, nor when the desk has no hours, nor for the other desk', () => {
      expect(ids(quiet(), configWith({}, weekdays))).toEqual([]);
      expect(ids(quiet({ now: Date.UTC(2026, 11, 2, 19) }))).toEqual([]);
      expect(
        ids(quiet({ desk: '2', now: Date.UTC(2026, 11, 2, 19) }), configWith({}, weekdays)),
      ).toEqual([]);
    });
  });

  it('raises every signal at once, in a stable order', () => {
    const facts: RiskFacts = {
      desk: '1',
      profile: profile({ enabled: false, privileged: true, changedAt: NOON - DAY }),
      deviceHash: undefined,
      ip: '198.51.100.9',
      signIns: [signIn()],
      recentRequests: 5,
      recentWrongPasscodes: 2,
      contestedWith: 'K7M-4QX',
      now: Date.UTC(2026, 11, 5, 12), // a Saturday
    };
    const hours: DeskHours = {
      timeZone: 'UTC',
      days: [1, 2, 3, 4, 5],
      opens: '08:00',
      closes: '18:00',
    };
    expect(ids(facts, configWith({}, hours))).toEqual([
      'new-browser',
      'new-network',
      'recent-requests',
      'recent-wrong-passcodes',
      'contested',
      'privileged',
      'not-in-directory',
      'directory-changed',
      'outside-hours',
    ]);
  });
});

describe('networkOf', () => {
  it.each([
    ['203.0.113.7', '203.0.113.0/24'],
    ['10.1.2.255', '10.1.2.0/24'],
    ['::ffff:203.0.113.7', '203.0.113.0/24'],
    ['::FFFF:203.0.113.7', '203.0.113.0/24'],
    ['2001:db8:abcd:12::1', '2001:db8:abcd::/48'],
    ['2001:0DB8:ABCD:0012:0000:0000:0000:0001', '2001:db8:abcd::/48'],
    ['2001:db8::1', '2001:db8:0::/48'],
    ['::1', '0:0:0::/48'],
    ['::', '0:0:0::/48'],
    ['fe80::1%eth0', 'fe80:0:0::/48'],
    ['64:ff9b::192.0.2.1', '64:ff9b:0::/48'],
    ['2001:db8:1:2:3:4:192.0.2.1', '2001:db8:1::/48'],
  ])('%s is on %s', (ip, network) => {
    expect(networkOf(ip)).toBe(network);
  });

  it('puts addresses of one /24 (or /48) together and others apart', () => {
    expect(networkOf('198.51.100.1')).toBe(networkOf('198.51.100.254'));
    expect(networkOf('198.51.100.1')).not.toBe(networkOf('198.51.101.1'));
    expect(networkOf('::ffff:198.51.100.1')).toBe(networkOf('198.51.100.2'));
    expect(networkOf('2001:db8:1::1')).toBe(networkOf('2001:db8:1:ffff::2'));
    expect(networkOf('2001:db8:1::1')).not.toBe(networkOf('2001:db8:2::1'));
  });

  it('answers what is not an address as it is (it matches only itself)', () => {
    expect(networkOf('')).toBe('');
    expect(networkOf('not an address')).toBe('not an address');
  });
});

describe('withinHours', () => {
  const hours = (over: Partial<DeskHours> = {}): DeskHours => ({
    timeZone: 'UTC',
    days: [1, 2, 3, 4, 5],
    opens: '08:00',
    closes: '18:00',
    ...over,
  });
  /** 2026-12-02 is a Wednesday. */
  const at = (day: number, hour: number, minute = 0) => Date.UTC(2026, 11, day, hour, minute);

  it('is open from the opening minute up to, not including, the closing minute', () => {
    expect(withinHours(hours(), at(2, 7, 59))).toBe(false);
    expect(withinHours(hours(), at(2, 8, 0))).toBe(true);
    expect(withinHours(hours(), at(2, 12))).toBe(true);
    expect(withinHours(hours(), at(2, 17, 59))).toBe(true);
    expect(withinHours(hours(), at(2, 18, 0))).toBe(false);
    expect(withinHours(hours(), at(2, 0, 0))).toBe(false);
  });

  it('only on the days it is open', () => {
    expect(withinHours(hours(), at(5, 12))).toBe(false); // Saturday
    expect(withinHours(hours(), at(6, 12))).toBe(false); // Sunday
    expect(withinHours(hours(), at(7, 12))).toBe(true); // Monday
    expect(withinHours(hours({ days: [0, 6] }), at(6, 12))).toBe(true);
    expect(withinHours(hours({ days: [0, 6] }), at(7, 12))).toBe(false);
  });

  it('spanning midnight: the evening belongs to its day, the small hours to the day before', () => {
    const nights = hours({ days: [5], opens: '22:00', closes: '06:00' }); // Friday nights
    expect(withinHours(nights, at(4, 23))).toBe(true); // Friday 23:00
    expect(withinHours(nights, at(5, 3))).toBe(true); // Saturday 03:00, Friday's night
    expect(withinHours(nights, at(5, 6))).toBe(false); // Saturday 06:00, closed
    expect(withinHours(nights, at(5, 23))).toBe(false); // Saturday 23:00, not a day it opens
    expect(withinHours(nights, at(4, 3))).toBe(false); // Friday 03:00 belongs to Thursday
    expect(withinHours(nights, at(4, 21, 59))).toBe(false);
    const evening = hours({ days: [3], opens: '18:00', closes: '00:00' });
    expect(withinHours(evening, at(2, 23, 59))).toBe(true);
    expect(withinHours(evening, at(3, 0, 0))).toBe(false);
  });

  it('in the desk’s own time zone, daylight saving time included', () => {
    const london = hours({ timeZone: 'Europe/London' });
    const tokyo = hours({ timeZone: 'Asia/Tokyo' });
    const newYork = hours({ timeZone: 'America/New_York' });
    // Wednesday 12:00 UTC: London (GMT) 12:00, Tokyo 21:00, New York 07:00.
    expect(withinHours(london, at(2, 12))).toBe(true);
    expect(withinHours(tokyo, at(2, 12))).toBe(false);
    expect(withinHours(newYork, at(2, 12))).toBe(false);
    // Wednesday 23:30 UTC is Thursday 08:30 in Tokyo.
    expect(withinHours(tokyo, at(2, 23, 30))).toBe(true);
    // Friday 23:30 UTC is Saturday 08:30 in Tokyo: not a day it opens.
    expect(withinHours(tokyo, at(4, 23, 30))).toBe(false);
    // In July London is on BST (UTC+1): 07:30 UTC is 08:30 there.
    expect(withinHours(london, Date.UTC(2026, 6, 1, 7, 30))).toBe(true);
    expect(withinHours(london, Date.UTC(2026, 11, 2, 7, 30))).toBe(false);
    // A half-hour zone.
    const kolkata = hours({ timeZone: 'Asia/Kolkata' });
    expect(withinHours(kolkata, at(2, 2, 29))).toBe(false); // 07:59 IST
    expect(withinHours(kolkata, at(2, 2, 30))).toBe(true); // 08:00 IST
  });
});
