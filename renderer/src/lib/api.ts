// The session's HTTP calls: sign in (POST /api/agent/session) and sign out (DELETE); the error shape
// every HTTP call of the console shares.
import type { AgentView, LoginBody } from '../../../server/contract/agents';
import type { ErrorCode, WireError } from '../../../server/contract/errors';

export interface SignedIn {
  token: string;
  expiresAt: number;
  agent: AgentView;
}

/** A refused or failed HTTP call, with the server's code and field messages where it sent them. */
export class ApiError extends Error {
  readonly code: ErrorCode | 'unreachable';
  readonly fields: Record<string, string> | undefined;

  constructor(code: ErrorCode | 'unreachable', message: string, fields?: Record<string, string>) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.fields = fields;
  }
}

export interface SessionApi {
  signIn(serverUrl: string, body: LoginBody): Promise<SignedIn>;
  signOut(serverUrl: string, token: string): Promise<void>;
}

const TIMEOUT_MS = 15_000;

async function call(serverUrl: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(`${serverUrl.replace(/\/+$/, '')}/api/agent/session`, {
      ...init,
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch {
    throw new ApiError(
      'unreachable',
      'Cannot reach the server. Check the connection and try again.',
    );
  }
}

/** The server's `{ error }` body as an ApiError, or one that says what status came back. */
export async function errorOf(response: Response): Promise<ApiError> {
  const body = (await response.json().catch(() => undefined)) as { error?: WireError } | undefined;
  if (body?.error) return new ApiError(body.error.code, body.error.message, body.error.fields);
  return new ApiError('internal', `The server answered ${response.status}.`);
}

export const sessionApi: SessionApi = {
  async signIn(serverUrl, body) {
    const response = await call(serverUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw await errorOf(response);
    const answer = (await response.json()) as { data?: SignedIn };
    if (!answer.data?.token) throw new ApiError('internal', 'The server sent no session.');
    return answer.data;
  },
  async signOut(serverUrl, token) {
    const response = await call(serverUrl, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${token}` },
    });
    if (!response.ok && response.status !== 401) throw await errorOf(response);
  },
};
