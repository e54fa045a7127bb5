// Agent events about the directory itself: its status (any agent), its settings and the connection
// test (admins; the namespace checks the role before these run).
import type { RealmDirectory } from '../directory/realm-directory';
import type { OnAgentEvent } from './agent-handler';

export function directoryEvents(on: OnAgentEvent, directory: RealmDirectory): void {
  on('directory:status', () => directory.status());
  on('directory:configure', async (input, agent) => {
    const status = await directory.configure(input, `agent:${agent.username}`);
    return { settings: input.settings, status };
  });
  on('directory:test', (input) => directory.test(input));
}
