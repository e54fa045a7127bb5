// What every slice creator receives besides the store: the deps, the live link, and error helpers.
import type {
  AgentEventName,
  AgentPayload,
  AgentResults,
} from '../../../server/contract/agent-events';
import type { AgentPreferences } from '../lib/agent-preferences';
import type { SessionApi } from '../lib/api';
import type { DirectoryApi } from '../lib/directory-api';
import type { ConsoleHost } from '../lib/desk-bridge';
import type { AgentLink, ConnectAgent } from '../lib/socket';

/** The outside world the store talks to; tests pass fakes. */
export interface ConsoleDeps {
  api: SessionApi;
  /** CSV import and export of the embedded directory (files go over HTTP, not the socket). */
  directoryApi: DirectoryApi;
  host: ConsoleHost;
  connect: ConnectAgent;
  /** Per-agent choices remembered on this machine (default: localStorage). */
  preferences?: AgentPreferences;
  /** Plays the new-request chime (default: a WebAudio chime). */
  chime?: () => void;
}

/** Shared by the slices: the deps and the live link to the server (not state: nothing renders it). */
export interface ConsoleRuntime {
  deps: ConsoleDeps;
  link: AgentLink | null;
  /** One socket event; rejects with a WireRequestError, and ends the session if the server says so. */
  request<E extends AgentEventName>(event: E, payload: AgentPayload<E>): Promise<AgentResults[E]>;
}

/** A readable message from anything a request rejected with. */
export function messageOf(error: unknown): string {
  return error instanceof Error && error.message ? error.message : 'Something went wrong.';
}

/** The field messages a refusal carried, if any. */
export function fieldsOf(error: unknown): Record<string, string> {
  const fields = (error as { fields?: unknown } | null)?.fields;
  return fields && typeof fields === 'object' ? (fields as Record<string, string>) : {};
}
