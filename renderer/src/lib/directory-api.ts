// The directory's two file calls over HTTP: CSV import (preview or commit) and CSV export, with the
// agent's session token as a bearer; files are not socket events.
import type { DirectoryImportAnswer } from '../../../server/contract/agent-events';
import { ApiError, errorOf } from './api';

/** What the server accepts in one import. */
export const IMPORT_MAX_BYTES = 10 * 1024 * 1024;

export interface ExportedFile {
  blob: Blob;
  fileName: string;
}

export interface DirectoryApi {
  /** Checks (`commit: false`) or imports a CSV file of directory users. */
  importCsv(
    serverUrl: string,
    token: string,
    file: Blob,
    commit: boolean,
  ): Promise<DirectoryImportAnswer>;
  exportCsv(serverUrl: string, token: string): Promise<ExportedFile>;
}

/** A large import is parsed, checked and written in one call: give it time. */
const TIMEOUT_MS = 120_000;
const DEFAULT_EXPORT_NAME = 'directory-users.csv';

async function call(serverUrl: string, path: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(`${serverUrl.replace(/\/+$/, '')}${path}`, {
      ...init,
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
}

/** The file name a Content-Disposition header gives, if any. */
function fileNameOf(disposition: string | null): string | undefined {
  const match = disposition ? /filename="?([^";]+)"?/i.exec(disposition) : null;
  return match?.[1]?.trim() || undefined;
}

export const directoryApi: DirectoryApi = {
  async importCsv(serverUrl, token, file, commit) {
    const response = await call(serverUrl, `/api/directory/import?commit=${String(commit)}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'text/csv',
        accept: 'application/json',
      },
      body: file,
    });
    if (!response.ok) throw await errorOf(response);
    const answer = (await response.json()) as { data?: DirectoryImportAnswer };
    if (!answer.data) throw new ApiError('internal', 'The server sent no import result.');
    return answer.data;
  },

  async exportCsv(serverUrl, token) {
    const response = await call(serverUrl, '/api/directory/export', {
      method: 'GET',
      headers: { authorization: `Bearer ${token}`, accept: 'text/csv' },
    });
    if (!response.ok) throw await errorOf(response);
    return {
      blob: await response.blob(),
      fileName: fileNameOf(response.headers.get('content-disposition')) ?? DEFAULT_EXPORT_NAME,
    };
  },
};
