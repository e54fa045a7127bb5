// Export: the entries the filters shown select, as CSV (for a spreadsheet) or JSONL (each entry as the
// log holds it), downloaded with the admin's token; the file is named with the day.
import { useState } from 'react';
import type { AuditExportFormat } from '../../../../server/contract/history';
import { saveFile } from '../../lib/download';
import { auditSelectors, useConsole, useConsoleStore } from '../../store';
import { auditFilterOf } from '../../store/audit-slice';
import { messageOf } from '../../store/types';
import { exportAudit } from './audit-api';

type ExportState =
  | { step: 'idle' }
  | { step: 'running'; format: AuditExportFormat }
  | { step: 'done'; fileName: string }
  | { step: 'failed'; message: string };

const FORMAT_NAMES: Record<AuditExportFormat, string> = { csv: 'CSV', jsonl: 'JSONL' };

export function AuditExport() {
  const store = useConsoleStore();
  const total = useConsole(auditSelectors.total);
  const status = useConsole(auditSelectors.status);
  const [state, setState] = useState<ExportState>({ step: 'idle' });
  const running = state.step === 'running';

  const download = async (format: AuditExportFormat) => {
    const { serverUrl, token, auditFilters } = store.getState();
    if (!token) {
      setState({ step: 'failed', message: 'Sign in again to export.' });
      return;
    }
    setState({ step: 'running', format });
    try {
      const file = await exportAudit(serverUrl, token, format, auditFilterOf(auditFilters));
      saveFile(file.blob, file.fileName);
      setState({ step: 'done', fileName: file.fileName });
    } catch (error) {
      setState({ step: 'failed', message: messageOf(error) });
    }
  };

  return (
    <section className="audit-tool" aria-labelledby="audit-export-heading">
      <h2 id="audit-export-heading" className="records-results-title">
        Export
      </h2>
      <p className="muted audit-tool-desc">
        {status === 'ready'
          ? `The ${total.toLocaleString()} ${total === 1 ? 'entry' : 'entries'} the filters below select, oldest first.`
          : 'The entries the filters below select, oldest first.'}
      </p>
      <div className="audit-export-actions">
        {(['csv', 'jsonl'] as const).map((format) => (
          <button
            key={format}
            type="button"
            className="button"
            disabled={running}
            onClick={() => void download(format)}
          >
            {state.step === 'running' && state.format === format
              ? 'Exporting…'
              : `Export ${FORMAT_NAMES[format]}`}
          </button>
        ))}
      </div>
      <p
        role="status"
        className={`audit-export-outcome ${state.step === 'failed' ? 'text-bad' : 'muted'}`}
      >
        {state.step === 'done'
          ? `Saved ${state.fileName}.`
          : state.step === 'failed'
            ? state.message
            : ''}
      </p>
    </section>
  );
}
