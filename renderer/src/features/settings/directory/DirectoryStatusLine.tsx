// The directory's state as the server last reported it: answering or not, since when, and why not.
import { directorySelectors, useConsole } from '../../../store';

const SOURCE_NAMES = { embedded: 'Embedded directory', ldap: 'LDAP / Active Directory' } as const;

export function DirectoryStatusLine() {
  const status = useConsole(directorySelectors.status);
  if (!status) return null;
  const since = new Date(status.since).toLocaleString();
  const users =
    status.source === 'embedded'
      ? ` · ${status.embeddedUsers.toLocaleString()} user${status.embeddedUsers === 1 ? '' : 's'}`
      : '';
  return status.state === 'available' ? (
    <p className="directory-status" role="status">
      <span className="badge badge-enabled">Available</span>
      <span>
        {SOURCE_NAMES[status.source]}
        {users} · answering since {since}
      </span>
    </p>
  ) : (
    <div className="directory-status directory-status-down" role="status">
      <span className="badge badge-disabled">Unavailable</span>
      <span>
        {SOURCE_NAMES[status.source]} has not answered since {since}
        {status.problem ? `: ${status.problem}` : '.'} Sign-ins and reveals are refused until it
        answers.
      </span>
    </div>
  );
}
