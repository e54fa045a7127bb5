// The one error handler, last in the chain: service errors keep their code, the database out of reach
// is a 503, anything else is a logged 500.
import type { ErrorRequestHandler } from 'express';
import { isStoreUnavailable, STORE_UNAVAILABLE_MESSAGE } from '../cluster/shared-store';
import type { ErrorCode } from '../contract/errors';
import { ServiceError, toWireError } from '../errors';
import type { Logger } from '../logger';

const STATUS: Record<ErrorCode, number> = {
  'bad-request': 400,
  unauthenticated: 401,
  'totp-required': 401,
  forbidden: 403,
  'not-found': 404,
  'invalid-state': 409,
  'already-claimed': 409,
  'not-claimed-by-you': 409,
  'verification-incomplete': 409,
  'approval-required': 409,
  contested: 409,
  'unknown-check': 400,
  'not-due': 409,
  conflict: 409,
  'rate-limited': 429,
  unavailable: 503,
  internal: 500,
};

export function statusFor(code: ErrorCode): number {
  return STATUS[code];
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, _req, res, _next) => {
    // Body parser errors (malformed JSON, too large) carry their own status.
    const status = (error as { status?: number; type?: string }).status;
    if (
      !(error instanceof ServiceError) &&
      typeof status === 'number' &&
      status >= 400 &&
      status < 500
    ) {
      const message =
        status === 413 ? 'The request body is too large.' : 'The request body is not valid JSON.';
      res.status(status).json({ error: { code: 'bad-request', message } });
      return;
    }
    if (isStoreUnavailable(error)) {
      // The database is out of reach: nothing was decided, and a retry shortly will work.
      res
        .status(503)
        .set('Retry-After', '60')
        .json({ error: { code: 'unavailable', message: STORE_UNAVAILABLE_MESSAGE } });
      return;
    }
    if (!(error instanceof ServiceError)) logger.error('request failed', error);
    const wire = toWireError(error);
    res.status(statusFor(wire.code)).json({ error: wire });
  };
}
