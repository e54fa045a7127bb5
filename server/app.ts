// The composition root: builds the HTTP app, socket.io and the services from the store it is given.
import { createServer, type Server as HttpServer } from 'node:http';
import express from 'express';
import helmet from 'helmet';
import { Server } from 'socket.io';
import { AgentAccounts } from './agents/agent-accounts';
import { AgentSessions } from './agents/agent-sessions';
import { AdminNotices } from './agents/admin-notices';
import { AuditExporter } from './audit/export/audit-exporter';
import { Authenticator } from './agents/authenticator';
import { sessionRoutes } from './agents/session-routes';
import type { ServerHealth } from './contract/health';
import { PRODUCT_NAME } from './contract/health';
import { DirectoryAdmin } from './directory/directory-admin';
import { EmbeddedDirectory } from './directory/embedded-directory';
import { ldapConnector } from './directory/ldap/ldap-connector';
import type { LdapConnector } from './directory/realm-directory';
import { RealmDirectory } from './directory/realm-directory';
import { SignInAssertions } from './enduser/assertion';
import { signInAssets } from './enduser/assets';
import { signInErrorPages } from './enduser/error-pages';
import { FlowCookies } from './enduser/flow';
import { PersistentTokens } from './enduser/persistent-token';
import { CookieSigner } from './http/signed-cookie';
import { signInFloodGate } from './enduser/rate-limits';
import { signInRoutes } from './enduser/sign-in-routes';
import { agentConsole } from './http/agent-console';
import { directoryRoutes } from './http/directory-routes';
import { auditRoutes } from './http/audit-routes';
import { HistoryService } from './history/history-service';
import { errorHandler } from './http/error-handler';
import type { Logger } from './logger';
import { consoleLogger } from './logger';
import { requestLog } from './http/request-log';
import { outcomeOf } from './enduser/handled-answer';
import { ServerMetrics } from './metrics/server-metrics';
import { metricsRoute } from './metrics/metrics-endpoint';
import { instrumentStore } from './metrics/instrumented-store';
import { RealmMail } from './mail/mail-settings';
import { Outbox } from './mail/outbox';
import { alertMails } from './mail/alert-mails';
import { mailNotifications } from './mail/notifications';
import { RealmService } from './realm/realm-service';
import { attachAgentNamespace } from './realtime/agent-namespace';
import { attachEndUserNamespace } from './realtime/enduser-namespace';
import { openAnswerScope } from './realtime/answer-first';
import { MethodBlocks } from './requests/method-blocks';
import { NotMeReports } from './requests/not-me-reports';
import { RequestService } from './requests/request-service';
import { mailCodeChannel } from './mail/mail-code-channel';
import type { Store } from './store/repositories';
import type { Leadership } from './cluster/leader';
import { advisoryLockLeader, soleLeader } from './cluster/leader';
import { sharedStoreOf } from './cluster/shared-store';
import { sharedRateLimits } from './http/shared-rate-limit-store';
import { useClusterAdapter } from './realtime/cluster-adapter';
import { recallFlowRequests, storeOutageGate } from './cluster/cluster-http';

const DIRECTORY_PROBE_MS = 5_000;
/**
 * With a shared store, how long a page waits for a request another process made a moment ago to
 * reach this one's cache (it lags the commit by a few ms).
 */
const SHARED_RECALL_WAIT_MS = 250;

export interface AppDeps {
  store: Store;
  version: string;
  logger?: Logger;
  /** Milliseconds since the epoch; tests move it to reach expiry. */
  now?: () => number;
  /** Browser origins allowed to open sockets besides the server's own. */
  allowedOrigins?: readonly string[];
  /** How LDAP directories are opened and tested (default: ldapts). */
  ldap?: LdapConnector;
  /** Trust X-Forwarded-* from this many proxies (express's `trust proxy`). */
  trustProxy?: number | boolean;
  /** The built agent console served at /agent (default: out/renderer). */
  agentConsoleDir?: string;
  /** The server's address as users reach it, for links in mails (default: where it listens). */
  publicUrl?: string;
  /** Serves `/metrics` on the main port to `Authorization: Bearer <token>` (absent: not there). */
  metricsToken?: string;
}

