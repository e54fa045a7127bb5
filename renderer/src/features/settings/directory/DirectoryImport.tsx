// CSV import and export of the embedded directory: the format, a file checked first (counts, errors
// by line and column, a sample), imported only when clean; generated passwords offered once.
import { useId, useRef, useState } from 'react';
import type { DirectoryImportResult } from '../../../../../server/contract/directory';
import { DIRECTORY_CSV_COLUMNS } from '../../../../../server/contract/directory';
import { csvText, saveFile } from '../../../lib/download';
import { directorySelectors, useConsole, useConsoleStore } from '../../../store';

/** More errors than this are summed up: the admin fixes the file and checks it again. */
const ERRORS_SHOWN = 100;

const EXAMPLE = [
  DIRECTORY_CSV_COLUMNS.join(','),
  'jdoe,Jane Doe,jane.doe@example.com,+14155550123,E1001,Finance,msmith,true,false,',
  'rlee,Robin Lee,robin.lee@example.com,(415) 555-0188,E1002,Sales,jdoe,true,true,generate',
].join('\n');

export function DirectoryImport() {
  const store = useConsoleStore();
  const state = useConsole(directorySelectors.importState);
  const picker = useRef<HTMLInputElement>(null);
  const pickerId = useId();
  const [exporting, setExporting] = useState(false);
  const [exportError, setExportError] = useState<string | null>(null);
  // A newcomer sees the format at once; later it stays folded away.
  const [formatOpen] = useState(() => directorySelectors.isEmptyEmbedded(store.getState()));

  const exportCsv = async () => {
    setExporting(true);
    setExportError(null);
    const outcome = await store.getState().exportUsers();
    setExporting(false);
    if (outcome.ok) saveFile(outcome.blob, outcome.fileName);
    else setExportError(outcome.message);
  };
  const startOver = () => {
    store.getState().resetImport();
    if (picker.current) picker.current.value = '';
  };

  return (
    <section className="settings-card" aria-labelledby="directory-import-heading">
      <header className="settings-card-head">
        <h2 id="directory-import-heading" className="settings-card-title">
          Import and export users
        </h2>
        <p className="settings-card-desc">
          A CSV file with a header row, UTF-8, up to 10 MB. A row whose username exists replaces
          that user; nothing is imported until the whole file is free of errors.
        </p>
      </header>
      <div className="settings-card-body">
        <details className="csv-format" open={formatOpen}>
          <summary>Columns and an example</summary>
          <p>
            Columns, in this order:{' '}
            {DIRECTORY_CSV_COLUMNS.map((column, index) => (
              <span key={column}>
                {index > 0 ? ', ' : ''}
                <code>{column}</code>
              </span>
            ))}
            . Only <code>username</code> and <code>displayName</code> must have a value;{' '}
            <code>enabled</code> and <code>privileged</code> are <code>true</code> or{' '}
            <code>false</code>; phone numbers without a +country code are read as the default
            country’s. In <code>password</code>, write <code>generate</code> to have one made (shown
            to you once, for download), or a password of 12 characters or more; leave it empty to
            keep a user’s password (a new user then has none until you reset it).
          </p>
          <pre className="csv-example" aria-label="Example CSV file">
            {EXAMPLE}
          </pre>
        </details>

        <div className="import-pick">
          <div className="field">
            <label htmlFor={pickerId}>CSV file to import</label>
            <input
              id={pickerId}
              ref={picker}
              type="file"
              accept=".csv,text/csv"
              disabled={state.step === 'checking' || state.step === 'importing'}
              onChange={(e) => {
                const file = e.target.files?.[0];
                if (file) void store.getState().previewImport(file);
              }}
              // Cleared on opening, so that choosing the same file again once fixed checks it again.
              onClick={(e) => {
                e.currentTarget.value = '';
              }}
            />
          </div>
          <button
            type="button"
            className="button"
            disabled={exporting}
            onClick={() => void exportCsv()}
          >
            {exporting ? 'Exporting…' : 'Export CSV'}
          </button>
        </div>
        {exportError ? (
          <p className="notice notice-error" role="alert">
            Not exported: {exportError}
          </p>
        ) : null}

        <div aria-live="polite">
          {state.step === 'checking' ? (
            <p className="notice notice-info">Checking {state.fileName}…</p>
          ) : null}
          {state.step === 'failed' ? (
            <p className="notice notice-error">
              {state.fileName}: {state.message}
            </p>
          ) : null}
          {state.step === 'preview' || state.step === 'importing' ? (
            <ImportPreview
              fileName={state.file.name}
              result={state.result}
              importing={state.step === 'importing'}
              error={state.step === 'preview' ? state.error : undefined}
              onImport={() => void store.getState().commitImport()}
              onCancel={startOver}
            />
          ) : null}
          {state.step === 'done' ? <ImportDone result={state.result} onDone={startOver} /> : null}
        </div>
        <GeneratedPasswords />
      </div>
    </section>
  );
}

