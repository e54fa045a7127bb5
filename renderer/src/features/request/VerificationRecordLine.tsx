// Who recorded a check and how: an agent's attestation (their word, with a note) or a code the server
// checked, which is stronger and looks it.
import type { RequestView } from '../../../../server/contract/request-view';

type VerificationRecord = RequestView['verification'][number];

const time = (at: number) => new Date(at).toLocaleTimeString();

export function VerificationRecordLine({
  record,
  flush = false,
}: {
  record: VerificationRecord;
  flush?: boolean;
}) {
  if (record.method === 'server-verified')
    return (
      <p className={`check-record check-record-server ${flush ? 'check-record-flush' : ''}`}>
        <span className="badge badge-server-verified">
          <span aria-hidden="true">✓</span>Verified by the server
        </span>{' '}
        <span>
          code read back to {record.by.username} at {time(record.at)}
        </span>
      </p>
    );
  return (
    <p className={`check-record ${flush ? 'check-record-flush' : ''}`}>
      {flush ? '' : 'Recorded by '}
      {record.by.username} at {time(record.at)}
      {record.note ? (
        <>
          {' — '}
          <q>{record.note}</q>
        </>
      ) : null}
    </p>
  );
}