/** Where the server listens, as a URL (an unspecified address reads as localhost). */
function listeningUrl(server: HttpServer): string {
  const address = server.address();
  if (!address || typeof address === 'string') return 'http://localhost';
  const host = ['0.0.0.0', '::'].includes(address.address)
    ? 'localhost'
    : address.family === 'IPv6'
      ? `[${address.address}]`
      : address.address;
  return `http://${host}:${address.port}`;
}

export interface App {
  httpServer: HttpServer;
  io: Server;
  agents: AgentAccounts;
  sessions: AgentSessions;
  requests: RequestService;
  realm: RealmService;
  /** The realm's directory: the source its settings name, failing closed when it cannot be read. */
  directory: RealmDirectory;
  /** The users kept in the store (the embedded source), as admins manage them. */
  embeddedDirectory: EmbeddedDirectory;
  directoryUsers: DirectoryAdmin;
  /** What admins must hear live: raise alerts here. */
  notices: AdminNotices;
  /** Mail leaves through here: `queue` records it durably; the worker sends it. */
  outbox: Outbox;
  /** The realm's SMTP settings, test mail and the outbox's status, as admins see them. */
  mail: RealmMail;
  /** End-user persistent tokens; `revokePersistentTokens(username)` signs the user out of every device. */
  persistentTokens: PersistentTokens;
  /**
   * Whether this process runs the realm's timers: always with the embedded store; with a shared
   * store, the one process holding the cluster's leader lock.
   */
  leadership: Leadership;
  /** What Prometheus reads (served by index.ts on a port of its own, or here behind a token). */
  metrics: ServerMetrics;
  /** Streams every audit entry to the realm's syslog server and/or webhook (SIEM); runs with the timers. */
  auditExport: AuditExporter;
  /**
   * Starts the periodic work: the directory probe here, and — while this process leads — the
   * expiry sweep (requests and sessions) and the outbox worker.
   */
  startTimers(intervalMs?: number): void;
  /** Stops accepting, closes sockets, waits for writes, releases the store. */
  close(): Promise<void>;
}

