// HMAC-SHA256 signed values for end-user cookies and CSRF tokens, each signature bound to its purpose.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { z } from 'zod';

export type SigningPurpose =
  'flow' | 'persistent-token' | 'csrf' | 'session-binding' | 'not-me-link';

export class CookieSigner {
  private readonly key: Buffer;

  constructor(hexKey: string) {
    this.key = Buffer.from(hexKey, 'hex');
  }

  mac(purpose: SigningPurpose, text: string): string {
    return createHmac('sha256', this.key).update(`${purpose}\n${text}`).digest('base64url');
  }

  /** `payload.signature`, both base64url; the payload is JSON. */
  sign(purpose: SigningPurpose, value: unknown): string {
    const payload = Buffer.from(JSON.stringify(value)).toString('base64url');
    return `${payload}.${this.mac(purpose, payload)}`;
  }

  /** The payload, parsed with `schema`, when the signature is right; undefined for anything else. */
  verify<T extends z.ZodType>(
    purpose: SigningPurpose,
    signed: string | undefined,
    schema: T,
  ): z.infer<T> | undefined {
    if (!signed || signed.length > 4096) return undefined;
    const dot = signed.indexOf('.');
    if (dot <= 0) return undefined;
    const payload = signed.slice(0, dot);
    if (!this.equal(signed.slice(dot + 1), this.mac(purpose, payload))) return undefined;
    try {
      const parsed = schema.safeParse(
        JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')),
      );
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }

  /** Constant-time comparison of two strings. */
  equal(a: string, b: string): boolean {
    const left = Buffer.from(a);
    const right = Buffer.from(b);
    return left.length === right.length && timingSafeEqual(left, right);
  }
}
