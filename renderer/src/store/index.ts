// The console's one store, bound from its slices, with the host kept in step (pending-count badge).
import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import { createStore, type StoreApi } from 'zustand/vanilla';
import { WireRequestError } from '../lib/socket';
import { createApprovalSlice } from './approval-slice';
import { createAuditSlice } from './audit-slice';
import { createConnectionSlice } from './connection-slice';
import { createDirectorySlice } from './directory-slice';
import { createHistorySlice } from './history-slice';
import { createMailSlice } from './mail-slice';
import { queueSelectors, createQueueSlice } from './queue-slice';
import { createRequestSlice } from './request-slice';
import { SESSION_GONE_MESSAGE, createSessionSlice } from './session-slice';
import { createSettingsSlice } from './settings-slice';
import type { ConsoleState } from './state';
import type { ConsoleDeps, ConsoleRuntime } from './types';

export type ConsoleStore = StoreApi<ConsoleState>;

export function createConsoleStore(deps: ConsoleDeps): ConsoleStore {
  const runtime: ConsoleRuntime = {
    deps,
    link: null,
    async request(event, payload) {
      if (!runtime.link)
        throw new WireRequestError('offline', 'Not connected to the server; sign in again.');
      try {
        return await runtime.link.request(event, payload);
      } catch (error) {
        if (error instanceof WireRequestError && error.code === 'unauthenticated')
          store.getState().endSession(error.message || SESSION_GONE_MESSAGE);
        // The realm started requiring an authenticator this agent has not enrolled.
        if (error instanceof WireRequestError && error.code === 'totp-required') {
          const session = store.getState().session;
          if (session) store.setState({ session: { ...session, mustEnrolTotp: true } });
        }
        throw error;
      }
    },
  };

  const store = createStore<ConsoleState>()((...a) => ({
    ...createConnectionSlice(...a),
    ...createSessionSlice(runtime)(...a),
    ...createQueueSlice(runtime)(...a),
    ...createRequestSlice(runtime)(...a),
    ...createSettingsSlice(runtime)(...a),
    ...createDirectorySlice(runtime)(...a),
    ...createMailSlice(runtime)(...a),
    ...createApprovalSlice(runtime)(...a),
    ...createHistorySlice(runtime)(...a),
    ...createAuditSlice(runtime)(...a),
  }));

  let pending = 0;
  store.subscribe((state) => {
    const count = state.phase === 'ready' ? queueSelectors.pendingCount(state) : 0;
    if (count !== pending) {
      pending = count;
      deps.host.setPendingCount(count);
    }
  });
  return store;
}

export const ConsoleStoreContext = createContext<ConsoleStore | null>(null);

/** Selects from the console store; pass a small selector (or one wrapped in useShallow). */
export function useConsole<T>(selector: (state: ConsoleState) => T): T {
  const store = useContext(ConsoleStoreContext);
  if (!store) throw new Error('useConsole outside <ConsoleStoreContext.Provider>');
  return useStore(store, selector);
}

/** The store itself, for actions in event handlers (`useConsoleStore().getState().claim()`). */
export function useConsoleStore(): ConsoleStore {
  const store = useContext(ConsoleStoreContext);
  if (!store) throw new Error('useConsoleStore outside <ConsoleStoreContext.Provider>');
  return store;
}

export type { ConsoleState } from './state';
export type { ConsoleDeps } from './types';
export { approvalSelectors } from './approval-slice';
export { auditSelectors } from './audit-slice';
export { connectionSelectors } from './connection-slice';
export { directorySelectors } from './directory-slice';
export { historySelectors } from './history-slice';
export { mailSelectors } from './mail-slice';
export { queueSelectors } from './queue-slice';
export { requestSelectors } from './request-slice';
export { sessionSelectors } from './session-slice';
export { settingsSelectors } from './settings-slice';
