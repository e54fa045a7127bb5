// Audit (admins only): the tamper-evident log filtered by actor, action, request and date, each entry
// in words with its details on demand, newest first and paged; the hash chain's check; the export.
import { useEffect } from 'react';
import { useConsoleStore } from '../../store';
import { AuditEntries } from './AuditEntries';
import { AuditExport } from './AuditExport';
import { AuditSearchForm } from './AuditSearchForm';
import { VerifyChain } from './VerifyChain';

export function AuditPage() {
  const store = useConsoleStore();

  useEffect(() => {
    const state = store.getState();
    void state.searchAudit(state.auditFilters, state.auditOffset);
  }, [store]);

  return (
    <main className="records" aria-labelledby="audit-heading">
      <div className="records-inner">
        <h1 id="audit-heading" className="page-title">
          Audit log
        </h1>
        <p className="page-lede">
          Every request step, sign-in, refusal and settings change, newest first. Each entry is
          chained to the one before by its hash, so a changed or removed entry shows.
        </p>
        <div className="audit-tools">
          <VerifyChain />
          <AuditExport />
        </div>
        <AuditSearchForm />
        <AuditEntries />
      </div>
    </main>
  );
}
