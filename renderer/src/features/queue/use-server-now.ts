// The server's time now, ticking once a second: what ages and countdowns of server stamps count from.
import { useNow } from '../../lib/ticker';
import { queueSelectors, useConsole } from '../../store';

export function useServerNow(): number {
  return useNow() + useConsole(queueSelectors.serverClockOffset);
}
