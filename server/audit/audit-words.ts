// Each audit entry in plain words, as the History trail and the Audit view show it ("alice claimed
// the request"). Pure: the entry and the names of the realm's checks in, a sentence out.

/** What the words are made from: an audit entry's who, what and details. */
export interface WordedEntry {
  actor: string;
  action: string;
  requestId?: string | undefined;
  details: Record<string, unknown>;
}

export interface AuditWordsContext {
  /** The label of a verification check by its id ("Called back the phone number on file"), if known. */
  checkLabel?: (checkId: string) => string | undefined;
}

/** Who acted, as a person reads it: `agent:alice` → alice, `user:jsmith` → jsmith, `system` → system. */
export function actorName(actor: string): string {
  const match = /^(?:agent|user):(.+)$/.exec(actor);
  return match?.[1] ?? actor;
}

const DESK = (desk: unknown) =>
  desk === '1' || desk === '2' ? `Help Desk ${desk}` : 'a help desk';

/** Why a reveal was refused, by the reason recorded. */
const REVEAL_REFUSALS: Record<string, string> = {
  contested: 'two browsers asked for the user',
  'directory-unavailable': 'the directory did not answer',
  'directory-disabled': 'the user is disabled in the directory',
  'not-in-directory': 'the user is not in the directory',
  'user-cap': "the user reached the day's limit of passcodes",
  'agent-cap': "the agent reached the hour's limit of reveals",
  'verification-incomplete': "the caller's verification was not complete",
  'approval-required': 'a second approver had not approved yet',
  'not-claimed-by-you': 'someone else held the request',
  'invalid-state': 'the request could not be revealed in its state',
  'rate-limited': 'a limit was reached',
  unavailable: 'a service did not answer',
};

/** Why an agent sign-in failed. */
const LOGIN_FAILURES: Record<string, string> = {
  'unknown-user': 'no such agent',
  'bad-password': 'wrong password',
  disabled: 'the account is disabled',
  'bad-totp': 'wrong authenticator code',
};

/** Why a sign-in was refused. */
const SIGN_IN_REFUSALS: Record<string, string> = {
  'directory-disabled': 'the account is disabled in the directory',
  'not-in-directory': 'the account is not in the directory',
  'method-blocked': 'the help-desk method is blocked for the account',
};

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
const count = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined;
const list = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
/** ` (a, b)` or nothing. */
const aside = (...parts: (string | undefined | false)[]): string => {
  const kept = parts.filter((p): p is string => typeof p === 'string' && p !== '');
  return kept.length > 0 ? ` (${kept.join(', ')})` : '';
};
/** `: note` or nothing. */
const saying = (value: unknown): string => {
  const note = text(value);
  return note === undefined ? '' : `: ${note}`;
};
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const andList = (items: string[]): string =>
  items.length <= 1
    ? (items[0] ?? '')
    : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
const mail = (kind: unknown) => (text(kind) ? `a ${text(kind)} mail` : 'a mail');
const isoMinute = (ms: unknown): string | undefined =>
  typeof ms === 'number' && Number.isFinite(ms)
    ? `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`
    : undefined;

