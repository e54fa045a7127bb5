// Parses a request body with a zod schema: the handler gets typed data, bad input a 400 with field errors.
import type { Request } from 'express';
import type { z } from 'zod';
import { badRequest } from '../errors';

export function parseBody<T extends z.ZodType>(
  schema: T,
  req: Request,
  what = 'The request',
): z.infer<T> {
  const parsed = schema.safeParse(req.body ?? {});
  if (!parsed.success) throw badRequest(parsed.error, what);
  return parsed.data;
}
