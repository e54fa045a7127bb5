// The /agent socket.io namespace: authenticates each socket, joins it to its desks' rooms, answers every event.
import type { Namespace, Server, Socket } from 'socket.io';
import type {
  AgentEventName,
  AgentPayload,
  AgentResults,
  ClientToServerEvents,
  InterServerEvents,
  ServerToClientEvents,
  SessionInfo,
} from '../contract/agent-events';
import { AgentPayloads } from '../contract/agent-events';
import type { AckResult } from '../contract/errors';
import { HELP_DESK_IDS, type HelpDeskId } from '../contract/realm-config';
import type { AgentAccounts } from '../agents/agent-accounts';
import type { AdminNotices } from '../agents/admin-notices';
import type { AgentSessions } from '../agents/agent-sessions';
import { toAgentView } from '../agents/agent-view';
import type { Authenticator } from '../agents/authenticator';
import type { DirectoryProfile } from '../directory/directory';
import { DirectoryUnavailableError } from '../directory/directory';
import type { DirectoryAdmin } from '../directory/directory-admin';
import type { RealmDirectory } from '../directory/realm-directory';
import { newRequestId, withRequestId } from '../logging/request-context';
import { ServiceError, badRequest, fieldErrors, toWireError } from '../errors';
import type { RealmService } from '../realm/realm-service';
import type { RequestService } from '../requests/request-service';
import { maskDirectoryDetails } from '../requests/mask';
import type { Logger } from '../logger';
import type { AgentRecord, AuditLog } from '../store/repositories';
import type { AgentHandler, OnAgentEvent } from './agent-handler';
import { agentActor } from './agent-handler';
import { afterAnswer, answerFirst } from './answer-first';
import { directoryEvents } from './directory-events';
import { directoryUserEvents } from './directory-user-events';
import type { MethodBlocks } from '../requests/method-blocks';
import { blockEvents } from './block-events';
import { verificationCodeEvents } from './verification-code-events';
import type { RealmMail } from '../mail/mail-settings';
import { mailEvents } from './mail-events';
import { approvalEvents } from './approval-events';
import type { HistoryService } from '../history/history-service';
import { historyEvents } from './history-events';
import { isStoreUnavailable, STORE_UNAVAILABLE_MESSAGE } from '../cluster/shared-store';

interface SocketData {
  sessionId: string;
  agentId: string;
}

type AgentNamespace = Namespace<
  ClientToServerEvents,
  ServerToClientEvents,
  InterServerEvents,
  SocketData
>;
export type AgentSocket = Socket<
  ClientToServerEvents,
  ServerToClientEvents,
  InterServerEvents,
  SocketData
>;

export interface AgentNamespaceDeps {
  agents: AgentAccounts;
  sessions: AgentSessions;
  authenticator: Authenticator;
  requests: RequestService;
  realm: RealmService;
  directory: RealmDirectory;
  directoryUsers: DirectoryAdmin;
  /** What admins must hear live (alerts, the outbox's state). */
  notices: AdminNotices;
  /** Users for whom the help-desk method is blocked (admins list and clear them). */
  blocks: MethodBlocks;
  /** The realm's SMTP settings, test mail and outbox status (admins). */
  mail: RealmMail;
  /** Closed requests, a request's trail, and the audit log searched and checked. */
  history: HistoryService;
  audit: AuditLog;
  logger: Logger;
}

const deskRoom = (desk: HelpDeskId) => `desk:${desk}`;
const sessionRoom = (sessionId: string) => `session:${sessionId}`;
const agentRoom = (agentId: string) => `agent:${agentId}`;
/** Every admin's sockets: alerts and the outbox's state go here only. */
const ADMINS_ROOM = 'admins';

const ADMIN_ONLY: ReadonlySet<AgentEventName> = new Set([
  'config:update',
  'agents:list',
  'agents:create',
  'agents:update',
  'directory:configure',
  'directory:test',
  'users:search',
  'users:add',
  'users:update',
  'users:set-enabled',
  'users:reset-password',
  'users:delete',
  'blocks:list',
  'blocks:clear',
  'mail:configure',
  'mail:test',
  'mail:status',
  'audit:search',
  'audit:verify',
]);

/** What an agent may still do while the realm requires an authenticator they have not enrolled. */
const ALLOWED_BEFORE_TOTP_ENROLMENT: ReadonlySet<AgentEventName> = new Set([
  'totp:begin',
  'totp:confirm',
]);