function ImportPreview(props: {
  fileName: string;
  result: DirectoryImportResult;
  importing: boolean;
  error: string | undefined;
  onImport: () => void;
  onCancel: () => void;
}) {
  const { result } = props;
  const errors = result.errors;
  const clean = errors.length === 0 && result.rows > 0;
  return (
    <div className="import-preview" role="region" aria-label="Import preview">
      <h3 className="section-title">Preview of {props.fileName}</h3>
      <dl className="import-counts">
        <div>
          <dt>Rows</dt>
          <dd>{result.rows.toLocaleString()}</dd>
        </div>
        <div>
          <dt>To add</dt>
          <dd>{result.added.toLocaleString()}</dd>
        </div>
        <div>
          <dt>To replace</dt>
          <dd>{result.updated.toLocaleString()}</dd>
        </div>
        <div className={errors.length ? 'is-bad' : undefined}>
          <dt>Errors</dt>
          <dd>{errors.length.toLocaleString()}</dd>
        </div>
      </dl>
      {errors.length > 0 ? (
        <>
          <p className="notice notice-error">
            Fix these rows in the file and choose it again: nothing is imported while any row has an
            error.
          </p>
          <div className="table-scroll table-scroll-short">
            <table className="data-table" aria-label="Rows with errors">
              <thead>
                <tr>
                  <th scope="col">Line</th>
                  <th scope="col">Column</th>
                  <th scope="col">Problem</th>
                </tr>
              </thead>
              <tbody>
                {errors.slice(0, ERRORS_SHOWN).map((error, index) => (
                  <tr key={index}>
                    <td className="mono">{error.line}</td>
                    <td className="mono">{error.column ?? '—'}</td>
                    <td>{error.message}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {errors.length > ERRORS_SHOWN ? (
            <p className="field-hint">
              …and {(errors.length - ERRORS_SHOWN).toLocaleString()} more.
            </p>
          ) : null}
        </>
      ) : result.rows === 0 ? (
        <p className="notice notice-warn">The file has no rows below its header.</p>
      ) : null}
      {result.sample.length > 0 ? (
        <>
          <h4 className="subsection-title">First rows, as they will be stored</h4>
          <div className="table-scroll">
            <table className="data-table" aria-label="Sample of the import">
              <thead>
                <tr>
                  <th scope="col">Username</th>
                  <th scope="col">Name</th>
                  <th scope="col">Email</th>
                  <th scope="col">Phone</th>
                  <th scope="col">Department</th>
                  <th scope="col">Enabled</th>
                  <th scope="col">Privileged</th>
                </tr>
              </thead>
              <tbody>
                {result.sample.map((user) => (
                  <tr key={user.username}>
                    <td className="mono">{user.username}</td>
                    <td>{user.displayName}</td>
                    <td>{user.email}</td>
                    <td className="mono">{user.phone}</td>
                    <td>{user.department}</td>
                    <td>{user.enabled ? 'Yes' : 'No'}</td>
                    <td>{user.privileged ? 'Yes' : 'No'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      ) : null}
      {props.error ? (
        <p className="notice notice-error" role="alert">
          {props.error}
        </p>
      ) : null}
      <div className="dialog-actions import-actions">
        <button
          type="button"
          className="button"
          disabled={props.importing}
          onClick={props.onCancel}
        >
          Cancel
        </button>
        <button
          type="button"
          className="button button-primary"
          disabled={!clean || props.importing}
          onClick={props.onImport}
        >
          {props.importing
            ? 'Importing…'
            : `Import ${result.rows.toLocaleString()} user${result.rows === 1 ? '' : 's'}`}
        </button>
      </div>
    </div>
  );
}

function ImportDone({ result, onDone }: { result: DirectoryImportResult; onDone: () => void }) {
  return (
    <div className="notice notice-success notice-row" role="status">
      <span>
        Imported {result.rows.toLocaleString()} row{result.rows === 1 ? '' : 's'}:{' '}
        {result.added.toLocaleString()} added, {result.updated.toLocaleString()} replaced.
      </span>
      <button type="button" className="button button-link" onClick={onDone}>
        Import another file
      </button>
    </div>
  );
}

/** Generated passwords, once: a CSV to download, then they are gone from the console too. */
function GeneratedPasswords() {
  const store = useConsoleStore();
  const passwords = useConsole(directorySelectors.importPasswords);
  if (passwords.length === 0) return null;
  const download = () => {
    const text = csvText([
      ['username', 'password'],
      ...passwords.map(({ username, password }) => [username, password]),
    ]);
    saveFile(new Blob([text], { type: 'text/csv' }), 'generated-passwords.csv');
  };
  return (
    <div className="notice notice-warn generated-passwords" role="alert">
      <p>
        <strong>
          {passwords.length.toLocaleString()} password{passwords.length === 1 ? ' was' : 's were'}{' '}
          generated.
        </strong>{' '}
        Download them now: they are not stored in clear and will not be shown again. Keep the file
        safe and delete it once the users have their passwords.
      </p>
      <div className="dialog-actions">
        <button type="button" className="button button-primary" onClick={download}>
          Download passwords (CSV)
        </button>
        <button
          type="button"
          className="button"
          onClick={() => store.getState().forgetImportPasswords()}
        >
          Done, forget them
        </button>
      </div>
    </div>
  );
}
