// The realm's configuration (every agent reads it; admins edit it) and the admin's list of agents.
import { deskLabel } from '../../../server/contract/desk-label';
import type { AgentView } from '../../../server/contract/agents';
import type { HelpDeskId } from '../../../server/contract/realm-config';
import { HELP_DESK_IDS } from '../../../server/contract/realm-config';
import type { SaveOutcome, SettingsArea, SettingsSlice } from './settings-state';
import { SECTION_AREAS } from './settings-state';
import type { ConsoleState, SliceCreator } from './state';
import type { ConsoleRuntime } from './types';
import { fieldsOf, messageOf } from './types';

export function createSettingsSlice(runtime: ConsoleRuntime): SliceCreator<SettingsSlice> {
  return (set, get) => {
    const storeAgent = (agent: AgentView) => {
      const agents = get().agents;
      set({
        agents: agents.some((a) => a.id === agent.id)
          ? agents.map((a) => (a.id === agent.id ? agent : a))
          : [...agents, agent],
      });
    };
    const refused = (error: unknown): SaveOutcome => ({ ok: false, message: messageOf(error) });

    return {
      config: null,
      configErrors: {},
      configError: null,
      savingSection: null,
      savedSection: null,
      settingsArea: 'desks',
      unsavedSections: [],
      agents: [],
      agentsStatus: 'idle',
      agentsError: null,
      agentFieldErrors: {},
      oneTimePassword: null,

      openSettings(area) {
        if (area) set({ settingsArea: area });
        if (get().screen !== 'settings') get().setScreen('settings');
      },

      markUnsaved(section, unsaved) {
        const sections = get().unsavedSections;
        if (sections.includes(section) === unsaved) return;
        set({
          unsavedSections: unsaved
            ? [...sections, section]
            : sections.filter((each) => each !== section),
        });
      },

      async loadConfig() {
        try {
          get().applyConfig(await runtime.request('config:get', {}));
        } catch {
          // The config:updated event or the next reconnection brings it.
        }
      },

      applyConfig(config) {
        set({ config });
      },

      saveConfig: (section, patch) =>
        get().saveSection(section, async () => {
          get().applyConfig(await runtime.request('config:update', patch));
        }),

      async saveSection(section, work) {
        set({ savingSection: section, savedSection: null, configError: null, configErrors: {} });
        try {
          await work();
          set({ savedSection: section });
          return { ok: true };
        } catch (error) {
          const fields = fieldsOf(error);
          // The server's summary names dotted paths; the fields say it better next to themselves.
          const message =
            Object.keys(fields).length > 0
              ? 'Not saved: correct the fields marked below.'
              : messageOf(error);
          set({ configErrors: fields, configError: { section, message } });
          return refused(error);
        } finally {
          set({ savingSection: null });
        }
      },

      async loadAgents() {
        set({ agentsStatus: 'loading', agentsError: null });
        try {
          const { agents } = await runtime.request('agents:list', {});
          set({ agents, agentsStatus: 'ready' });
        } catch (error) {
          set({ agentsStatus: 'error', agentsError: messageOf(error) });
        }
      },

      async createAgent(input) {
        set({ agentFieldErrors: {}, agentsError: null });
        try {
          const { agent, password } = await runtime.request('agents:create', input);
          storeAgent(agent);
          set({ oneTimePassword: { username: agent.username, password, reason: 'created' } });
          return { ok: true };
        } catch (error) {
          set({ agentFieldErrors: fieldsOf(error) });
          return refused(error);
        }
      },

      async updateAgent(update) {
        set({ agentsError: null });
        try {
          const { agent, password } = await runtime.request('agents:update', update);
          storeAgent(agent);
          if (password)
            set({ oneTimePassword: { username: agent.username, password, reason: 'reset' } });
          return { ok: true };
        } catch (error) {
          set({ agentsError: messageOf(error) });
          return refused(error);
        }
      },

      resetAgentPassword(id) {
        return get().updateAgent({ id, resetPassword: true });
      },

      dismissPassword() {
        set({ oneTimePassword: null });
      },
    };
  };
}

/** "Help Desk 2 · Security Help Desk", as the sign-in pages, the demo and the README name it. */
const deskName = (s: ConsoleState, desk: HelpDeskId) =>
  deskLabel(desk, s.config?.helpDesks[desk] ?? { name: '' });

export const settingsSelectors = {
  config: (s: ConsoleState) => s.config,
  verificationPolicy: (s: ConsoleState) => s.config?.verificationPolicy ?? null,
  deskName: (desk: HelpDeskId) => (s: ConsoleState) => deskName(s, desk),
  /** Every desk's name by id; use with useShallow. */
  deskNames: (s: ConsoleState) =>
    Object.fromEntries(HELP_DESK_IDS.map((desk) => [desk, deskName(s, desk)])) as Record<
      HelpDeskId,
      string
    >,
  fieldError: (path: string) => (s: ConsoleState) => s.configErrors[path],
  /**
   * The field messages under one part of the config, keyed by the rest of their path
   * (`errorsUnder('helpDesks.2')` gives `{ phone: '…' }`); use with useShallow.
   */
  errorsUnder:
    (prefix: string) =>
    (s: ConsoleState): Record<string, string | undefined> => {
      const errors: Record<string, string> = {};
      for (const [path, message] of Object.entries(s.configErrors))
        if (!prefix) errors[path] = message;
        else if (path === prefix) errors['_'] = message;
        else if (path.startsWith(`${prefix}.`)) errors[path.slice(prefix.length + 1)] = message;
      return errors;
    },
  configError: (s: ConsoleState) => s.configError,
  savingSection: (s: ConsoleState) => s.savingSection,
  savedSection: (s: ConsoleState) => s.savedSection,
  area: (s: ConsoleState) => s.settingsArea,
  /** Whether a page holds edits not saved yet. */
  areaUnsaved: (area: SettingsArea) => (s: ConsoleState) =>
    s.unsavedSections.some((section) => SECTION_AREAS[section] === area),
  agents: (s: ConsoleState) => s.agents,
  agentsStatus: (s: ConsoleState) => s.agentsStatus,
  agentsError: (s: ConsoleState) => s.agentsError,
  agentFieldErrors: (s: ConsoleState) => s.agentFieldErrors,
  oneTimePassword: (s: ConsoleState) => s.oneTimePassword,
};