/** The entry in words. Every action the server records has its sentence; others get a plain one. */
export function auditWords(entry: WordedEntry, context: AuditWordsContext = {}): string {
  const who = actorName(entry.actor);
  const d = entry.details;
  const check = (id: unknown): string => {
    const checkId = text(id);
    if (checkId === undefined) return 'a check';
    return `'${context.checkLabel?.(checkId) ?? checkId}'`;
  };
  const reveal = (n: unknown) => (count(n) === undefined ? '' : ` (reveal #${count(n)})`);

  switch (entry.action) {
    // ── a request, from the user's side ──
    case 'request.submitted':
      return `${who} asked ${DESK(d.desk)} for a passcode${aside(
        text(d.reference) && `reference ${text(d.reference)}`,
        d.inDirectory === false && 'not in the directory',
        typeof d.risk === 'object' && d.risk !== null
          ? text((d.risk as { level?: unknown }).level) &&
              `${text((d.risk as { level?: unknown }).level)} risk`
          : undefined,
        text(d.contestedWith) && `while ${text(d.contestedWith)} was open`,
      )}`;
    case 'request.contested':
      return `${who} asked from a second browser while ${text(d.with) ?? 'another request'} was open: no passcode until one of them ends`;
    case 'request.refused':
      return `${who}'s request was refused: ${SIGN_IN_REFUSALS[text(d.reason) ?? ''] ?? text(d.reason) ?? 'no reason recorded'}`;
    case 'request.cancelled':
      return `${who} cancelled the request`;
    case 'request.superseded':
      return `${who} cancelled the request: ${d.sameBrowser === false ? 'a newer request from another browser replaced it' : 'a newer request replaced it'}`;
    case 'request.risk-flagged':
      return `${who} flagged the request as ${text(d.signal) ?? 'risky'}${text(d.with) ? ` (with ${text(d.with)})` : ''}`;
    case 'otp.wrong':
      return `${who} typed a wrong passcode`;
    case 'request.locked':
      return `${who} typed a wrong passcode too many times: the request is locked`;
    case 'request.completed':
      return `${who} typed the right passcode: the request is completed`;
    case 'request.expired':
      return `${who} expired the request`;

    // ── a request, from the help desk's side ──
    case 'request.claimed':
      return `${who} claimed the request`;
    case 'request.released':
      return `${who} released the request`;
    case 'request.taken-over':
      return `${who} took the request over${text(d.from) ? ` from ${text(d.from)}` : ''}`;
    case 'request.details-opened':
      return `${who} opened ${text(d.username) ? `${text(d.username)}'s` : 'the user’s'} directory details`;
    case 'request.check-recorded':
      return `${who} recorded ${check(d.checkId)}${saying(d.note)}`;
    case 'request.check-removed':
      return `${who} removed ${check(d.checkId)}`;
    case 'request.code-sent':
      return `${who} mailed a verification code for ${check(d.checkId)}${text(d.sentTo) ? ` to ${text(d.sentTo)}` : ''}${count(d.sends) !== undefined ? ` (send #${count(d.sends)})` : ''}`;
    case 'request.code-checked': {
      const result = text(d.result);
      return `${who} checked the code the caller read back${
        result === 'verified'
          ? `: right, ${check(d.checkId)} is recorded`
          : result === 'void'
            ? ': wrong, and the code is void after three wrong ones'
            : result === 'wrong'
              ? ': wrong'
              : ''
      }`;
    }
    case 'request.approval-requested':
      return `${who} asked for a second approver${saying(d.note)}`;
    case 'request.approved':
      return `${who} approved the reveal${text(d.holder) ? ` for ${text(d.holder)}` : ''}${saying(d.note)}`;
    case 'request.approval-refused':
      return `${who} refused to approve the reveal${text(d.holder) ? ` for ${text(d.holder)}` : ''}${saying(d.note)}`;
    case 'request.otp-revealed':
      return `${who} revealed a passcode${reveal(d.revealCount)}${text(d.approvedBy) ? `, approved by ${text(d.approvedBy)}` : ''}`;
    case 'request.reveal-refused': {
      const reason = text(d.reason);
      const why = (reason && REVEAL_REFUSALS[reason]) ?? reason ?? 'no reason recorded';
      const others = list(d.with);
      return `${who} was refused a reveal: ${why}${others.length > 0 ? ` (${andList(others)})` : ''}`;
    }
    case 'request.passcode-shown':
      return `${who} showed the passcode again${reveal(d.revealCount)}`;
    case 'request.denied':
      return `${who} denied the request${saying(d.reason)}`;
    case 'request.suspicious-caller':
      return `${who} reported a suspicious caller${saying(d.description)}`;
    case 'request.ended-suspicious-caller':
      return `${who}'s suspicious-caller report${text(d.reference) ? ` on ${text(d.reference)}` : ''} ended the request`;
    case 'request.ended-by-directory':
      return `${who} ended the request${saying(d.reason)}`;
    case 'request.ended-not-me':
      return `${who} said the sign-in was not theirs: the request ended`;

    // ── the end-user's sign-in ──
    case 'signin.completed':
      return `${who} signed in${d.desk === '1' || d.desk === '2' ? ` with ${DESK(d.desk)}` : ''}`;
    case 'signin.refused':
      return `${who === 'system' ? 'system refused the sign-in' : `${who}'s sign-in was refused`}: ${
        SIGN_IN_REFUSALS[text(d.reason) ?? ''] ?? text(d.reason) ?? 'no reason recorded'
      }${text(d.step) ? ` (at the ${text(d.step)} step)` : ''}`;
    case 'signin.password-failed':
      return `${who} typed a wrong password${text(d.step) ? ` (at the ${text(d.step)} step)` : ''}`;
    case 'signin.not-me': {
      const ended = count(d.endedRequests);
      return `${who} said a sign-in was not theirs: help-desk sign-in is blocked${ended ? `, ${plural(ended, 'request')} ended` : ''}`;
    }
    case 'persistent-token.revoked':
      return `${who} signed ${text(d.username) ?? 'the user'} out of every remembered browser`;
    case 'block.added':
      return `${who} blocked help-desk sign-in for ${text(d.username) ?? 'the user'}${aside(
        text(d.reason),
        isoMinute(d.until) && `until ${isoMinute(d.until)}`,
      )}`;
    case 'block.cleared':
      return `${who} cleared the block on ${text(d.username) ?? 'the user'}${saying(d.reason)}`;

    // ── agents ──
    case 'agent.login':
      return `${who} signed in to the console`;
    case 'agent.login-failed':
      return `${who} failed to sign in to the console${aside(LOGIN_FAILURES[text(d.reason) ?? ''] ?? text(d.reason))}`;
    case 'agent.logout':
      return `${who} signed out of the console`;
    case 'agent.created': {
      const desks = list(d.desks);
      return `${who} created the ${text(d.role) ?? 'agent'} account ${text(d.agent) ?? '(unnamed)'}${
        desks.length > 0 ? ` for ${desks.length === 1 ? 'desk' : 'desks'} ${andList(desks)}` : ''
      }`;
    }
    case 'agent.updated': {
      const changed = list(d.changed);
      return `${who} changed ${text(d.agent) ?? 'an agent'}${changed.length > 0 ? `: ${andList(changed)}` : ''}`;
    }
    case 'agent.totp-reset':
      return `${who} reset ${text(d.agent) ?? 'an agent'}'s authenticator app`;
    case 'agent.totp-enrolment-started':
      return `${who} began enrolling an authenticator app`;
    case 'agent.totp-enrolled':
      return `${who} enrolled an authenticator app`;
    case 'agent.totp-confirm-failed':
      return `${who} typed a wrong code while enrolling an authenticator app`;
    case 'authz.denied':
      return `${who} was refused${text(d.event) ? ` ${text(d.event)}` : text(d.route) ? ` ${text(d.route)}` : ''}${saying(d.message)}`;

    // ── settings, directory, mail ──
    case 'realm.updated': {
      const changed = list(d.changed);
      return `${who} changed the settings${changed.length > 0 ? `: ${andList(changed)}` : ''}`;
    }
    case 'realm.directory-updated':
      return `${who} changed the directory settings`;
    case 'realm.mail-updated':
      return `${who} changed the mail settings`;
    case 'directory.user-added':
      return `${who} added ${text(d.username) ?? 'a user'} to the directory`;
    case 'directory.user-updated': {
      const fields = list(d.fields);
      return `${who} changed ${text(d.username) ?? 'a user'}${fields.length > 0 ? `: ${andList(fields)}` : ''}`;
    }
    case 'directory.user-enabled':
      return `${who} enabled ${text(d.username) ?? 'a user'}`;
    case 'directory.user-disabled':
      return `${who} disabled ${text(d.username) ?? 'a user'}`;
    case 'directory.password-reset':
      return `${who} reset ${text(d.username) ?? 'a user'}'s password`;
    case 'directory.user-deleted':
      return `${who} deleted ${text(d.username) ?? 'a user'} from the directory`;
    case 'directory.imported':
      return `${who} imported ${plural(count(d.rows) ?? 0, 'user')} into the directory${aside(
        count(d.added) !== undefined && `${count(d.added)} new`,
        count(d.updated) !== undefined && `${count(d.updated)} changed`,
      )}`;
    case 'directory.exported':
      return `${who} exported the directory${count(d.users) !== undefined ? ` (${plural(count(d.users)!, 'user')})` : ''}`;
    case 'directory.unavailable':
      return `${who} found the directory${aside(text(d.source))} unavailable${saying(d.problem)}`;
    case 'directory.recovered':
      return `${who} found the directory${aside(text(d.source))} answering again`;
    case 'mail.sent':
      return `${who} sent ${mail(d.kind)} to ${andList(list(d.to)) || 'its recipients'}`;
    case 'mail.failed':
      return `${who} gave up sending ${mail(d.kind)} to ${andList(list(d.to)) || 'its recipients'}${
        count(d.attempts) !== undefined ? ` after ${plural(count(d.attempts)!, 'attempt')}` : ''
      }`;
    case 'audit.exported': {
      const filter = typeof d.filter === 'object' && d.filter !== null ? d.filter : {};
      const conditions = Object.entries(filter)
        .filter(([, v]) => typeof v === 'string' || typeof v === 'number')
        .map(([k, v]) => `${k} ${String(v)}`);
      return `${who} exported the audit log${text(d.format) ? ` as ${text(d.format)!.toUpperCase()}` : ''}${
        conditions.length > 0 ? ` (${conditions.join(', ')})` : ''
      }`;
    }
    case 'mail.tested':
      return `${who} sent a test mail${text(d.to) ? ` to ${text(d.to)}` : ''}: ${d.ok === true ? 'it was accepted' : 'it failed'}`;
    default:
      return genericWords(who, entry);
  }
}

/** An action without its own sentence: who, the action's name in words, and its simple details. */
function genericWords(who: string, entry: WordedEntry): string {
  const what = entry.action.replace(/[._-]+/g, ' ').trim();
  const details = Object.entries(entry.details)
    .filter(([, v]) => ['string', 'number', 'boolean'].includes(typeof v))
    .slice(0, 4)
    .map(([k, v]) => `${k}: ${String(v)}`);
  return `${who}: ${what}${details.length > 0 ? ` (${details.join(', ')})` : ''}`;
}
