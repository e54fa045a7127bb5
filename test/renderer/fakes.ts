// Test doubles for the console store's outside world: the server link, the session API and the host.
import type {
  AgentEventName,
  AgentPayload,
  AgentResults,
  SessionInfo,
} from '../../server/contract/agent-events';
import type { AgentView } from '../../server/contract/agents';
import type { AuditEntryView, HistoryRow } from '../../server/contract/history';
import type {
  DirectoryImportResult,
  DirectoryStatus,
  DirectoryUserView,
} from '../../server/contract/directory';
import type {
  AdminAlert,
  MailStatus,
  MethodBlockView,
  OutboxEntryView,
} from '../../server/contract/mail';
import { defaultRealmConfig, type RealmConfig } from '../../server/contract/realm-config';
import type { RequestDetail, RequestView } from '../../server/contract/request-view';
import type { SessionApi, SignedIn } from '../../renderer/src/lib/api';
import type { DirectoryApi, ExportedFile } from '../../renderer/src/lib/directory-api';
import type { ConsoleHost, DesktopNotice } from '../../renderer/src/lib/desk-bridge';
import type { AgentLink, AgentLinkHandlers } from '../../renderer/src/lib/socket';
import { WireRequestError } from '../../renderer/src/lib/socket';
import { createConsoleStore, type ConsoleDeps, type ConsoleStore } from '../../renderer/src/store';

type Responder<E extends AgentEventName> = (
  payload: AgentPayload<E>,
) => AgentResults[E] | Promise<AgentResults[E]>;

/** A server link that answers from per-event responders and records what was asked. */
export class FakeLink implements AgentLink {
  readonly calls: Array<{ event: AgentEventName; payload: unknown }> = [];
  readonly responders: { [E in AgentEventName]?: Responder<E> } = {};
  handlers!: AgentLinkHandlers;
  token = '';
  closed = false;

  answer<E extends AgentEventName>(event: E, responder: Responder<E>): this {
    (this.responders as Record<string, unknown>)[event] = responder;
    return this;
  }

  async request<E extends AgentEventName>(
    event: E,
    payload: AgentPayload<E>,
  ): Promise<AgentResults[E]> {
    this.calls.push({ event, payload });
    const responder = this.responders[event] as Responder<E> | undefined;
    if (!responder) throw new WireRequestError('internal', `no fake answer for ${event}`);
    return responder(payload);
  }

  callsOf(event: AgentEventName): unknown[] {
    return this.calls.filter((c) => c.event === event).map((c) => c.payload);
  }

  close(): void {
    this.closed = true;
  }
}

export class FakeHost implements ConsoleHost {
  readonly kind = 'browser' as const;
  token: string | null = null;
  pendingCounts: number[] = [];
  notices: DesktopNotice[] = [];
  openListeners = new Set<(id: string) => void>();
  async serverUrl() {
    return 'http://console.test';
  }
  async saveSessionToken(token: string | null) {
    this.token = token;
  }
  async loadSessionToken() {
    return this.token;
  }
  notify(notice: DesktopNotice) {
    this.notices.push(notice);
  }
  setPendingCount(count: number) {
    this.pendingCounts.push(count);
  }
  onOpenRequest(listener: (id: string) => void) {
    this.openListeners.add(listener);
    return () => this.openListeners.delete(listener);
  }
  askNotificationPermission() {}
}

export class FakeApi implements SessionApi {
  signIns: Array<{ username: string; password: string; totp?: string }> = [];
  signOuts: string[] = [];
  next: SignedIn | Error = {
    token: 'token-1',
    expiresAt: Date.now() + 3_600_000,
    agent: agentView(),
  };
  async signIn(_url: string, body: { username: string; password: string; totp?: string }) {
    this.signIns.push(body);
    if (this.next instanceof Error) throw this.next;
    return this.next;
  }
  async signOut(_url: string, token: string) {
    this.signOuts.push(token);
  }
}