export function createApp(deps: AppDeps): App {
  const logger = deps.logger ?? consoleLogger();
  const now = deps.now ?? Date.now;
  /** Sockets open in this process, by namespace: known once socket.io is attached below. */
  let socketCounts = (): Record<string, number> => ({});
  const metrics = new ServerMetrics({ store: deps.store, socketCounts: () => socketCounts() });
  const store = instrumentStore(deps.store, metrics.storeWrites);
  // A store other server processes share (PostgreSQL): live events, limits and timers are shared too.
  const shared = sharedStoreOf(store);
  const limits = shared ? sharedRateLimits(shared.pool) : undefined;
  const realm = new RealmService(store.realm, store.audit);
  const notices = new AdminNotices();
  const outbox = new Outbox({
    outbox: store.outbox,
    realm,
    keys: store.keys,
    audit: store.audit,
    notices,
    logger,
    now,
  });
  const auditExport = new AuditExporter({
    audit: store.audit,
    cursors: store.exportCursors,
    realm,
    keys: store.keys,
    notices,
    logger,
    now,
  });
  const mail = new RealmMail({ realm, keys: store.keys, outbox, audit: store.audit, logger, now });
  const embeddedDirectory = new EmbeddedDirectory(store.directory, now);
  const directory = new RealmDirectory({
    realm,
    keys: store.keys,
    embedded: embeddedDirectory,
    ldap: deps.ldap ?? ldapConnector,
    audit: store.audit,
    logger,
    now,
  });
  const authenticator = new Authenticator(store, now);
  const sessions = new AgentSessions(store, authenticator, now);
  const agents = new AgentAccounts(store, sessions, authenticator, now);
  const requests = new RequestService(store, directory, now, {
    codeChannel: mailCodeChannel(outbox),
    notices,
    logger,
    history: store.history,
    recallWaitMs: shared ? SHARED_RECALL_WAIT_MS : 0,
  });
  const stopMeasuring = requests.onChange((change) => metrics.requestChanged(change));
  const directoryUsers = new DirectoryAdmin({
    users: store.directory,
    requests,
    realm,
    audit: store.audit,
    now,
  });
  const history = new HistoryService({
    history: store.history,
    audit: store.audit,
    requests,
    realm,
    logger,
  });
  const signer = new CookieSigner(store.keys.cookieKey);
  const realmConfig = () => realm.config;
  const persistentTokens = new PersistentTokens(
    signer,
    store.persistentTokens,
    store.audit,
    realmConfig,
    now,
  );
  const blocks = new MethodBlocks({ blocks: store.blocks, audit: store.audit, now });
  const notMe = new NotMeReports({
    signer,
    usedLinks: store.usedLinks,
    blocks,
    requests,
    tokens: persistentTokens,
    audit: store.audit,
    notices,
    now,
  });

  const app = express();
  app.disable('x-powered-by');
  // Nothing here is cacheable by validator (pages are no-store, the API is live), and hashing every
  // body for an ETag is measurable work under a flood.
  app.set('etag', false);
  app.set('trust proxy', deps.trustProxy ?? false);
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          connectSrc: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          objectSrc: ["'none'"],
          baseUri: ["'none'"],
        },
      },
    }),
  );
  app.use(requestLog(logger));
  // Refusals by a sign-in step's limit (the flood gate's are counted where it answers).
  app.use((_req, res, next) => {
    res.once('finish', () => {
      if (outcomeOf(res) === 429) metrics.refused('sign-in-limit');
    });
    next();
  });
  if (deps.metricsToken) app.get('/metrics', metricsRoute(metrics, deps.metricsToken));
  app.use(express.json({ limit: '16kb' }));
  app.use(express.urlencoded({ extended: false, limit: '16kb' }));
  // A page's answer leaves before the live events its request caused (see answer-first.ts).
  app.use((_req, res, next) => {
    const scope = openAnswerScope();
    res.once('finish', scope.release).once('close', scope.release);
    scope.run(next);
  });

  app.get('/healthz', (_req, res) => {
    // After a failed write the server acknowledges nothing more: a probe should restart it.
    const storage = store.health();
    const failed = storage.status !== 'ok';
    res.status(failed ? 503 : 200).json({
      product: PRODUCT_NAME,
      status: failed ? 'failing' : 'ok',
      version: deps.version,
      storage,
      directory: directory.kind,
      directoryState: directory.status().state,
      uptimeSeconds: Math.round(process.uptime()),
    } satisfies ServerHealth);
  });
  if (shared) {
    // 503 while the database is out of reach; requests other processes made or closed found.
    app.use(storeOutageGate(store, realm));
    app.use(recallFlowRequests(new FlowCookies(signer, realmConfig, now), requests));
  }
  app.use(sessionRoutes(sessions, limits?.stores));
  app.use(directoryRoutes({ users: directoryUsers, sessions, authenticator, audit: store.audit }));
  app.use(auditRoutes({ history, sessions, authenticator, audit: store.audit, logger, now }));
  app.use(agentConsole({ dir: deps.agentConsoleDir }));
  app.use(signInAssets());
  app.use(
    signInRoutes({
      requests,
      realm,
      directory,
      signer,
      flows: new FlowCookies(signer, realmConfig, now),
      tokens: persistentTokens,
      assertions: new SignInAssertions(store.keys, now),
      audit: store.audit,
      notMe,
      logger,
      now,
      ...(limits ? { limitStores: limits.stores } : {}),
    }),
  );
  app.use('/api', (_req, res) => {
    res.status(404).json({ error: { code: 'not-found', message: 'No such API route.' } });
  });
  app.use(signInErrorPages(realm, logger));
  app.use(errorHandler(logger));

  // The per-address allowance on the sign-in forms runs before express: refusals stay cheap in a flood.
  const floodGate = signInFloodGate({
    trustProxy: deps.trustProxy ?? false,
    now,
    ...(limits
      ? {
          shared: {
            counts: limits.floodCounts,
            onError: (error: unknown) =>
              logger.warn(
                `flood gate: counting alone until the database answers (${String(error)})`,
              ),
          },
        }
      : {}),
  });
  const httpServer = createServer((req, res) => {
    if (floodGate(req, res)) metrics.refused('flood-gate');
    else app(req, res);
  });
  const io = new Server(httpServer, {
    serveClient: false,
    maxHttpBufferSize: 64 * 1024,
    allowRequest: (req, callback) => {
      const origin = req.headers.origin;
      // Non-browser clients send no Origin; browsers must come from the server itself or an allowed origin.
      if (!origin) return callback(null, true);
      const host = req.headers.host;
      const own =
        host !== undefined && (origin === `http://${host}` || origin === `https://${host}`);
      const allowed = own || (deps.allowedOrigins ?? []).includes(origin);
      if (!allowed) logger.warn(`socket handshake refused from origin ${origin}`);
      callback(allowed ? null : 'origin not allowed', allowed);
    },
  });
  socketCounts = () => ({
    agent: io.of('/agent').sockets.size,
    enduser: io.of('/enduser').sockets.size,
  });
  const clusterAdapter = shared ? useClusterAdapter(io, shared.pool, logger) : undefined;
  const agentNamespace = attachAgentNamespace(io, {
    agents,
    sessions,
    authenticator,
    requests,
    realm,
    directory,
    directoryUsers,
    notices,
    mail,
    blocks,
    history,
    audit: store.audit,
    logger,
  });
  const endUserNamespace = attachEndUserNamespace(io, { requests, logger });
  const publicUrl = () => deps.publicUrl?.replace(/\/+$/, '') ?? listeningUrl(httpServer);
  const notifications = mailNotifications({
    requests,
    realm,
    directory,
    mail: outbox,
    notMe,
    publicUrl,
    logger,
  });
  const alertMailer = alertMails({ notices, realm, mail: outbox, publicUrl, logger });

  const timers: NodeJS.Timeout[] = [];
  const sweep = async () => {
    try {
      await requests.expireDue();
      await sessions.expireSessions();
      await limits?.prune(now());
    } catch (error) {
      logger.error('sweep failed', error);
    }
  };

  // The sweep and the outbox run once per realm: here while this process leads.
  const leadership = shared ? advisoryLockLeader(shared.pool, { logger }) : soleLeader();
  let sweepTimer: NodeJS.Timeout | undefined;
  let sweepEveryMs = 5_000;
  const stopLeading = leadership.onChange((leading) => {
    clearInterval(sweepTimer);
    sweepTimer = undefined;
    if (!leading) {
      void outbox.stop();
      void auditExport.stop();
      return;
    }
    void sweep();
    sweepTimer = setInterval(() => void sweep(), sweepEveryMs);
    outbox.start();
    auditExport.start();
  });
  const stopHearing = shared?.onRemoteChange((table, key) => {
    // Mail recorded (or mail settings changed) elsewhere: the leader's worker looks at once.
    if ((table === 'outbox' || table === 'realm') && leadership.leading) outbox.wake();
    if (table === 'sessions') sessions.sessionChangedElsewhere(key);
  });

  return {
    httpServer,
    io,
    agents,
    sessions,
    requests,
    realm,
    directory,
    embeddedDirectory,
    directoryUsers,
    notices,
    outbox,
    mail,
    persistentTokens,
    leadership,
    metrics,
    auditExport,
    startTimers(intervalMs = 5_000) {
      sweepEveryMs = intervalMs;
      // While the directory is down it is read every few seconds, so it comes back by itself.
      timers.push(setInterval(() => void directory.probe(), DIRECTORY_PROBE_MS));
      leadership.start();
    },
    async close() {
      timers.forEach(clearInterval);
      stopHearing?.();
      stopMeasuring();
      floodGate.stop();
      // Released first, so another process takes the timers over at once.
      await leadership.stop();
      stopLeading();
      clearInterval(sweepTimer);
      await Promise.all([notifications.stop(), alertMailer.stop()]);
      // A send in progress finishes and is recorded before the store closes.
      await outbox.stop();
      // A delivery in progress finishes and its cursor is saved before the store closes.
      await auditExport.stop();
      agentNamespace.detach();
      endUserNamespace.detach();
      await new Promise<void>((resolve, reject) => {
        io.close(() => resolve()).catch(reject);
        httpServer.closeAllConnections();
      });
      clusterAdapter?.close();
      await directory.close();
      await store.close();
    },
  };
}
