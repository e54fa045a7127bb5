// History and audit use-cases: closed requests searched on the desks an agent staffs, a request's
// whole trail from the audit log in words, the log searched, checked and exported (admins).
import type { AuditEntry } from '../audit/audit-chain';
import { auditWords } from '../audit/audit-words';
import type {
  AuditEntryView,
  AuditPage,
  AuditSearch,
  AuditVerifyResult,
  HistoryDetail,
  HistoryPage,
  HistoryRow,
  HistorySearch,
} from '../contract/history';
import type { ClosedRequest } from '../domain/help-request';
import { parseReferenceCode } from '../domain/reference-code';
import { ServiceError } from '../errors';
import type { Logger } from '../logger';
import type { RealmService } from '../realm/realm-service';
import type { RequestService } from '../requests/request-service';
import type { AgentRecord, AuditFilter, AuditLog, HistoryRepository } from '../store/repositories';

export interface HistoryServiceDeps {
  history: HistoryRepository;
  audit: AuditLog;
  /** Open (and just closed) requests, and how agents see a request. */
  requests: RequestService;
  /** The verification checks' labels, for the trail's words. */
  realm: RealmService;
  logger: Logger;
}

/** What the audit view filters by, without the page. */
export type AuditSearchFilter = Omit<AuditSearch, 'offset' | 'limit'>;

/** How many closed requests one reference code may have had over time, looked up for an audit filter. */
const REFERENCE_REUSES = 1_000;

export class HistoryService {
  constructor(private readonly deps: HistoryServiceDeps) {}

  /**
   * Runs a read of the history or the log; a store that cannot answer (a damaged journal, an index
   * out of step) is "unavailable" in its own words, which name the file, and the cause is logged.
   */
  private readonly readable = async <T>(read: () => Promise<T>): Promise<T> => {
    try {
      return await read();
    } catch (error) {
      if (error instanceof ServiceError) throw error;
      this.deps.logger.error('reading the history or the audit log failed', error);
      throw new ServiceError(
        'unavailable',
        `The history cannot be read now: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  };

  /** Closed requests newest first: an agent's desks only, every desk for an admin. */
  async search(query: HistorySearch, agent: AgentRecord): Promise<HistoryPage> {
    const { requests, total } = await this.readable(() =>
      this.deps.history.search({ ...query, ...deskScope(agent) }),
    );
    return { rows: requests.map(historyRow), total };
  }

  /**
   * A request, open or closed, with its whole trail, oldest first. Another desk's request is "not
   * found" to an agent who does not staff it (admins see all). The trail holds no directory
   * details: only what the audit log says.
   */
  async get(requestId: string, agent: AgentRecord): Promise<HistoryDetail> {
    const request =
      this.deps.requests.find(requestId) ??
      (await this.readable(() => this.deps.history.get(requestId)));
    if (!request || !visibleTo(agent, request.desk))
      throw new ServiceError('not-found', 'No such request on your desks.');
    const trail: AuditEntryView[] = [];
    await this.readable(async () => {
      for await (const entry of this.deps.audit.select({ requestIds: [requestId] }))
        trail.push(this.entryView(entry));
    });
    return { request: this.deps.requests.view(request), trail };
  }

  /** The audit log filtered, newest first (admins; the namespace checks the role). */
  async searchAudit(query: AuditSearch): Promise<AuditPage> {
    const filter = await this.auditFilter(query);
    const { entries, total } = await this.readable(() =>
      this.deps.audit.search({ ...filter, offset: query.offset, limit: query.limit }),
    );
    return { entries: entries.map((e) => this.entryView(e)), total };
  }

  /** The same check of the whole chain as `npm run audit:verify`. */
  verifyAudit(): Promise<AuditVerifyResult> {
    return this.readable(() => this.deps.audit.verify());
  }

  /** The filtered entries oldest first, as stored, each with its words: what an export streams. */
  async *exportAudit(
    search: AuditSearchFilter,
  ): AsyncGenerator<{ entry: AuditEntry; words: string }> {
    const filter = await this.auditFilter(search);
    const entries = this.deps.audit.select(filter)[Symbol.asyncIterator]();
    for (;;) {
      const next = await this.readable(() => entries.next());
      if (next.done) return;
      yield { entry: next.value, words: this.entryView(next.value).words };
    }
  }

  /** The entry as the console shows it, with its words. */
  entryView(entry: AuditEntry): AuditEntryView {
    const checks = this.deps.realm.config.verificationPolicy.checks;
    return {
      seq: entry.seq,
      at: entry.at,
      actor: entry.actor,
      action: entry.action,
      requestId: entry.requestId ?? null,
      details: entry.details,
      words: auditWords(entry, {
        checkLabel: (id) => checks.find((check) => check.id === id)?.label,
      }),
    };
  }

  /**
   * The store's filter for what an admin typed: a request given by its reference code stands for
   * every request that had that code (open now, or closed since), besides the text as an id.
   */
  private async auditFilter(search: AuditSearchFilter): Promise<AuditFilter> {
    const { request, ...rest } = search;
    const filter: AuditFilter = { ...rest };
    const asked = request?.trim();
    if (!asked) return filter;
    const ids = new Set([asked]);
    const reference = parseReferenceCode(asked);
    if (reference !== undefined) {
      for (const open of this.deps.requests.openRequests())
        if (open.reference === reference) ids.add(open.id);
      const closed = await this.readable(() =>
        this.deps.history.search({ reference, offset: 0, limit: REFERENCE_REUSES }),
      );
      for (const r of closed.requests) if (r.reference === reference) ids.add(r.id);
    }
    return { ...filter, requestIds: [...ids] };
  }
}

/** A closed request as a History row. */
export function historyRow(request: ClosedRequest): HistoryRow {
  return {
    id: request.id,
    reference: request.reference,
    desk: request.desk,
    username: request.username,
    displayName: request.displayName,
    outcome: request.state,
    createdAt: request.createdAt,
    closedAt: request.closedAt,
    agent: request.claimedBy?.username ?? request.closedBy?.username ?? null,
    closedReason: request.closedReason,
  };
}

/** The desks whose history this agent may read: an admin's is every desk. */
function deskScope(agent: AgentRecord): { desks?: AgentRecord['desks'] } {
  return agent.role === 'admin' ? {} : { desks: agent.desks };
}

function visibleTo(agent: AgentRecord, desk: AgentRecord['desks'][number]): boolean {
  return agent.role === 'admin' || agent.desks.includes(desk);
}
