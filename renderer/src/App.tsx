// The agent console: the desktop's first-run screen while it has no server, then sign-in,
// authenticator enrolment, or the console itself, by session phase.
import { useEffect } from 'react';
import { useDesktopServerScreen } from './features/first-run/desktop-server-screen';
import type { ServerChoice } from './features/first-run/server-choice';
import { ConnectingPage } from './features/session/ConnectingPage';
import { SignInPage } from './features/session/SignInPage';
import { TotpEnrolmentPage } from './features/session/TotpEnrolmentPage';
import { ConsoleShell } from './features/shell/ConsoleShell';
import type { ConsoleHost } from './lib/desk-bridge';
import { sessionSelectors, useConsole, useConsoleStore } from './store';

export function App({
  host,
  serverChoice,
}: {
  host: ConsoleHost;
  /** The desktop's server setting; by default read from `window.desk` (none in a browser). */
  serverChoice?: ServerChoice | null;
}) {
  const desktopServer = useDesktopServerScreen(serverChoice);
  const store = useConsoleStore();
  const phase = useConsole(sessionSelectors.phase);
  const mustEnrol = useConsole(sessionSelectors.mustEnrolTotp);

  // A click on a desktop notification opens that request.
  useEffect(
    () =>
      host.onOpenRequest((requestId) => {
        if (store.getState().phase === 'ready') void store.getState().openRequest(requestId);
      }),
    [host, store],
  );

  if (desktopServer.screen) return desktopServer.screen;

  switch (phase) {
    case 'starting':
    case 'connecting':
      return <ConnectingPage />;
    case 'signed-out':
    case 'signing-in':
      return <SignInPage serverSource={desktopServer.source} />;
    case 'ready':
      return mustEnrol ? <TotpEnrolmentPage /> : <ConsoleShell />;
  }
}
