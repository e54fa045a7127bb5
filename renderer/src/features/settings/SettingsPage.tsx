// Settings (admins only): the two help desks, general realm settings, workflow, passcode and
// verification policies, risk and the second approver, the agents' authenticator rule, the agents
// themselves, and the directory (its source and LDAP settings, its users, CSV import and export),
// mail (SMTP, the outbox, test mail), notifications, and the users whose help-desk method is blocked.
import { HELP_DESK_IDS } from '../../../../server/contract/realm-config';
import { settingsSelectors, useConsole } from '../../store';
import { AgentsAdmin } from './AgentsAdmin';
import { AgentTotpForm } from './AgentTotpForm';
import { DirectoryImport } from './directory/DirectoryImport';
import { DirectorySettingsForm } from './directory/DirectorySettingsForm';
import { DirectoryUsers } from './directory/DirectoryUsers';
import { GeneralForm } from './GeneralForm';
import { HelpDeskForm } from './HelpDeskForm';
import { BLOCKED_USERS_HEADING_ID, BlockedUsers } from './mail/BlockedUsers';
import { MailSettingsForm } from './mail/MailSettingsForm';
import { NotificationsForm } from './mail/NotificationsForm';
import { OtpPolicyForm } from './OtpPolicyForm';
import { RiskPolicyForm } from './RiskPolicyForm';
import { VerificationPolicyForm } from './VerificationPolicyForm';
import { WorkflowForm } from './WorkflowForm';

export function SettingsPage() {
  const config = useConsole(settingsSelectors.config);
  return (
    <main className="settings" aria-labelledby="settings-heading">
      <div className="settings-inner">
        <h1 id="settings-heading" className="page-title">
          Settings
        </h1>
        <p className="page-lede">
          Changes apply to every agent and to the end-user pages as soon as they are saved, and each
          save is recorded in the audit log.
        </p>
        {config ? (
          <>
            <nav className="settings-toc" aria-label="Settings sections">
              <a href={`#settings-help-desk-${HELP_DESK_IDS[0]}`}>Help desks</a>
              <a href="#settings-workflow">Workflow</a>
              <a href="#settings-otp-policy">Passcodes</a>
              <a href="#settings-verification-policy">Verification</a>
              <a href="#settings-risk-policy">Risk &amp; approval</a>
              <a href="#settings-agent-totp">Agent sign-in</a>
              <a href="#agents-heading">Agents</a>
              <a href="#settings-directory">Directory</a>
              <a href="#settings-mail">Mail</a>
              <a href="#settings-notifications">Notifications</a>
              <a href={`#${BLOCKED_USERS_HEADING_ID}`}>Blocked users</a>
            </nav>
            <div className="settings-grid">
              {HELP_DESK_IDS.map((desk) => (
                <HelpDeskForm key={desk} desk={desk} />
              ))}
            </div>
            <GeneralForm />
            <WorkflowForm />
            <OtpPolicyForm />
            <VerificationPolicyForm />
            <RiskPolicyForm />
            <AgentTotpForm />
            <AgentsAdmin />
            <DirectorySettingsForm />
            <DirectoryUsers />
            <DirectoryImport />
            <MailSettingsForm />
            <NotificationsForm />
            <BlockedUsers />
          </>
        ) : (
          <p role="status">Loading the settings…</p>
        )}
      </div>
    </main>
  );
}
