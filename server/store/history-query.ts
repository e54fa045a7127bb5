// What a history filter means, once for every store: which closed requests match, and who "the agent" of one is.
import { normaliseUsername } from '../contract/username';
import type { ClosedRequest } from '../domain/help-request';
import { normaliseReference } from '../domain/reference-code';
import { inRange, startsWithTerm, textTerm } from './audit-query';
import type { HistoryFilter } from './repositories';

/** The agents a closed request is found by: who held it and who closed it (either may be absent). */
export function agentsOf(request: ClosedRequest): string[] {
  return [request.claimedBy?.username, request.closedBy?.username].filter(
    (name): name is string => name !== undefined,
  );
}

/** A reference term as compared: the code's symbols only (see `normaliseReference`); undefined when empty. */
export function referenceTerm(text: string | undefined): string | undefined {
  const term = text === undefined ? '' : normaliseReference(text.trim());
  return term ? term : undefined;
}

/** Whether the closed request is one the filter asks for: every condition given holds. */
export function historyMatches(request: ClosedRequest, filter: HistoryFilter): boolean {
  const reference = referenceTerm(filter.reference);
  const username =
    filter.username === undefined ? undefined : textTerm(normaliseUsername(filter.username));
  const agent = textTerm(filter.agent);
  return (
    (reference === undefined || normaliseReference(request.reference).startsWith(reference)) &&
    startsWithTerm(request.username, username) &&
    (agent === undefined || agentsOf(request).some((name) => name.toLowerCase() === agent)) &&
    (filter.desk === undefined || request.desk === filter.desk) &&
    (filter.desks === undefined || filter.desks.includes(request.desk)) &&
    (filter.outcome === undefined || request.state === filter.outcome) &&
    inRange(request.closedAt, filter.from, filter.to)
  );
}
