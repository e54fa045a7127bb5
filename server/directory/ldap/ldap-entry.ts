// An LDAP entry as agents see it: the mapped attributes read, the disabled rule applied, a manager DN shortened.
import type { Entry } from 'ldapts';
import type { LdapDisabledRule, LdapSettings } from '../../contract/directory';
import { normaliseUsername } from '../../contract/username';
import type { DirectoryProfile } from '../directory';

/** Active Directory's ACCOUNTDISABLE bit of `userAccountControl`. */
const ACCOUNTDISABLE = 0x2;

/**
 * When the entry last changed: OpenLDAP's `modifyTimestamp`, Active Directory's `whenChanged`.
 * Operational attributes, so they come back only when asked for by name.
 */
export const CHANGED_ATTRIBUTES = ['modifyTimestamp', 'whenChanged'] as const;

const GENERALIZED_TIME =
  /^(?<year>\d{4})(?<month>\d{2})(?<day>\d{2})(?<hour>\d{2})(?:(?<minute>\d{2})(?<second>\d{2})?)?(?:[.,](?<fraction>\d+))?(?<zone>Z|[+-]\d{2}(?:\d{2})?)$/;

/**
 * An LDAP GeneralizedTime (RFC 4517 3.3.13) as milliseconds since the epoch, or undefined when it is
 * not one: `YYYYMMDDHH[MM[SS]][(.|,)fraction](Z|±HH[MM])`, e.g. `20261201171708Z` (OpenLDAP),
 * `20261201171708.0Z` (Active Directory). A fraction is of the last unit given.
 */
export function parseGeneralizedTime(text: string): number | undefined {
  const match = GENERALIZED_TIME.exec(text.trim());
  if (!match?.groups) return undefined;
  const { year, month, day, hour, minute, second, fraction, zone = 'Z' } = match.groups;
  const number = (digits: string | undefined) => Number(digits ?? '0');
  const [mo, d, h, mi, se] = [month, day, hour, minute, second].map(number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  // Seconds may be 60 (a leap second): read as 59.
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || se > 60) return undefined;
  let at = Date.UTC(number(year), mo - 1, d, h, mi, Math.min(se, 59));
  // Date.UTC rolls 31 February over into March: such a day is not a date.
  if (new Date(at).getUTCDate() !== d) return undefined;
  if (fraction !== undefined) {
    const unit = second !== undefined ? 1_000 : minute !== undefined ? 60_000 : 3_600_000;
    at += Math.floor(Number(`0.${fraction}`) * unit);
  }
  if (zone !== 'Z') {
    const [hours, minutes] = [number(zone.slice(1, 3)), number(zone.slice(3, 5) || undefined)];
    if (hours > 23 || minutes > 59) return undefined;
    // Local time minus its offset is UTC.
    at -= (zone.startsWith('-') ? -1 : 1) * (hours * 60 + minutes) * 60_000;
  }
  return at;
}

/** When the directory last changed the entry (the newest of the change attributes), or null when it does not say. */
export function changedAtOf(entry: Entry): number | null {
  const times = CHANGED_ATTRIBUTES.flatMap((attribute) => attributeValues(entry, attribute))
    .map(parseGeneralizedTime)
    .filter((t): t is number => t !== undefined);
  return times.length > 0 ? Math.max(...times) : null;
}

