// The one error type services throw: a wire error code, a message for people, optional field messages.
import type { z } from 'zod';
import type { ErrorCode, WireError } from './contract/errors';

export class ServiceError extends Error {
  /** The refusal already has its own audit entry, so the transport does not add a generic one. */
  readonly audited: boolean;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly fields?: Record<string, string>,
    options: { audited?: boolean } = {},
  ) {
    super(message);
    this.name = 'ServiceError';
    this.audited = options.audited ?? false;
  }

  toWire(): WireError {
    return {
      code: this.code,
      message: this.message,
      ...(this.fields ? { fields: this.fields } : {}),
    };
  }
}

/** Field messages keyed by dotted path, first message per field. */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.map(String).join('.') || '_';
    fields[key] ??= issue.message;
  }
  return fields;
}

export function badRequest(error: z.ZodError, what = 'The request'): ServiceError {
  const fields = fieldErrors(error);
  const summary = Object.entries(fields)
    .slice(0, 3)
    .map(([k, m]) => (k === '_' ? m : `${k}: ${m}`))
    .join('; ');
  return new ServiceError('bad-request', `${what} is not valid: ${summary}`, fields);
}

/** Anything thrown, as a wire error; unexpected errors are not described to the client. */
export function toWireError(error: unknown): WireError {
  if (error instanceof ServiceError) return error.toWire();
  return { code: 'internal', message: 'Something went wrong on the server; it has been logged.' };
}
