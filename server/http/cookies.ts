// Reads cookies from a request header; express 5 leaves them unparsed.
import type { Request } from 'express';

export function readCookie(req: Request, name: string): string | undefined {
  return cookieFromHeader(req.headers.cookie, name);
}

/** One cookie from a raw Cookie header (also what a socket.io handshake carries). */
export function cookieFromHeader(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}
