// The desktop app's server setting, for the first-run screen and the sign-in page: which server,
// set by whom, and the agent's choice of one. Absent in a browser (the console's server is the
// page's own) and in a desktop app older than the first-run screen.
import { useEffect, useState } from 'react';

type DeskBridge = NonNullable<Window['desk']>;
export type ServerSetting = Awaited<ReturnType<DeskBridge['getServerSetting']>>;
export type ChooseServerResult = Awaited<ReturnType<DeskBridge['chooseServer']>>;

export interface ServerChoice {
  setting(): Promise<ServerSetting>;
  /** Checked by the desktop app (/healthz), saved, then the console opens on it. */
  choose(serverUrl: string): Promise<ChooseServerResult>;
}

export function desktopServerChoice(win: Window = window): ServerChoice | null {
  const desk = win.desk as Partial<DeskBridge> | undefined;
  const { getServerSetting, chooseServer } = desk ?? {};
  if (!getServerSetting || !chooseServer) return null;
  return { setting: () => getServerSetting(), choose: (url) => chooseServer(url) };
}

/**
 * The desktop's server setting: `undefined` while it is being asked, `null` where there is none to
 * ask (a browser, an older app, or a bridge that failed: the console then goes on as before).
 */
export function useServerSetting(choice: ServerChoice | null): ServerSetting | null | undefined {
  const [setting, setSetting] = useState<ServerSetting | null | undefined>(
    choice ? undefined : null,
  );
  useEffect(() => {
    if (!choice) return;
    let current = true;
    choice.setting().then(
      (answer) => current && setSetting(answer),
      () => current && setSetting(null),
    );
    return () => {
      current = false;
    };
  }, [choice]);
  return setting;
}