/** The HTTP import and export: answers from `answerImport`, records what was sent. */
export class FakeDirectoryApi implements DirectoryApi {
  imports: Array<{ token: string; commit: boolean; text: string }> = [];
  exports: string[] = [];
  answerImport: (text: string, commit: boolean) => DirectoryImportResult | Error = () =>
    new Error('no fake import answer');
  exported: ExportedFile = {
    blob: new Blob(['username\r\n'], { type: 'text/csv' }),
    fileName: 'directory-users.csv',
  };
  async importCsv(_url: string, token: string, file: Blob, commit: boolean) {
    const text = await file.text();
    this.imports.push({ token, commit, text });
    const answer = this.answerImport(text, commit);
    if (answer instanceof Error) throw answer;
    return answer;
  }
  async exportCsv(_url: string, token: string) {
    this.exports.push(token);
    return this.exported;
  }
}

export function directoryStatus(over: Partial<DirectoryStatus> = {}): DirectoryStatus {
  return {
    source: 'embedded',
    state: 'available',
    problem: null,
    since: 1_000,
    bindPasswordSaved: false,
    embeddedUsers: 3,
    ...over,
  };
}

export function directoryUser(over: Partial<DirectoryUserView> = {}): DirectoryUserView {
  const username = over.username ?? 'jdoe';
  return {
    username,
    displayName: 'Jane Doe',
    email: `${username}@example.com`,
    phone: '+14155550123',
    employeeId: 'E1001',
    department: 'Finance',
    manager: 'msmith',
    enabled: true,
    privileged: false,
    ...over,
  };
}

export function mailStatus(over: Partial<MailStatus> = {}): MailStatus {
  return {
    enabled: true,
    passwordSaved: false,
    outbox: { pending: 0, failed: 0, lastError: null, lastSentAt: null },
    problems: [],
    ...over,
  };
}

export function outboxEntry(over: Partial<OutboxEntryView> = {}): OutboxEntryView {
  return {
    id: 'mail-1',
    kind: 'passcode-issued',
    to: ['jdoe@example.com'],
    subject: 'A passcode was issued for your account',
    state: 'pending',
    attempts: 2,
    createdAt: 1_000,
    nextAttemptAt: 61_000,
    sentAt: null,
    lastError: 'connect ECONNREFUSED 127.0.0.1:587',
    ...over,
  };
}

export function methodBlock(over: Partial<MethodBlockView> = {}): MethodBlockView {
  return {
    username: 'jsmith',
    reason: 'not-me',
    detail: 'Followed “This wasn’t me” in the passcode-issued mail',
    at: 1_700_000_000_000,
    by: 'user:jsmith',
    until: null,
    ...over,
  };
}

export function adminAlert(over: Partial<AdminAlert> = {}): AdminAlert {
  const username = over.username ?? 'jsmith';
  return {
    id: 'alert-1',
    kind: 'not-me',
    username,
    message: `${username} said request K7M-4QX wasn't them. Help-desk sign-in is blocked for the account until an admin clears it; 1 open request(s) were ended.`,
    at: 1_700_000_000_000,
    ...over,
  };
}

export function agentView(over: Partial<AgentView> = {}): AgentView {
  return {
    id: 'agent-alice',
    username: 'alice',
    displayName: 'Alice Agent',
    role: 'agent',
    desks: ['1', '2'],
    enabled: true,
    totpEnrolled: false,
    createdAt: 0,
    ...over,
  };
}

export function sessionInfo(over: Partial<SessionInfo> = {}): SessionInfo {
  const agent = over.agent ?? agentView();
  return { agent, desks: agent.desks, role: agent.role, mustEnrolTotp: false, ...over };
}

let serial = 0;
export function requestView(over: Partial<RequestView> = {}): RequestView {
  serial++;
  const id = over.id ?? `request-${String(serial).padStart(12, '0')}`;
  return {
    id,
    reference: `K7M-${String(serial).padStart(3, '0')}`,
    desk: '1',
    username: `user${serial}`,
    displayName: `User ${serial}`,
    inDirectory: true,
    state: 'queued',
    createdAt: 1_000 + serial,
    updatedAt: 1_000 + serial,
    expiresAt: 10_000_000,
    claimedBy: null,
    verification: [],
    mailedCode: null,
    otp: null,
    failedAttempts: 0,
    closedReason: null,
    origin: { ip: '203.0.113.7', userAgent: 'Firefox' },
    contested: false,
    contestedWith: [],
    risk: { level: 'low', score: 0, signals: [] },
    approvalNeeded: false,
    approval: null,
    ...over,
  };
}

