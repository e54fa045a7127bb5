// The link to the server as agents see it: online, connecting, reconnecting or offline.
import type { ConnectionStatus } from '../lib/socket';
import type { ConsoleState, SliceCreator } from './types';

export interface ConnectionSlice {
  connection: ConnectionStatus;
  /** When the link last dropped (ms), while it is down. */
  lostAt: number | null;
  /** When the queue was last reloaded after a reconnection (ms), for a short "back online" note. */
  recoveredAt: number | null;
  setConnection(status: ConnectionStatus): void;
  markRecovered(at: number): void;
}

export const createConnectionSlice: SliceCreator<ConnectionSlice> = (set, get) => ({
  connection: 'offline',
  lostAt: null,
  recoveredAt: null,
  setConnection(status) {
    const before = get().connection;
    if (status === before) return;
    const down = status === 'reconnecting' || status === 'offline';
    set({
      connection: status,
      lostAt: down ? (get().lostAt ?? Date.now()) : null,
      ...(down ? { recoveredAt: null } : {}),
    });
  },
  markRecovered(at) {
    set({ recoveredAt: at });
  },
});

export const connectionSelectors = {
  status: (s: ConsoleState) => s.connection,
  isOnline: (s: ConsoleState) => s.connection === 'online',
  /** The banner shows only for a signed-in agent whose link is down. */
  isLost: (s: ConsoleState) => s.phase === 'ready' && s.connection !== 'online',
  lostAt: (s: ConsoleState) => s.lostAt,
  recoveredAt: (s: ConsoleState) => s.recoveredAt,
};
