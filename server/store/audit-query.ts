// What an audit filter means, once for every store: which entries match, and how its terms read.
import type { AuditEntry } from '../audit/audit-chain';
import type { AuditFilter } from './repositories';

/** A text condition as it is compared: trimmed, lower case; undefined when nothing is left. */
export function textTerm(text: string | undefined): string | undefined {
  const term = text?.trim().toLowerCase();
  return term ? term : undefined;
}

/** Whether `value` starts with the term, ignoring case (no term: it does). */
export function startsWithTerm(value: string, term: string | undefined): boolean {
  return term === undefined || value.toLowerCase().startsWith(term);
}

/** Whether `at` (ms) lies in [from, to). */
export function inRange(at: number, from: number | undefined, to: number | undefined): boolean {
  return (from === undefined || at >= from) && (to === undefined || at < to);
}

/** Whether the entry is one the filter asks for: every condition given holds. */
export function auditEntryMatches(entry: AuditEntry, filter: AuditFilter): boolean {
  return (
    startsWithTerm(entry.actor, textTerm(filter.actor)) &&
    startsWithTerm(entry.action, textTerm(filter.action)) &&
    (filter.requestIds === undefined ||
      (entry.requestId !== undefined && filter.requestIds.includes(entry.requestId))) &&
    inRange(Date.parse(entry.at), filter.from, filter.to)
  );
}
