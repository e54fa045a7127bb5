// The console's one socket to the server's /agent namespace: typed events, promise acks, reconnection.
import { io, type Socket } from 'socket.io-client';
import type {
  AgentEventName,
  AgentPayload,
  AgentResults,
  ClientToServerEvents,
  ServerToClientEvents,
  SessionInfo,
} from '../../../server/contract/agent-events';
import type { DirectoryStatus } from '../../../server/contract/directory';
import type { AdminAlert, MailStatus } from '../../../server/contract/mail';
import type { AckResult, ErrorCode } from '../../../server/contract/errors';
import type { RealmConfig } from '../../../server/contract/realm-config';
import type { RequestView } from '../../../server/contract/request-view';

export type AgentSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** What the console knows of its link to the server. */
export type ConnectionStatus = 'offline' | 'connecting' | 'online' | 'reconnecting';

/** Codes a request can fail with on this side of the wire, besides the server's own. */
export type ClientErrorCode = 'offline' | 'timeout';

/** A request the server refused (its `{ error }` ack), or one that never reached it. */
export class WireRequestError extends Error {
  readonly code: ErrorCode | ClientErrorCode;
  readonly fields: Record<string, string> | undefined;

  constructor(code: ErrorCode | ClientErrorCode, message: string, fields?: Record<string, string>) {
    super(message);
    this.name = 'WireRequestError';
    this.code = code;
    this.fields = fields;
  }
}

export type SessionReadyKind = 'first' | 'reconnected' | 'updated';

export type SessionEnd = Parameters<ServerToClientEvents['session:ended']>[0];

/** Where the link reports what happens on it; the store implements these. */
export interface AgentLinkHandlers {
  status(status: ConnectionStatus): void;
  /**
   * The server confirmed the session: on the first connection, after a reconnection, or again on
   * the same connection because what the session may do changed (e.g. the realm's TOTP rule).
   */
  sessionReady(info: SessionInfo, how: SessionReadyKind): void;
  requestCreated(request: RequestView): void;
  requestUpdated(request: RequestView): void;
  /** A holder asked for a second approver (sent to the desk's agents and to admins). */
  approvalRequested(request: RequestView): void;
  configUpdated(config: RealmConfig): void;
  /** The directory stopped or started answering, or its source changed. */
  directoryStatus(status: DirectoryStatus): void;
  /** Admins: something to act on now (a user said a passcode was not theirs). */
  alertRaised(alert: AdminAlert): void;
  /** Admins: the outbox changed. */
  mailStatus(status: MailStatus): void;
  sessionEnded(end: SessionEnd): void;
  /** The server refused the token when (re)connecting: the session is gone. */
  rejected(): void;
}

export interface AgentLink {
  request<E extends AgentEventName>(event: E, payload: AgentPayload<E>): Promise<AgentResults[E]>;
  close(): void;
}

export type ConnectAgent = (serverUrl: string, token: string, on: AgentLinkHandlers) => AgentLink;

export const ACK_TIMEOUT_MS = 15_000;
/** Backoff between reconnection attempts: 0.5 s doubling to at most 10 s, ±50 % jitter. */
const RECONNECT = { first: 500, max: 10_000, jitter: 0.5 } as const;

/** socket.io's typed emitWithAck cannot be called with a generic event name. */
interface UntypedAcks {
  emitWithAck(event: string, payload: unknown): Promise<AckResult<unknown> | undefined>;
}

/** The ack's `data`, or its `error` thrown as a WireRequestError. */
function settleAck<T>(result: AckResult<T> | undefined): T {
  if (result && 'data' in result) return result.data;
  const error = result && 'error' in result ? result.error : undefined;
  throw new WireRequestError(
    error?.code ?? 'internal',
    error?.message ?? 'The server gave an answer the console does not understand.',
    error?.fields,
  );
}

export const connectAgent: ConnectAgent = (serverUrl, token, on) => {
  const socket: AgentSocket = io(`${serverUrl.replace(/\/+$/, '')}/agent`, {
    auth: { token },
    reconnection: true,
    reconnectionDelay: RECONNECT.first,
    reconnectionDelayMax: RECONNECT.max,
    randomizationFactor: RECONNECT.jitter,
    timeout: 10_000,
  });
  let ready = false;
  /** Set on each (re)connection until its session:ready arrives. */
  let fresh = false;
  let closed = false;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let manualAttempts = 0;

  /** socket.io gives up on its own after a server-side disconnect; retry with the same backoff. */
  const retryLater = () => {
    if (closed || retry) return;
    const base = Math.min(RECONNECT.max, RECONNECT.first * 2 ** manualAttempts++);
    const delay = base * (1 - RECONNECT.jitter + Math.random() * RECONNECT.jitter * 2);
    retry = setTimeout(() => {
      retry = undefined;
      if (!closed && !socket.connected) socket.connect();
    }, delay);
  };

  on.status('connecting');
  socket.on('connect', () => {
    fresh = true;
  });
  socket.on('session:ready', (info) => {
    manualAttempts = 0;
    on.status('online');
    on.sessionReady(info, !ready ? 'first' : fresh ? 'reconnected' : 'updated');
    ready = true;
    fresh = false;
  });
  socket.on('request:created', (request) => on.requestCreated(request));
  socket.on('request:updated', (request) => on.requestUpdated(request));
  socket.on('approval:requested', (request) => on.approvalRequested(request));
  socket.on('config:updated', (config) => on.configUpdated(config));
  socket.on('directory:status', (status) => on.directoryStatus(status));
  socket.on('alert:raised', (alert) => on.alertRaised(alert));
  socket.on('mail:status', (status) => on.mailStatus(status));
  socket.on('session:ended', (end) => {
    closed = true;
    on.sessionEnded(end);
    socket.disconnect();
  });
  socket.on('disconnect', (reason) => {
    if (closed) return;
    on.status('reconnecting');
    // The server closed this socket (e.g. it is restarting): socket.io will not retry by itself.
    if (reason === 'io server disconnect') retryLater();
  });
  socket.on('connect_error', (error) => {
    if (closed) return;
    if (error.message === 'unauthenticated') {
      closed = true;
      socket.disconnect();
      on.rejected();
      return;
    }
    on.status(ready ? 'reconnecting' : 'connecting');
    if (!socket.active) retryLater();
  });

  return {
    async request(event, payload) {
      if (!socket.connected)
        throw new WireRequestError(
          'offline',
          'Not connected to the server; wait for the connection.',
        );
      let result: AckResult<unknown> | undefined;
      try {
        result = await (socket.timeout(ACK_TIMEOUT_MS) as unknown as UntypedAcks).emitWithAck(
          event,
          payload,
        );
      } catch {
        // socket.io gives up when the ack timer runs out, and at once when the connection drops.
        throw socket.connected
          ? new WireRequestError('timeout', 'The server did not answer in time.')
          : new WireRequestError(
              'offline',
              'The connection dropped before the server answered; try again once it is back.',
            );
      }
      return settleAck(result as AckResult<AgentResults[typeof event]>);
    },
    close() {
      closed = true;
      if (retry) clearTimeout(retry);
      socket.disconnect();
    },
  };
};
