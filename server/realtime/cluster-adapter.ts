// Live events across server processes: socket.io's PostgreSQL adapter on the store's pool, so a
// broadcast to a room (a desk, the admins, a session, a request) reaches the sockets of that room
// whichever process holds them, and `fetchSockets`, `socketsJoin`, `disconnectSockets` and
// `serverSideEmit` span every process.
//
// How: each process LISTENs on one channel per namespace (`<prefix>#/agent`, `#/enduser`) on a
// connection of its own and publishes with `pg_notify`. A payload over the threshold (NOTIFY takes
// at most 8000 bytes) travels through the `socket_io_attachments` table the store's migration
// creates, and only its id is notified. Every process announces itself by a heartbeat; one not heard
// from within the timeout is taken for gone, so requests that wait for every process's answer
// (`fetchSockets`, at most 5 s) stop counting a dead one after that.
import { createAdapter } from '@socket.io/postgres-adapter';
import type { Pool, PoolClient } from 'pg';
import type { Server } from 'socket.io';
import type { Logger } from '../logger';

export const CLUSTER_CHANNEL_PREFIX = 'helpdesk';
/** A process announces itself this often… */
const HEARTBEAT_MS = 5_000;
/** …and is taken for gone when not heard from for this long. */
const HEARTBEAT_TIMEOUT_MS = 12_000;

/**
 * The pool as the adapter uses it, with three differences. Its LISTEN connection is checked out for
 * good, and a checked-out pg client whose connection drops (PostgreSQL restarted) emits 'error' —
 * unheard, that would end the process; here it is heard, and the adapter sees the connection end
 * and reconnects by itself. And the adapter can be closed while that connection is still being
 * opened (then it never releases it, and the pool never ends): `close` releases what it holds and
 * hands out nothing more.
 */
function heardPool(pool: Pool, warn: (message: string) => void): { pool: Pool; close(): void } {
  const onError = (error: Error) =>
    warn(`cluster: live events between processes paused (${error.message}); reconnecting`);
  let closed = false;
  const held = new Set<PoolClient>();
  // A connection asked for after the close: the adapter waits for it forever, holding nothing.
  const never = new Promise<never>(() => undefined);
  return {
    pool: {
      connect: async (): Promise<PoolClient> => {
        if (closed) return never;
        const client = await pool.connect();
        if (closed) {
          client.release();
          return never;
        }
        client.on('error', onError);
        held.add(client);
        const release = client.release.bind(client);
        client.release = (destroy?: Error | boolean) => {
          held.delete(client);
          release(destroy);
        };
        return client;
      },
      query: pool.query.bind(pool),
    } as unknown as Pool,
    close() {
      closed = true;
      for (const client of held) {
        client.removeAllListeners('end');
        client.removeAllListeners('notification');
        client.release(true);
      }
    },
  };
}

/**
 * Sends this server's broadcasts through PostgreSQL to every other process on the same database.
 * Call the returned `close` after `io.close()`.
 */
export function useClusterAdapter(io: Server, pool: Pool, logger: Logger): { close(): void } {
  // One line a minute at most: during an outage every broadcast fails alike.
  let lastWarnedAt = 0;
  const warn = (message: string) => {
    if (Date.now() - lastWarnedAt < 60_000) return;
    lastWarnedAt = Date.now();
    logger.warn(message);
  };
  const adapterPool = heardPool(pool, warn);
  io.adapter(
    createAdapter(adapterPool.pool, {
      channelPrefix: CLUSTER_CHANNEL_PREFIX,
      tableName: 'socket_io_attachments',
      payloadThreshold: 8_000,
      cleanupInterval: 30_000,
      heartbeatInterval: HEARTBEAT_MS,
      heartbeatTimeout: HEARTBEAT_TIMEOUT_MS,
      errorHandler: (error) => warn(`cluster: live events did not cross: ${error.message}`),
    }),
  );
  return adapterPool;
}
