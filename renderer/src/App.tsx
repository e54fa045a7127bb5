// The agent console: sign-in, authenticator enrolment, or the console itself, by session phase.
import { useEffect } from 'react';
import { ConnectingPage } from './features/session/ConnectingPage';
import { SignInPage } from './features/session/SignInPage';
import { TotpEnrolmentPage } from './features/session/TotpEnrolmentPage';
import { ConsoleShell } from './features/shell/ConsoleShell';
import type { ConsoleHost } from './lib/desk-bridge';
import { sessionSelectors, useConsole, useConsoleStore } from './store';

export function App({ host }: { host: ConsoleHost }) {
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

  switch (phase) {
    case 'starting':
    case 'connecting':
      return <ConnectingPage />;
    case 'signed-out':
    case 'signing-in':
      return <SignInPage />;
    case 'ready':
      return mustEnrol ? <TotpEnrolmentPage /> : <ConsoleShell />;
  }
}
