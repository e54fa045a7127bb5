// The agent console's first screen: is the server there, which version, is its storage healthy.
import { useEffect, useState } from 'react';
import { checkServerStatus, type ServerStatus } from './server-status';

const RECHECK_EVERY_MS = 15_000;

type View = { state: 'checking' } | ServerStatus;

export function App() {
  const [view, setView] = useState<View>({ state: 'checking' });
  const [checkRequest, setCheckRequest] = useState(0);

  useEffect(() => {
    let current = true;
    const check = () => {
      void checkServerStatus().then((status) => {
        if (current) setView(status);
      });
    };
    check();
    const timer = setInterval(check, RECHECK_EVERY_MS);
    return () => {
      current = false;
      clearInterval(timer);
    };
  }, [checkRequest]);

  return (
    <main className="status-page">
      <h1>Help Desk OTP</h1>
      <p className="subtitle">Agent console</p>
      <section className="status-card" aria-live="polite" aria-busy={view.state === 'checking'}>
        <StatusDetails view={view} />
      </section>
      <button type="button" onClick={() => setCheckRequest((n) => n + 1)}>
        Check again
      </button>
    </main>
  );
}

function StatusDetails({ view }: { view: View }) {
  switch (view.state) {
    case 'checking':
      return <p>Checking the server…</p>;
    case 'unreachable':
      return <p className="status-bad">Server unreachable</p>;
    case 'unexpected':
      return (
        <>
          <p className="status-bad">The server answered, but not with a health report.</p>
          <pre className="status-detail">{view.detail}</pre>
        </>
      );
    case 'up': {
      const { product, status, version, storage } = view.health;
      return (
        <dl className="status-list">
          <dt>Product</dt>
          <dd>{product}</dd>
          <dt>Server</dt>
          <dd className={status === 'ok' ? 'status-good' : 'status-bad'}>{status}</dd>
          <dt>Version</dt>
          <dd>{version}</dd>
          <dt>Storage</dt>
          <dd className={storage.status === 'ok' ? 'status-good' : 'status-bad'}>
            {storage.kind ? `${storage.status} (${storage.kind})` : storage.status}
          </dd>
        </dl>
      );
    }
  }
}
