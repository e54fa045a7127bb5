// Verify chain: the same check as `npm run audit:verify`, run on the server, its answer in words.
import { auditSelectors, useConsole, useConsoleStore } from '../../store';
import type { AuditVerifyState } from '../../store/audit-state';
import { formatMomentExact } from '../history/records-ui';

export function VerifyChain() {
  const store = useConsoleStore();
  const verify = useConsole(auditSelectors.verify);
  const running = verify.step === 'running';

  return (
    <section className="audit-tool" aria-labelledby="audit-verify-heading">
      <h2 id="audit-verify-heading" className="records-results-title">
        Hash chain
      </h2>
      <p className="muted audit-tool-desc">
        Reads the whole log and checks that every entry links to the one before.
      </p>
      <button
        type="button"
        className="button"
        disabled={running}
        onClick={() => void store.getState().verifyAudit()}
      >
        {running ? 'Verifying…' : 'Verify chain'}
      </button>
      <div role="status" className={`audit-verify ${verifyClass(verify)}`}>
        <VerifyOutcome verify={verify} />
      </div>
    </section>
  );
}

function verifyClass(verify: AuditVerifyState): string {
  if (verify.step === 'done')
    return verify.result.ok ? 'notice notice-success' : 'notice notice-error';
  if (verify.step === 'failed') return 'notice notice-error';
  return '';
}

function VerifyOutcome({ verify }: { verify: AuditVerifyState }) {
  switch (verify.step) {
    case 'idle':
      return null;
    case 'running':
      return <>Checking the hash chain…</>;
    case 'failed':
      return <>The check could not run: {verify.message}</>;
    case 'done': {
      const { result } = verify;
      if (result.ok)
        return (
          <>
            <strong>Chain intact:</strong> {result.entries.toLocaleString()}{' '}
            {result.entries === 1 ? 'entry' : 'entries'}, each linked to the one before (checked{' '}
            {formatMomentExact(verify.at)}).
            <span className="audit-hash">
              Last hash <code className="mono">{result.lastHash}</code>
            </span>
          </>
        );
      return (
        <>
          <strong>
            Chain broken at entry #{result.seq.toLocaleString()} (line{' '}
            {result.line.toLocaleString()}):
          </strong>{' '}
          {result.reason}. The {result.entries.toLocaleString()}{' '}
          {result.entries === 1 ? 'entry' : 'entries'} before it check out; this entry or one before
          it was changed or removed.
        </>
      );
    }
  }
}
