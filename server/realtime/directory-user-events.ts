// Agent events managing the embedded directory's users; the namespace lets only admins through.
import type { DirectoryAdmin } from '../directory/directory-admin';
import type { OnAgentEvent } from './agent-handler';

export function directoryUserEvents(on: OnAgentEvent, users: DirectoryAdmin): void {
  on('users:search', ({ query, offset, limit }) => users.search(query, offset, limit));
  on('users:add', ({ user, password }, agent) =>
    users.add(user, password, `agent:${agent.username}`),
  );
  on('users:update', ({ username, changes }, agent) =>
    users.update(username, changes, `agent:${agent.username}`),
  );
  on('users:set-enabled', ({ username, enabled }, agent) =>
    users.setEnabled(username, enabled, `agent:${agent.username}`),
  );
  on('users:reset-password', ({ username }, agent) =>
    users.resetPassword(username, `agent:${agent.username}`),
  );
  on('users:delete', ({ username }, agent) => users.remove(username, `agent:${agent.username}`));
}
