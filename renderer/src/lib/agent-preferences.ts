// Per-agent preferences of this console (a chime on new requests), remembered on this machine.

export interface AgentPreferences {
  soundOnNewRequest(agentId: string): boolean;
  setSoundOnNewRequest(agentId: string, on: boolean): void;
}

const soundKey = (agentId: string) => `helpdesk-otp.agent.${agentId}.sound-on-new-request`;

/**
 * localStorage, keyed by agent id, so that two agents sharing a PC keep their own choice. It holds
 * no secret (the session token is never kept there).
 */
export function createAgentPreferences(
  storage: () => Storage | undefined = () => {
    try {
      return window.localStorage;
    } catch {
      return undefined;
    }
  },
): AgentPreferences {
  return {
    soundOnNewRequest(agentId) {
      try {
        return storage()?.getItem(soundKey(agentId)) === 'on';
      } catch {
        return false;
      }
    },
    setSoundOnNewRequest(agentId, on) {
      try {
        if (on) storage()?.setItem(soundKey(agentId), 'on');
        else storage()?.removeItem(soundKey(agentId));
      } catch {
        // Not remembered where storage is refused; the toggle still works for this session.
      }
    },
  };
}
