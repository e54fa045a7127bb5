// The banner while the link to the server is down, and a short note once it is back.
import { useNow } from '../../lib/ticker';
import { connectionSelectors, useConsole } from '../../store';

const RECOVERED_NOTE_MS = 6_000;

export function ConnectionBanner() {
  const lost = useConsole(connectionSelectors.isLost);
  const recoveredAt = useConsole(connectionSelectors.recoveredAt);
  if (lost) return <LostBanner />;
  if (recoveredAt) return <RecoveredNote at={recoveredAt} />;
  return null;
}

function LostBanner() {
  return (
    <div className="banner banner-offline" role="alert">
      <strong>Connection to the server lost.</strong> Reconnecting… Nothing you do now reaches the
      server; the queue reloads as soon as the connection is back.
    </div>
  );
}

function RecoveredNote({ at }: { at: number }) {
  const now = useNow();
  if (now - at > RECOVERED_NOTE_MS) return null;
  return (
    <div className="banner banner-online" role="status">
      Back online: the queue has been reloaded from the server.
    </div>
  );
}
