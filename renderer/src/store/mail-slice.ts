// Mail as admins see it: the SMTP settings' save and test, the outbox's state (answers and pushes),
// the users whose help-desk method is blocked, and the alerts pushed to every admin console.
import type { MailSlice } from './mail-state';
import type { ConsoleState, SliceCreator } from './state';
import type { ConsoleRuntime } from './types';
import { fieldsOf, messageOf } from './types';

/** Alerts kept on screen at most; older ones are in the audit log and the blocks list. */
const MAX_ALERTS = 5;

export function createMailSlice(runtime: ConsoleRuntime): SliceCreator<MailSlice> {
  return (set, get) => ({
    mailStatus: null,
    mailTest: { step: 'idle' },
    blocks: [],
    blocksStatus: 'idle',
    blocksError: null,
    alerts: [],

    async loadMailStatus() {
      try {
        get().applyMailStatus(await runtime.request('mail:status', {}));
      } catch {
        // The server pushes the status when the outbox changes; the next reconnection asks again.
      }
    },

    applyMailStatus(status) {
      set({ mailStatus: status });
    },

    saveMail: (input) =>
      get().saveSection('mail', async () => {
        const { settings, status } = await runtime.request('mail:configure', input);
        const config = get().config;
        if (config) get().applyConfig({ ...config, mail: settings });
        set({ mailStatus: status });
      }),

    async testMail(input) {
      set({ mailTest: { step: 'running', to: input.to } });
      try {
        const result = await runtime.request('mail:test', input);
        set({ mailTest: { step: 'done', to: input.to, result } });
      } catch (error) {
        set({ mailTest: { step: 'refused', message: messageOf(error), fields: fieldsOf(error) } });
      }
    },

    clearMailTest() {
      set({ mailTest: { step: 'idle' } });
    },

    async loadBlocks() {
      set({ blocksStatus: 'loading', blocksError: null });
      try {
        const { blocks } = await runtime.request('blocks:list', {});
        set({ blocks: [...blocks].sort((a, b) => b.at - a.at), blocksStatus: 'ready' });
      } catch (error) {
        set({ blocksStatus: 'error', blocksError: messageOf(error) });
      }
    },

    async clearBlock(username, reason) {
      try {
        await runtime.request('blocks:clear', { username, reason });
        set({ blocks: get().blocks.filter((b) => b.username !== username) });
        void get().loadBlocks();
        return { ok: true };
      } catch (error) {
        return { ok: false, message: messageOf(error), fields: fieldsOf(error) };
      }
    },

    raiseAlert(alert) {
      const others = get().alerts.filter((a) => a.id !== alert.id);
      set({ alerts: [alert, ...others].slice(0, MAX_ALERTS) });
      if (get().blocksStatus !== 'idle') void get().loadBlocks();
      // A refusal ended a request an admin of another desk may still list as waiting.
      if (alert.kind === 'approval-refused') void get().loadApprovals();
    },

    dismissAlert(id) {
      set({ alerts: get().alerts.filter((a) => a.id !== id) });
    },
  });
}

export const mailSelectors = {
  status: (s: ConsoleState) => s.mailStatus,
  passwordSaved: (s: ConsoleState) => s.mailStatus?.passwordSaved ?? false,
  /** Whether the realm mails at all (the saved settings; the status says the same once loaded). */
  enabled: (s: ConsoleState) => s.config?.mail.enabled ?? s.mailStatus?.enabled ?? false,
  test: (s: ConsoleState) => s.mailTest,
  blocks: (s: ConsoleState) => s.blocks,
  blocksStatus: (s: ConsoleState) => s.blocksStatus,
  blocksError: (s: ConsoleState) => s.blocksError,
  alerts: (s: ConsoleState) => s.alerts,
};
