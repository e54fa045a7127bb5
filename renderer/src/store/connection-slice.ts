// The link to the server as agents see it: online, connecting, reconnecting or offline.
import type { ConnectionSlice } from './connection-state';
import type { ConsoleState, SliceCreator } from './state';

export const createConnectionSlice: SliceCreator<ConnectionSlice> = (set, get) => ({
  connection: 'offline',
  recoveredAt: null,
  setConnection(status) {
    const before = get().connection;
    if (status === before) return;
    const down = status === 'reconnecting' || status === 'offline';
    set({ connection: status, ...(down ? { recoveredAt: null } : {}) });
  },
  markRecovered(at) {
    set({ recoveredAt: at });
  },
});

export const connectionSelectors = {
  status: (s: ConsoleState) => s.connection,
  /** The banner shows only for a signed-in agent whose link is down. */
  isLost: (s: ConsoleState) => s.phase === 'ready' && s.connection !== 'online',
  recoveredAt: (s: ConsoleState) => s.recoveredAt,
};
