// The shape of the connection slice: the link's status as agents see it, and its actions.
import type { ConnectionStatus } from '../lib/socket';

export interface ConnectionSlice {
  connection: ConnectionStatus;
  /** When the queue was last reloaded after a reconnection (ms), for a short "back online" note. */
  recoveredAt: number | null;
  setConnection(status: ConnectionStatus): void;
  markRecovered(at: number): void;
}
