// The shape of the settings slice: the realm's configuration, the admin's agents, and its actions.
import type { AgentCreate, AgentUpdate, AgentView } from '../../../server/contract/agents';
import type {
  HelpDeskId,
  RealmConfig,
  RealmConfigPatch,
} from '../../../server/contract/realm-config';

/** The parts of Settings that save on their own. */
export type SettingsSection =
  | 'general'
  | `help-desk-${HelpDeskId}`
  | 'workflow'
  | 'otp-policy'
  | 'verification-policy'
  | 'risk-policy'
  | 'agent-totp'
  | 'directory'
  | 'mail'
  | 'notifications'
  | 'queue-urgency';

/** The pages of Settings, each with its own entry in the side navigation (and its own #link). */
export const SETTINGS_AREAS = [
  'desks',
  'workflow',
  'passcodes',
  'verification',
  'risk',
  'agents',
  'directory',
  'mail',
  'blocked-users',
] as const;
export type SettingsArea = (typeof SETTINGS_AREAS)[number];

/** The page of Settings each saveable section is on. */
export const SECTION_AREAS: Record<SettingsSection, SettingsArea> = {
  general: 'desks',
  'help-desk-1': 'desks',
  'help-desk-2': 'desks',
  'queue-urgency': 'desks',
  workflow: 'workflow',
  'otp-policy': 'passcodes',
  'verification-policy': 'verification',
  'risk-policy': 'risk',
  'agent-totp': 'agents',
  directory: 'directory',
  mail: 'mail',
  notifications: 'mail',
};

export interface OneTimePassword {
  username: string;
  password: string;
  reason: 'created' | 'reset';
}

export type SaveOutcome = { ok: true } | { ok: false; message: string };

export interface SettingsSlice {
  config: RealmConfig | null;
  /** Field messages from the server's last refusal, keyed by dotted path (`helpDesks.2.phone`). */
  configErrors: Record<string, string>;
  /** The section whose save was refused, and the server's message. */
  configError: { section: SettingsSection; message: string } | null;
  savingSection: SettingsSection | null;
  savedSection: SettingsSection | null;
  /** The page of Settings on screen. */
  settingsArea: SettingsArea;
  /** Sections with edits not saved yet: their page says so in the navigation. */
  unsavedSections: ReadonlyArray<SettingsSection>;

  agents: AgentView[];
  agentsStatus: 'idle' | 'loading' | 'ready' | 'error';
  agentsError: string | null;
  agentFieldErrors: Record<string, string>;
  /** A generated password, shown to the admin once and then forgotten. */
  oneTimePassword: OneTimePassword | null;

  /** Shows Settings at one of its pages (the current one if none is named). */
  openSettings(area?: SettingsArea): void;
  /** A section's form reports whether it holds unsaved edits. */
  markUnsaved(section: SettingsSection, unsaved: boolean): void;
  loadConfig(): Promise<void>;
  applyConfig(config: RealmConfig): void;
  saveConfig(section: SettingsSection, patch: RealmConfigPatch): Promise<SaveOutcome>;
  /**
   * Runs one section's save (`work` sends it and applies what the server answered), with the
   * section's saving/saved state and the server's field errors shown next to its fields.
   */
  saveSection(section: SettingsSection, work: () => Promise<void>): Promise<SaveOutcome>;
  loadAgents(): Promise<void>;
  createAgent(input: AgentCreate): Promise<SaveOutcome>;
  updateAgent(update: AgentUpdate): Promise<SaveOutcome>;
  resetAgentPassword(id: string): Promise<SaveOutcome>;
  dismissPassword(): void;
}
