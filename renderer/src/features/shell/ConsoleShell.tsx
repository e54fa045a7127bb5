// The signed-in console: top bar (screens, agent, connection, sign-out), banners, and the screen.
import { useCallback, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { AuditPage } from '../audit/AuditPage';
import { HistoryPage } from '../history/HistoryPage';
import { QueuePanel } from '../queue/QueuePanel';
import { RequestPanel } from '../request/RequestPanel';
import { SettingsPage } from '../settings/SettingsPage';
import { useSettingsLink } from '../settings/use-settings-link';
import {
  connectionSelectors,
  queueSelectors,
  sessionSelectors,
  useConsole,
  useConsoleStore,
} from '../../store';
import { AdminAlerts } from './AdminAlerts';
import { ApprovalsWaiting } from './ApprovalsWaiting';
import { ConnectionBanner } from './ConnectionBanner';
import { DirectoryBanner } from './DirectoryBanner';
import { useConsoleShortcuts } from './shortcuts';
import { ShortcutsDialog } from './ShortcutsDialog';
import { SoundToggle } from './SoundToggle';

const CONNECTION_LABELS = {
  online: 'Online',
  connecting: 'Connecting…',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
} as const;

export function ConsoleShell() {
  const store = useConsoleStore();
  const screen = useConsole(sessionSelectors.screen);
  const isAdmin = useConsole(sessionSelectors.isAdmin);
  /** History, Settings and Audit scroll with the page; the queue and the request on their own. */
  const pageScrolls =
    screen === 'history' || ((screen === 'settings' || screen === 'audit') && isAdmin);
  const connection = useConsole(connectionSelectors.status);
  const pending = useConsole(queueSelectors.pendingCount);
  const agent = useConsole(
    useShallow((s) => ({
      name: s.session?.agent.displayName ?? '',
      username: s.session?.agent.username ?? '',
      role: s.session?.role ?? 'agent',
    })),
  );
  const realmName = useConsole((s) => s.config?.name ?? '');
  const [showingShortcuts, setShowingShortcuts] = useState(false);
  const showShortcuts = useCallback(() => setShowingShortcuts(true), []);
  useConsoleShortcuts(showShortcuts);
  useSettingsLink();

  return (
    <div className={`shell${pageScrolls ? '' : ' shell-fixed'}`}>
      <header className="topbar">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">
            OTP
          </span>
          <span className="brand-name">Help Desk OTP</span>
          {realmName ? <span className="brand-realm">{realmName}</span> : null}
        </div>
        <nav className="tabs" aria-label="Console">
          <button
            type="button"
            className="tab"
            aria-current={screen === 'queue' ? 'page' : undefined}
            onClick={() => store.getState().setScreen('queue')}
          >
            Queue
            {pending > 0 ? (
              <span className="tab-count" aria-label={`${pending} waiting`}>
                {pending}
              </span>
            ) : null}
          </button>
          <button
            type="button"
            className="tab"
            aria-current={screen === 'history' ? 'page' : undefined}
            onClick={() => store.getState().setScreen('history')}
          >
            History
          </button>
          {isAdmin ? (
            <button
              type="button"
              className="tab"
              aria-current={screen === 'settings' ? 'page' : undefined}
              onClick={() => store.getState().setScreen('settings')}
            >
              Settings
            </button>
          ) : null}
          {isAdmin ? (
            <button
              type="button"
              className="tab"
              aria-current={screen === 'audit' ? 'page' : undefined}
              onClick={() => store.getState().setScreen('audit')}
            >
              Audit
            </button>
          ) : null}
        </nav>
        <div className="topbar-end">
          <SoundToggle />
          <button
            type="button"
            className="button button-quiet button-icon"
            aria-label="Keyboard shortcuts"
            aria-keyshortcuts="?"
            title="Keyboard shortcuts (?)"
            onClick={showShortcuts}
          >
            ?
          </button>
          <span className={`conn conn-${connection}`}>
            <span className="conn-dot" aria-hidden="true" />
            {CONNECTION_LABELS[connection]}
          </span>
          <span className="whoami">
            <span className="whoami-name">{agent.name}</span>
            <span className="whoami-meta">
              {agent.username} · {agent.role === 'admin' ? 'Admin' : 'Agent'}
            </span>
          </span>
          <button
            type="button"
            className="button button-quiet"
            onClick={() => void store.getState().signOut()}
          >
            Sign out
          </button>
        </div>
      </header>
      <AdminAlerts />
      <ApprovalsWaiting />
      <ConnectionBanner />
      <DirectoryBanner />
      {screen === 'history' ? (
        <HistoryPage />
      ) : screen === 'audit' && isAdmin ? (
        <AuditPage />
      ) : screen === 'settings' && isAdmin ? (
        <SettingsPage />
      ) : (
        <main className="workspace">
          <QueuePanel />
          <RequestPanel />
        </main>
      )}
      {showingShortcuts ? <ShortcutsDialog onClose={() => setShowingShortcuts(false)} /> : null}
    </div>
  );
}
