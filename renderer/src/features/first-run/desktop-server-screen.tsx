// Which screen the desktop's server setting calls for before the console's own: "Starting…" while
// it is asked, the first-run screen while no server is set, the same screen when the agent chose
// "Change server…" in the tray (the packaged page at #change-server), else none.
import { useState, type ReactElement } from 'react';
import { CHANGE_SERVER_HASH } from '../../../../main/server-url';
import { ConnectingPage } from '../session/ConnectingPage';
import { ConnectServerPage } from './ConnectServerPage';
import {
  desktopServerChoice,
  useServerSetting,
  type ServerChoice,
  type ServerSetting,
} from './server-choice';

export function useDesktopServerScreen(serverChoice: ServerChoice | null | undefined): {
  screen: ReactElement | null;
  /** Where the desktop's server address comes from; null in a browser. */
  source: ServerSetting['source'];
} {
  const [choice] = useState(() =>
    serverChoice === undefined ? desktopServerChoice() : serverChoice,
  );
  const [changing] = useState(() => window.location.hash === `#${CHANGE_SERVER_HASH}`);
  const setting = useServerSetting(choice);
  const source = setting?.source ?? null;

  if (setting === undefined) return { screen: <ConnectingPage />, source };
  if (!choice || !setting) return { screen: null, source };
  if (setting.serverUrl === null) return { screen: <ConnectServerPage choice={choice} />, source };
  const current = setting.serverUrl;
  if (changing && source === 'saved') {
    return {
      screen: (
        <ConnectServerPage
          choice={choice}
          current={current}
          onCancel={() => window.location.assign(`${current}/agent/`)}
        />
      ),
      source,
    };
  }
  return { screen: null, source };
}
