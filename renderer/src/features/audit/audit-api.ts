// The audit log's export over HTTP (a file, not a socket event): the filtered entries as CSV or JSONL,
// fetched with the admin's session token as a bearer, as the directory's export is.
import type { AuditExportFormat, AuditSearch } from '../../../../server/contract/history';
import { ApiError, errorOf } from '../../lib/api';
import { today } from '../history/records-ui';

export type AuditExportFilter = Omit<AuditSearch, 'offset' | 'limit'>;

export interface AuditExportFile {
  blob: Blob;
  fileName: string;
}

/** A large log streams for a while: give it time. */
const TIMEOUT_MS = 120_000;
const ACCEPT: Record<AuditExportFormat, string> = {
  csv: 'text/csv',
  jsonl: 'application/x-ndjson',
};

/** The export's address: the format, then the filter's conditions (moments as ms). */
export function auditExportPath(format: AuditExportFormat, filter: AuditExportFilter): string {
  const query = new URLSearchParams({ format });
  for (const [key, value] of Object.entries(filter))
    if (value !== undefined && value !== '') query.set(key, String(value));
  return `/api/audit/export?${query.toString()}`;
}

/** The file name a Content-Disposition header gives, if any. */
function fileNameOf(disposition: string | null): string | undefined {
  const match = disposition ? /filename="?([^";]+)"?/i.exec(disposition) : null;
  return match?.[1]?.trim() || undefined;
}

export async function exportAudit(
  serverUrl: string,
  token: string,
  format: AuditExportFormat,
  filter: AuditExportFilter,
): Promise<AuditExportFile> {
  let response: Response;
  try {
    response = await fetch(`${serverUrl.replace(/\/+$/, '')}${auditExportPath(format, filter)}`, {
      method: 'GET',
      headers: { authorization: `Bearer ${token}`, accept: ACCEPT[format] },
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'TimeoutError')
      throw new ApiError('unreachable', 'The server did not answer in time; try again.');
    throw new ApiError(
      'unreachable',
      'Cannot reach the server. Check the connection and try again.',
    );
  }
  if (!response.ok) throw await errorOf(response);
  return {
    blob: await response.blob(),
    fileName:
      fileNameOf(response.headers.get('content-disposition')) ?? `audit-log-${today()}.${format}`,
  };
}
