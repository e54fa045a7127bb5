// The risk signals of a new request: what the server knows of the user's history, the browser, the
// directory and the desk's hours, each in plain words for the agent. Pure: the service gathers the facts.
import { isIP } from 'node:net';
import type { HelpDeskId, RealmConfig } from '../contract/realm-config';
import type { DeskHours, RiskSignal } from '../contract/risk';
import type { DirectoryProfile } from '../directory/directory';
import type { SignInRecord } from '../store/repositories';

const DAY = 24 * 60 * 60 * 1000;

export interface RiskFacts {
  desk: HelpDeskId;
  /** The directory's user, read live at submission; undefined when there is none. */
  profile: DirectoryProfile | undefined;
  /** SHA-256 of the browser's device cookie, when it sent one. */
  deviceHash: string | undefined;
  ip: string;
  /** The user's last successful sign-ins, newest first. */
  signIns: readonly SignInRecord[];
  /** Other requests for this user in the last 24 hours (this one not counted). */
  recentRequests: number;
  /** Wrong passcodes for this user in the last 24 hours. */
  recentWrongPasscodes: number;
  /** The reference of the other browser's open request, when two asked at once. */
  contestedWith: string | undefined;
  now: number;
}

/** The network an address belongs to, as the signals compare them: IPv4 /24, IPv6 /48. */
export function networkOf(ip: string): string {
  // An IPv4 client of a dual-stack socket arrives as ::ffff:a.b.c.d: it is on the IPv4 network.
  const address = /^::ffff:/i.test(ip) && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
  if (isIP(address) === 4) return `${address.split('.').slice(0, 3).join('.')}.0/24`;
  if (isIP(address) === 6) return `${expandIpv6(address).slice(0, 3).join(':')}::/48`;
  return address;
}

function expandIpv6(address: string): string[] {
  const [head = '', tail] = address.split('%')[0]!.split('::');
  const groups = (part: string) => part.split(':').flatMap(dottedToGroups);
  const left = head ? groups(head) : [];
  const right = tail ? groups(tail) : [];
  const zeros = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].map((part) => part.toLowerCase().replace(/^0+(?=.)/, ''));
}

/** An IPv4 tail of an IPv6 address (`64:ff9b::192.0.2.1`) is its last two groups. */
function dottedToGroups(group: string): string[] {
  if (isIP(group) !== 4) return [group];
  const [a = 0, b = 0, c = 0, d = 0] = group.split('.').map(Number);
  return [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** Whether `at` falls inside the desk's opening hours (in the desk's time zone). */
export function withinHours(hours: DeskHours, at: number): boolean {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: hours.timeZone,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(at));
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const day = WEEKDAYS.indexOf(part('weekday'));
  const minutes = Number(part('hour')) * 60 + Number(part('minute'));
  const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));
  const opens = toMinutes(hours.opens);
  const closes = toMinutes(hours.closes);
  if (opens < closes) return hours.days.includes(day) && minutes >= opens && minutes < closes;
  // Spanning midnight: the evening belongs to today, the small hours to the day before.
  if (minutes >= opens) return hours.days.includes(day);
  return minutes < closes && hours.days.includes((day + 6) % 7);
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function riskSignalsOf(facts: RiskFacts, config: RealmConfig): RiskSignal[] {
  const policy = config.riskPolicy;
  const signals: RiskSignal[] = [];
  const add = (id: RiskSignal['id'], detail: string) => signals.push({ id, detail });

  const known = facts.deviceHash
    ? facts.signIns.some((s) => s.deviceHash === facts.deviceHash)
    : false;
  if (!known)
    add(
      'new-browser',
      facts.signIns.length === 0
        ? 'No earlier sign-in recorded for this user.'
        : facts.deviceHash
          ? 'The user has never signed in from this browser.'
          : 'The browser sent no device cookie (new or cleared).',
    );

  const network = networkOf(facts.ip);
  if (facts.signIns.length > 0 && !facts.signIns.some((s) => s.network === network))
    add(
      'new-network',
      `${facts.ip} is not on a network of the user's last ${plural(facts.signIns.length, 'sign-in')} (last from ${facts.signIns[0]?.ip ?? 'unknown'}).`,
    );

  if (facts.recentRequests >= policy.recentRequestsAtLeast)
    add(
      'recent-requests',
      `${plural(facts.recentRequests, 'other request')} for this user in the last 24 hours.`,
    );

  if (facts.recentWrongPasscodes > 0)
    add(
      'recent-wrong-passcodes',
      `${plural(facts.recentWrongPasscodes, 'wrong passcode')} for this user in the last 24 hours.`,
    );

  if (facts.contestedWith)
    add(
      'contested',
      `Another browser asked for this user at the same time (${facts.contestedWith}).`,
    );

  const profile = facts.profile;
  if (profile?.privileged) add('privileged', 'Member of the directory’s privileged group.');

  if (!profile) add('not-in-directory', 'No user of this name in the directory.');
  else if (!profile.enabled) add('not-in-directory', 'The account is disabled in the directory.');

  const changedAt = profile?.changedAt;
  if (typeof changedAt === 'number' && facts.now - changedAt < policy.directoryChangedDays * DAY) {
    // A directory whose clock runs a little ahead says "changed" a moment from now: that is today.
    const days = Math.max(0, Math.floor((facts.now - changedAt) / DAY));
    add(
      'directory-changed',
      `The directory changed the account ${days === 0 ? 'today' : `${plural(days, 'day')} ago`} (${new Date(changedAt).toISOString().slice(0, 10)}).`,
    );
  }

  const hours = config.helpDesks[facts.desk].hours;
  if (hours && !withinHours(hours, facts.now))
    add(
      'outside-hours',
      `Outside the desk's hours (${hours.days.map((d) => WEEKDAYS[d]).join(', ')} ${hours.opens}–${hours.closes}, ${hours.timeZone}).`,
    );

  return signals;
}
