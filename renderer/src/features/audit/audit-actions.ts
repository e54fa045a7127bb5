// The actions an admin filters the audit log by, grouped as they read; a group's own option matches
// every action that starts with its prefix (the server matches an action or its start).

export interface AuditActionGroup {
  label: string;
  /** The prefix that matches the whole group, where one does. */
  prefix?: string;
  actions: ReadonlyArray<readonly [action: string, label: string]>;
}

export const AUDIT_ACTION_GROUPS: ReadonlyArray<AuditActionGroup> = [
  {
    label: 'Requests',
    prefix: 'request.',
    actions: [
      ['request.submitted', 'Submitted'],
      ['request.contested', 'Asked from a second browser'],
      ['request.risk-flagged', 'Risk flagged'],
      ['request.claimed', 'Claimed'],
      ['request.released', 'Released'],
      ['request.taken-over', 'Taken over'],
      ['request.details-opened', 'Directory details opened'],
      ['request.check-recorded', 'Check recorded'],
      ['request.check-removed', 'Check removed'],
      ['request.code-sent', 'Code mailed for a check'],
      ['request.code-checked', 'Mailed code checked'],
      ['request.approval-requested', 'Second approver asked'],
      ['request.approved', 'Reveal approved'],
      ['request.approval-refused', 'Approval refused'],
      ['request.otp-revealed', 'Passcode revealed'],
      ['request.passcode-shown', 'Passcode shown again'],
      ['request.reveal-refused', 'Reveal refused'],
      ['request.completed', 'Completed'],
      ['request.denied', 'Denied'],
      ['request.suspicious-caller', 'Suspicious caller reported'],
      ['request.cancelled', 'Cancelled'],
      ['request.superseded', 'Superseded'],
      ['request.expired', 'Expired'],
      ['request.locked', 'Locked'],
      ['request.refused', 'Refused'],
      ['request.ended-', 'Ended by a report, the directory or the user'],
    ],
  },
  {
    label: 'Passcodes and sign-ins',
    actions: [
      ['otp.wrong', 'Wrong passcode typed'],
      ['signin.completed', 'Signed in'],
      ['signin.refused', 'Sign-in refused'],
      ['signin.password-failed', 'Wrong password typed'],
      ['signin.not-me', '“This wasn’t me”'],
      ['block.', 'Help-desk method blocked or cleared'],
    ],
  },
  {
    label: 'Agents',
    prefix: 'agent.',
    actions: [
      ['agent.login', 'Signed in'],
      ['agent.login-failed', 'Sign-in failed'],
      ['agent.logout', 'Signed out'],
      ['agent.created', 'Created'],
      ['agent.updated', 'Updated'],
      ['agent.totp-', 'Authenticator enrolment or reset'],
      ['authz.denied', 'Refused an action they may not take'],
    ],
  },
  {
    label: 'Settings',
    prefix: 'realm.',
    actions: [
      ['realm.updated', 'Settings changed'],
      ['realm.directory-updated', 'Directory settings changed'],
      ['realm.mail-updated', 'Mail settings changed'],
    ],
  },
  {
    label: 'Directory',
    prefix: 'directory.',
    actions: [
      ['directory.user-', 'Users added, changed or deleted'],
      ['directory.password-reset', 'Password reset'],
      ['directory.imported', 'Imported'],
      ['directory.exported', 'Exported'],
      ['directory.unavailable', 'Stopped answering'],
      ['directory.recovered', 'Answering again'],
    ],
  },
  {
    label: 'Mail',
    prefix: 'mail.',
    actions: [
      ['mail.sent', 'Sent'],
      ['mail.failed', 'Failed'],
      ['mail.tested', 'Test mail'],
    ],
  },
  {
    label: 'Audit log',
    prefix: 'audit.',
    actions: [['audit.exported', 'Exported']],
  },
];
