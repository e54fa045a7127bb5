// Admin events on method blocks: who cannot use the help desk now, and clearing a block with a reason
// (the namespace lets only admins through).
import type { MethodBlocks } from '../requests/method-blocks';
import type { OnAgentEvent } from './agent-handler';

export function blockEvents(on: OnAgentEvent, blocks: MethodBlocks): void {
  on('blocks:list', () => ({ blocks: blocks.list() }));
  on('blocks:clear', ({ username, reason }, agent) =>
    blocks.clear(username, reason, `agent:${agent.username}`),
  );
}
