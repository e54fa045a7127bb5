// Settings (admins only), one page at a time behind a side navigation: the help desks and the queue,
// workflow, passcodes, verification, risk and the second approver, agents (and their authenticator
// rule), the directory (source, users, CSV import and export), mail and notifications, and the users
// whose help-desk method is blocked. The page on screen is in the store and in the address (#settings/…).
import { useRef, type MouseEvent } from 'react';
import { HELP_DESK_IDS } from '../../../../server/contract/realm-config';
import { settingsSelectors, useConsole, useConsoleStore } from '../../store';
import type { SettingsArea } from '../../store/settings-state';
import { SETTINGS_AREAS } from '../../store/settings-state';
import { AgentsAdmin } from './AgentsAdmin';
import { AgentTotpForm } from './AgentTotpForm';
import { DirectoryImport } from './directory/DirectoryImport';
import { DirectorySettingsForm } from './directory/DirectorySettingsForm';
import { DirectoryUsers } from './directory/DirectoryUsers';
import { GeneralForm } from './GeneralForm';
import { HelpDeskForm } from './HelpDeskForm';
import { BlockedUsers } from './mail/BlockedUsers';
import { MailSettingsForm } from './mail/MailSettingsForm';
import { NotificationsForm } from './mail/NotificationsForm';
import { OtpPolicyForm } from './OtpPolicyForm';
import { QueueUrgencyForm } from './QueueUrgencyForm';
import { RiskPolicyForm } from './RiskPolicyForm';
import { settingsHref } from './use-settings-link';
import { VerificationPolicyForm } from './VerificationPolicyForm';
import { WorkflowForm } from './WorkflowForm';

export const SETTINGS_AREA_NAMES: Record<SettingsArea, string> = {
  desks: 'Desks & queue',
  workflow: 'Workflow',
  passcodes: 'Passcodes',
  verification: 'Verification',
  risk: 'Risk & approval',
  agents: 'Agents',
  directory: 'Directory',
  mail: 'Mail & notifications',
  'blocked-users': 'Blocked users',
};

function AreaContent({ area }: { area: SettingsArea }) {
  switch (area) {
    case 'desks':
      return (
        <>
          <div className="settings-grid">
            {HELP_DESK_IDS.map((desk) => (
              <HelpDeskForm key={desk} desk={desk} />
            ))}
          </div>
          <QueueUrgencyForm />
          <GeneralForm />
        </>
      );
    case 'workflow':
      return <WorkflowForm />;
    case 'passcodes':
      return <OtpPolicyForm />;
    case 'verification':
      return <VerificationPolicyForm />;
    case 'risk':
      return <RiskPolicyForm />;
    case 'agents':
      return (
        <>
          <AgentTotpForm />
          <AgentsAdmin />
        </>
      );
    case 'directory':
      return (
        <>
          <DirectorySettingsForm />
          <DirectoryUsers />
          <DirectoryImport />
        </>
      );
    case 'mail':
      return (
        <>
          <MailSettingsForm />
          <NotificationsForm />
        </>
      );
    case 'blocked-users':
      return <BlockedUsers />;
  }
}

function AreaLink(props: {
  to: SettingsArea;
  current: boolean;
  onGo: (event: MouseEvent, to: SettingsArea) => void;
}) {
  const { to, current, onGo } = props;
  const unsaved = useConsole(settingsSelectors.areaUnsaved(to));
  return (
    <a
      href={settingsHref(to)}
      aria-current={current ? 'page' : undefined}
      onClick={(event) => onGo(event, to)}
    >
      {SETTINGS_AREA_NAMES[to]}
      {unsaved ? (
        <>
          {' '}
          <span className="settings-nav-unsaved" title="Unsaved changes">
            <span aria-hidden="true">•</span>
            <span className="visually-hidden">(unsaved changes)</span>
          </span>
        </>
      ) : null}
    </a>
  );
}

export function SettingsPage() {
  const store = useConsoleStore();
  const config = useConsole(settingsSelectors.config);
  const area = useConsole(settingsSelectors.area);
  const content = useRef<HTMLDivElement>(null);

  const go = (event: MouseEvent, to: SettingsArea) => {
    // A plain click stays in the console; a middle or modified click opens the link as links do.
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
    event.preventDefault();
    store.getState().openSettings(to);
    // The keyboard goes on to the page just opened, not back to the top of the navigation.
    requestAnimationFrame(() => content.current?.focus({ preventScroll: true }));
    if (window.scrollY > 0) window.scrollTo(0, 0);
  };

  return (
    <main className="settings" aria-labelledby="settings-heading">
      <div className="settings-layout">
        <nav className="settings-nav" aria-label="Settings sections">
          <p className="settings-nav-title" aria-hidden="true">
            Settings
          </p>
          <ul>
            {SETTINGS_AREAS.map((to) => (
              <li key={to}>
                <AreaLink to={to} current={to === area} onGo={go} />
              </li>
            ))}
          </ul>
        </nav>
        <div className="settings-inner" ref={content} tabIndex={-1}>
          <h1 id="settings-heading" className="page-title">
            Settings
          </h1>
          <p className="page-lede">
            Changes apply to every agent and to the end-user pages as soon as they are saved, and
            each save is recorded in the audit log.
          </p>
          {config ? (
            // Every page stays mounted (the others hidden), so an edit not yet saved on one page is
            // still there after a look at another.
            SETTINGS_AREAS.map((each) => (
              <div key={each} className="settings-area" hidden={each !== area}>
                <AreaContent area={each} />
              </div>
            ))
          ) : (
            <p role="status">Loading the settings…</p>
          )}
        </div>
      </div>
    </main>
  );
}
