// The /enduser socket.io namespace: a browser follows its own request live, and can never see another.
import type { Namespace, Server } from 'socket.io';
import { z } from 'zod';
import type { EndUserRequestStatus } from '../contract/enduser';
import { SESSION_COOKIE } from '../http/browser-session';
import { cookieFromHeader } from '../http/cookies';
import { isStoreUnavailable } from '../cluster/shared-store';
import type { Logger } from '../logger';
import type { RequestService } from '../requests/request-service';
import { afterAnswer } from './answer-first';

export interface EndUserServerToClientEvents {
  /** The request's status, sent on connecting and after every change. */
  status: (status: EndUserRequestStatus) => void;
}
export type EndUserClientToServerEvents = Record<string, never>;

interface SocketData {
  requestId: string;
}

type EndUserNamespace = Namespace<
  EndUserClientToServerEvents,
  EndUserServerToClientEvents,
  Record<string, never>,
  SocketData
>;

export interface EndUserNamespaceDeps {
  requests: RequestService;
  logger: Logger;
}

const HandshakeSchema = z.object({ requestId: z.string().min(16).max(64) });

const requestRoom = (requestId: string) => `request:${requestId}`;

export function attachEndUserNamespace(
  io: Server,
  deps: EndUserNamespaceDeps,
): { namespace: EndUserNamespace; detach: () => void } {
  const nsp = io.of('/enduser') as unknown as EndUserNamespace;
  const { requests, logger } = deps;

  nsp.use((socket, next) => {
    const auth = HandshakeSchema.safeParse(socket.handshake.auth);
    // The browser session secret is httpOnly, so the handshake's Cookie header is how it arrives.
    const sid = cookieFromHeader(socket.handshake.headers.cookie, SESSION_COOKIE);
    if (!auth.success || !sid) return next(new Error('not-found'));
    const { requestId } = auth.data;
    // Closed by another server process, it is in the store's history, not in this one's reads.
    requests
      .recall(requestId, { wait: false })
      .then(
        () => {
          // The same answer for "no such request" and "not yours", so ids cannot be probed.
          if (!requests.findForSession(requestId, sid)) return next(new Error('not-found'));
          socket.data = { requestId };
          next();
        },
        (error: unknown) => {
          if (!isStoreUnavailable(error)) logger.error('end-user socket handshake failed', error);
          next(new Error('unavailable'));
        },
      )
      // What the connection's own handlers throw, inside this promise, must not go unheard.
      .catch((error: unknown) => logger.error('end-user socket connection failed', error));
  });

  nsp.on('connection', (socket) => {
    const { requestId } = socket.data;
    // The room is the server's choice: exactly the request this session owns.
    void socket.join(requestRoom(requestId));
    const request = requests.find(requestId);
    if (request) socket.emit('status', requests.endUserStatus(request));
    // Clients only listen; anything they send is ignored.
    socket.onAny(() => undefined);
  });

  const unsubscribe = requests.onChange(({ request }) =>
    afterAnswer(() => {
      try {
        nsp.to(requestRoom(request.id)).emit('status', requests.endUserStatus(request));
      } catch (error) {
        logger.error('end-user status broadcast failed', error);
      }
    }),
  );

  return { namespace: nsp, detach: unsubscribe };
}
