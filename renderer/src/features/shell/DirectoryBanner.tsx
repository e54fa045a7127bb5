// The banner while the directory does not answer: nobody can sign in and no passcode can be revealed.
import { directorySelectors, sessionSelectors, useConsole } from '../../store';

export function DirectoryBanner() {
  const status = useConsole(directorySelectors.status);
  const isAdmin = useConsole(sessionSelectors.isAdmin);
  if (status?.state !== 'unavailable') return null;
  return (
    <div className="banner banner-directory" role="alert">
      <strong>Directory unavailable</strong> — sign-ins and reveals are refused until it answers
      (down since {new Date(status.since).toLocaleTimeString()}).
      {isAdmin && status.problem ? (
        <span className="banner-detail"> Problem: {status.problem}. See Settings → Directory.</span>
      ) : null}
    </div>
  );
}