/** An event's arguments as socket.io hands them over: the acknowledgement, when sent, comes last. */
function splitArguments(
  args: unknown[],
): { payloads: unknown[]; ack: (result: AckResult<never>) => void } | undefined {
  const ack = args.at(-1);
  if (typeof ack !== 'function') return undefined;
  return { payloads: args.slice(0, -1), ack: ack as (result: AckResult<never>) => void };
}

export function attachAgentNamespace(
  io: Server,
  deps: AgentNamespaceDeps,
): { namespace: AgentNamespace; detach: () => void } {
  const nsp = io.of('/agent') as unknown as AgentNamespace;
  const { agents, sessions, authenticator, requests, realm, directory, notices, audit, logger } =
    deps;
  const sessionInfo = (agent: AgentRecord): SessionInfo => ({
    agent: toAgentView(agent),
    desks: agent.desks,
    role: agent.role,
    mustEnrolTotp: authenticator.mustEnrol(agent),
  });

  nsp.use((socket, next) => {
    const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
    // A session another server process made a moment ago may not be in this one's cache yet.
    sessions
      .authenticateShared(typeof token === 'string' ? token : undefined)
      .then(
        (auth) => {
          if (!auth) return next(new Error('unauthenticated'));
          socket.data = { sessionId: auth.session.id, agentId: auth.agent.id };
          next();
        },
        (error: unknown) => {
          if (!isStoreUnavailable(error)) logger.error('agent socket authentication failed', error);
          next(new Error(isStoreUnavailable(error) ? 'unavailable' : 'internal'));
        },
      )
      // What the connection's own handlers throw, inside this promise, must not go unheard.
      .catch((error: unknown) => logger.error('agent socket connection failed', error));
  });

  nsp.on('connection', (socket) => {
    const auth = sessions.stillValid(socket.data.sessionId);
    if (!auth) return void socket.disconnect(true);
    // Rooms are chosen by the server from the agent's record, never by the client.
    void socket.join([
      sessionRoom(auth.session.id),
      agentRoom(auth.agent.id),
      ...auth.agent.desks.map(deskRoom),
      ...(auth.agent.role === 'admin' ? [ADMINS_ROOM] : []),
    ]);
    socket.emit('session:ready', sessionInfo(auth.agent));

    const on: OnAgentEvent = <E extends AgentEventName>(event: E, handler: AgentHandler<E>) => {
      // socket.io's typed `on` cannot be indexed generically; the arguments are untrusted anyway.
      (socket as unknown as Socket).on(event as string, (...args: unknown[]) =>
        withRequestId(newRequestId(), () => answerFirst(() => answer(args))),
      );
      const answer = async (args: unknown[]) => {
        const call = splitArguments(args);
        if (!call) {
          // Nobody to answer, so nothing is done. The name only: a payload may hold a code.
          logger.warn(`agent event ${event} sent without an acknowledgement; dropped`);
          return;
        }
        const { payloads } = call;
        const reply = call.ack as (result: AckResult<AgentResults[E]>) => void;
        let username = socket.data.agentId;
        try {
          const current = sessions.stillValid(socket.data.sessionId);
          if (!current) {
            socket.disconnect(true);
            throw new ServiceError('unauthenticated', 'Your session has ended; sign in again.');
          }
          username = current.agent.username;
          if (authenticator.mustEnrol(current.agent) && !ALLOWED_BEFORE_TOTP_ENROLMENT.has(event))
            throw new ServiceError(
              'totp-required',
              'Enrol an authenticator app first: this realm requires one for your account.',
            );
          if (ADMIN_ONLY.has(event) && current.agent.role !== 'admin')
            throw new ServiceError('forbidden', 'Only an admin can do that.');
          if (payloads.length > 1)
            throw new ServiceError(
              'bad-request',
              `"${event}" takes one payload and an acknowledgement; ${payloads.length} payloads were sent.`,
            );
          // No payload (or null) reads as `{}`: accepted where the event needs nothing.
          const missing = payloads[0] === undefined || payloads[0] === null;
          const parsed = AgentPayloads[event].safeParse(missing ? {} : payloads[0]);
          if (!parsed.success)
            throw missing
              ? new ServiceError(
                  'bad-request',
                  `"${event}" needs a payload.`,
                  fieldErrors(parsed.error),
                )
              : badRequest(parsed.error, `"${event}"`);
          const data = await handler(parsed.data as AgentPayload<E>, current.agent);
          reply({ data });
          logger.info('socket', { event, agent: username, ok: true });
        } catch (error) {
          logger.info('socket', {
            event,
            agent: username,
            ok: false,
            code: error instanceof ServiceError ? error.code : 'internal',
          });
          // The database out of reach is an answer the agent can act on (try again), not a bug.
          if (isStoreUnavailable(error)) {
            logger.warn(`agent event ${event}: the database is unavailable`);
            return reply({ error: { code: 'unavailable', message: STORE_UNAVAILABLE_MESSAGE } });
          }
          if (!(error instanceof ServiceError)) logger.error(`agent event ${event} failed`, error);
          if (error instanceof ServiceError && error.code === 'forbidden' && !error.audited) {
            await audit
              .record({
                actor: `agent:${username}`,
                action: 'authz.denied',
                details: { event, message: error.message },
              })
              .catch((e: unknown) => logger.error('audit write failed', e));
          }
          reply({ error: toWireError(error) });
        }
      };
    };

    // An event no handler knows is still answered, so a client never waits for nothing.
    (socket as unknown as Socket).onAny((event: unknown, ...args: unknown[]) => {
      if (typeof event === 'string' && Object.hasOwn(AgentPayloads, event)) return;
      const call = splitArguments(args);
      // The name is the client's own text: it is echoed to that client only, never logged.
      if (!call) return void logger.warn('unknown agent event without an acknowledgement; dropped');
      const name =
        typeof event === 'string' ? JSON.stringify(event.slice(0, 64)) : 'with that name';
      call.ack({ error: { code: 'bad-request', message: `Unknown event ${name}.` } });
    });

    on('queue:list', ({ desk }, agent) => {
      const desks = desk ? agent.desks.filter((d) => d === desk) : agent.desks;
      const list = requests
        .openRequests()
        .filter((r) => desks.includes(r.desk))
        .sort((a, b) => a.createdAt - b.createdAt)
        .map((r) => requests.view(r));
      return { requests: list };
    });

    on('request:get', async ({ requestId }, agent) => {
      const request = requests.find(requestId);
      // Admins read any desk's request (a second approver may be an admin of another desk).
      if (!request || !(agent.desks.includes(request.desk) || agent.role === 'admin'))
        throw new ServiceError('not-found', 'No such request on your desks.');
      let profile: DirectoryProfile | undefined;
      let directoryUnavailable = false;
      try {
        // Shown, not decided on: a short cache may answer (reveal reads the directory live).
        if (request.inDirectory)
          profile = await directory.findUser(request.username, { cached: true });
      } catch (error) {
        if (!(error instanceof DirectoryUnavailableError)) throw error;
        directoryUnavailable = true;
      }
      // Who looked at whose directory details, and when, is on the record.
      if (profile)
        await audit.record({
          actor: `agent:${agent.username}`,
          action: 'request.details-opened',
          requestId: request.id,
          details: { username: request.username },
        });
      return {
        ...requests.view(request),
        directory: profile
          ? maskDirectoryDetails(
              {
                displayName: profile.displayName,
                email: profile.email,
                phone: profile.phone,
                employeeId: profile.employeeId,
                department: profile.department,
                manager: profile.manager,
                enabled: profile.enabled,
                privileged: profile.privileged,
              },
              realm.config.verificationPolicy.maskedFields,
            )
          : null,
        directoryUnavailable,
        recentFailures: requests.recentFailures(request.username),
      };
    });

    on('request:claim', async ({ requestId }, agent) =>
      requests.view(await requests.claim(requestId, agentActor(agent))),
    );
    on('request:release', async ({ requestId }, agent) =>
      requests.view(await requests.release(requestId, agentActor(agent))),
    );
    on('request:take-over', async ({ requestId }, agent) =>
      requests.view(await requests.takeOver(requestId, agentActor(agent))),
    );
    on('request:verify', async ({ requestId, checkId, note }, agent) =>
      requests.view(await requests.verify(requestId, agentActor(agent), checkId, note)),
    );
    on('request:unverify', async ({ requestId, checkId }, agent) =>
      requests.view(await requests.unverify(requestId, agentActor(agent), checkId)),
    );
    on('request:reveal', async ({ requestId }, agent) => {
      const { otp, request } = await requests.reveal(requestId, agentActor(agent));
      if (request.state !== 'otp-issued')
        throw new ServiceError('internal', 'Reveal did not issue a passcode.');
      return { otp, expiresAt: request.otp.expiresAt, revealCount: request.otp.revealCount };
    });
    on('request:deny', async ({ requestId, reason }, agent) =>
      requests.view(await requests.deny(requestId, agentActor(agent), reason)),
    );
    on('config:get', () => realm.config);
    on('config:update', (patch, agent) => realm.update(patch, `agent:${agent.username}`));
    on('agents:list', () => ({ agents: agents.list() }));
    on('agents:create', (input, agent) => agents.create(input, agent));
    on('agents:update', (input, agent) => agents.update(input, agent));
    on('totp:begin', (_payload, agent) => authenticator.begin(agent));
    on('totp:confirm', ({ code }, agent) => authenticator.confirm(agent, code));
    directoryEvents(on, directory);
    verificationCodeEvents(on, requests);
    blockEvents(on, deps.blocks);
    mailEvents(on, deps.mail);
    approvalEvents(on, requests);
    directoryUserEvents(on, deps.directoryUsers);
    historyEvents(on, deps.history);
  });

  let totpRule = realm.config.agentTotp;

  // Every broadcast waits for the answer to the call that caused it (see answer-first.ts).
  const unsubscribers = [
    requests.onChange(({ kind, request, action }) =>
      afterAnswer(() => {
        const view = requests.view(request);
        // A request with an approval asked for (or decided) concerns every admin, who may approve
        // it from any desk: they hear how it goes on too.
        const rooms = request.approval
          ? [deskRoom(request.desk), ADMINS_ROOM]
          : [deskRoom(request.desk)];
        nsp.to(rooms).emit(kind === 'created' ? 'request:created' : 'request:updated', view);
        // Whoever may approve hears it: the desk's agents, and every admin.
        if (action === 'request.approval-requested')
          nsp.to([deskRoom(request.desk), ADMINS_ROOM]).emit('approval:requested', view);
      }),
    ),
    directory.onStatus((status) => afterAnswer(() => nsp.emit('directory:status', status))),
    notices.onNotice((notice) =>
      afterAnswer(() => {
        if (notice.kind === 'alert') nsp.to(ADMINS_ROOM).emit('alert:raised', notice.alert);
        else nsp.to(ADMINS_ROOM).emit('mail:status', notice.status);
      }),
    ),
    realm.onChange((config) =>
      afterAnswer(() => {
        nsp.emit('config:updated', config);
        if (config.agentTotp === totpRule) return;
        totpRule = config.agentTotp;
        // Who must enrol may have changed: every session hears its own answer at once, on every
        // server process (fetchSockets asks them all; only this one when the store is not shared).
        const tell = (sockets: Iterable<{ data: SocketData; emit: AgentSocket['emit'] }>) => {
          for (const socket of sockets) {
            const agent = agents.byId(socket.data.agentId);
            if (agent) socket.emit('session:ready', sessionInfo(agent));
          }
        };
        nsp.fetchSockets().then(tell, (error: unknown) => {
          logger.warn(
            `the new authenticator rule reached this process's consoles only: ${String(error)}`,
          );
          tell(nsp.sockets.values());
        });
      }),
    ),
    sessions.onSessionsEnded((sessionIds, code) =>
      afterAnswer(() => {
        const message =
          code === 'disabled'
            ? 'Your account was disabled by an admin.'
            : code === 'expired'
              ? 'Your session expired; sign in again.'
              : 'You were signed out.';
        for (const id of sessionIds) {
          nsp.to(sessionRoom(id)).emit('session:ended', { code, message });
          nsp.in(sessionRoom(id)).disconnectSockets(true);
        }
      }),
    ),
    agents.onAgentChanged((agent) =>
      afterAnswer(() => {
        // Desks changed: move the agent's sockets to exactly the rooms of the desks they now staff.
        const rooms = [...HELP_DESK_IDS.map(deskRoom), ADMINS_ROOM];
        nsp.in(agentRoom(agent.id)).socketsLeave(rooms);
        if (!agent.enabled) return;
        nsp
          .in(agentRoom(agent.id))
          .socketsJoin([
            ...agent.desks.map(deskRoom),
            ...(agent.role === 'admin' ? [ADMINS_ROOM] : []),
          ]);
        // Desks, role or enrolment changed: the agent's consoles get their session info anew.
        nsp.to(agentRoom(agent.id)).emit('session:ready', sessionInfo(agent));
      }),
    ),
  ];
  return { namespace: nsp, detach: () => unsubscribers.forEach((u) => u()) };
}