export function requestDetail(view: RequestView, over: Partial<RequestDetail> = {}): RequestDetail {
  return {
    ...view,
    directory: {
      displayName: view.displayName,
      email: `${view.username}@example.com`,
      phone: '+14155550111',
      employeeId: '••••0042',
      department: 'Finance',
      manager: 'boss',
      enabled: true,
      privileged: false,
    },
    directoryUnavailable: false,
    recentFailures: 0,
    ...over,
  };
}

export function realmConfig(over: Partial<RealmConfig> = {}): RealmConfig {
  const config = defaultRealmConfig();
  config.helpDesks['1'] = {
    enabled: true,
    name: 'IT Service Desk',
    phone: '+14155550100',
    email: 'it@example.com',
  };
  config.helpDesks['2'] = {
    enabled: true,
    name: 'Security Desk',
    phone: '+14155550199',
    email: 'sec@example.com',
  };
  return { ...config, ...over };
}

export interface Harness {
  store: ConsoleStore;
  link: FakeLink;
  links: FakeLink[];
  host: FakeHost;
  api: FakeApi;
  directoryApi: FakeDirectoryApi;
}

/** A store on fakes; `link` answers queue:list and config:get from the given data. */
export function harness(
  options: {
    queue?: RequestView[];
    config?: RealmConfig;
    directory?: DirectoryStatus;
    mail?: MailStatus;
    approvals?: RequestView[];
  } = {},
  /** The chime and the remembered preferences, where a test looks at them. */
  extra: Pick<ConsoleDeps, 'chime' | 'preferences'> = {},
): Harness {
  const host = new FakeHost();
  const api = new FakeApi();
  const directoryApi = new FakeDirectoryApi();
  const links: FakeLink[] = [];
  const h: Harness = {
    host,
    api,
    directoryApi,
    links,
    link: new FakeLink(),
    store: createConsoleStore({
      ...extra,
      api,
      directoryApi,
      host,
      connect: (_url, token, handlers) => {
        const link = links.length === 0 ? h.link : new FakeLink();
        link.token = token;
        link.handlers = handlers;
        links.push(link);
        return link;
      },
    }),
  };
  h.link
    .answer('queue:list', () => ({ requests: options.queue ?? [] }))
    .answer('config:get', () => options.config ?? realmConfig())
    .answer('directory:status', () => options.directory ?? directoryStatus())
    .answer('mail:status', () => options.mail ?? mailStatus())
    .answer('approvals:list', () => ({ requests: options.approvals ?? [] }));
  return h;
}

/** Lets queued promise callbacks (the store's async actions) run; safe under fake timers. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 30; i++) await Promise.resolve();
}

/** Signs in through the store and has the fake server confirm the session. */
export async function signedIn(h: Harness, info: SessionInfo = sessionInfo()): Promise<void> {
  await h.store.getState().start();
  await h.store.getState().signIn({ username: 'alice', password: 'secret password' });
  h.link.handlers.sessionReady(info, 'first');
  await settle();
}

let historySerial = 0;
/** A closed request as History lists it. */
export function historyRow(over: Partial<HistoryRow> = {}): HistoryRow {
  historySerial++;
  return {
    id: `closed-${String(historySerial).padStart(12, '0')}`,
    reference: `H${String(historySerial).padStart(2, '0')}-4QX`,
    desk: '1',
    username: `user${historySerial}`,
    displayName: `User ${historySerial}`,
    outcome: 'completed',
    createdAt: 1_764_000_000_000,
    closedAt: 1_764_000_300_000,
    agent: 'alice',
    closedReason: 'The user signed in with the passcode.',
    ...over,
  };
}

/** One audit entry as the console is sent it, with its words. */
export function auditEntry(over: Partial<AuditEntryView> = {}): AuditEntryView {
  const seq = over.seq ?? 1;
  return {
    seq,
    at: new Date(1_764_000_000_000 + seq * 1_000).toISOString(),
    actor: 'agent:alice',
    action: 'request.claimed',
    requestId: null,
    details: {},
    words: 'alice claimed the request',
    ...over,
  };
}