/** Attribute names without options, compared case-insensitively (servers answer `uid` for `UID`). */
function sameAttribute(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** Every value of an attribute as text (Buffers read as UTF-8); [] when absent or unmapped. */
export function attributeValues(entry: Entry, attribute: string): string[] {
  if (attribute === '') return [];
  const key = Object.keys(entry).find((k) => k !== 'dn' && sameAttribute(k, attribute));
  if (key === undefined) return [];
  const raw = entry[key];
  const list: (string | Buffer)[] = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  return list.map((v) => (Buffer.isBuffer(v) ? v.toString('utf8') : v));
}

/** The first value of an attribute, or '' when it has none. */
export function firstValue(entry: Entry, attribute: string): string {
  return attributeValues(entry, attribute)[0] ?? '';
}

/**
 * The attributes a lookup asks for: the mapped ones, the one the disabled rule reads and when the
 * entry changed. Never `*`: an entry's other attributes (password hashes among them) are not fetched.
 * A server ignores the names it does not know (OpenLDAP has no `whenChanged`).
 */
export function requestedAttributes(settings: LdapSettings): string[] {
  const names = Object.values(settings.attributes).filter((a) => a !== '');
  if (settings.disabled.kind === 'ad-user-account-control') names.push('userAccountControl');
  if (settings.disabled.kind === 'attribute') names.push(settings.disabled.attribute);
  names.push(...CHANGED_ATTRIBUTES);
  const seen = new Set<string>();
  return names.filter((n) => {
    const key = n.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Whether the entry is disabled by the rule. The AD rule fails closed: an entry without a readable
 * `userAccountControl` (the service account may not read it) counts as disabled.
 */
export function isDisabled(rule: LdapDisabledRule, entry: Entry): boolean {
  switch (rule.kind) {
    case 'none':
      return false;
    case 'ad-user-account-control': {
      const text = firstValue(entry, 'userAccountControl').trim();
      if (!/^-?\d+$/.test(text)) return true;
      // A 32-bit flag word; AD writes it signed or unsigned, `&` reads both the same.
      return (Number(text) & ACCOUNTDISABLE) !== 0;
    }
    case 'attribute': {
      const wanted = rule.value.toLowerCase();
      return attributeValues(entry, rule.attribute).some((v) => v.trim().toLowerCase() === wanted);
    }
  }
}

/**
 * A manager as a name: a DN (`uid=mlee,ou=people,…`, `CN=Lee\, Min,OU=…`) shows its first RDN's
 * value (`mlee`, `Lee, Min`); anything else is shown as it is.
 */
export function managerName(value: string): string {
  const text = value.trim();
  const match = /^\s*([A-Za-z][\w-]*|\d+(?:\.\d+)+)\s*=/.exec(text);
  if (!match) return text;
  let out = '';
  for (let i = match[0].length; i < text.length; i++) {
    const c = text[i] as string;
    if (c === ',' || c === '+' || c === ';') break;
    if (c === '\\') {
      const hex = text.slice(i + 1, i + 3);
      if (/^[\dA-Fa-f]{2}$/.test(hex)) {
        // A run of \XX escapes is UTF-8 bytes.
        const bytes: number[] = [];
        while (text[i] === '\\' && /^[\dA-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
          bytes.push(Number.parseInt(text.slice(i + 1, i + 3), 16));
          i += 3;
        }
        i -= 1;
        out += Buffer.from(bytes).toString('utf8');
      } else if (i + 1 < text.length) {
        out += text[i + 1];
        i += 1;
      }
      continue;
    }
    out += c;
  }
  return out.trim() || text;
}

/**
 * The profile agents see for an entry. `username` comes from the mapped attribute (normalised);
 * `fallbackUsername` is used only when the entry has none.
 */
export function entryToProfile(
  entry: Entry,
  settings: LdapSettings,
  privileged: boolean,
  fallbackUsername: string,
): DirectoryProfile {
  const map = settings.attributes;
  const username = firstValue(entry, map.username);
  return {
    username: normaliseUsername(username === '' ? fallbackUsername : username),
    displayName: firstValue(entry, map.displayName).trim(),
    email: firstValue(entry, map.email).trim(),
    phone: firstValue(entry, map.phone).trim(),
    employeeId: firstValue(entry, map.employeeId).trim(),
    department: firstValue(entry, map.department).trim(),
    manager: managerName(firstValue(entry, map.manager)),
    enabled: !isDisabled(settings.disabled, entry),
    privileged,
    changedAt: changedAtOf(entry),
  };
}
