// Persistent tokens: a signed, httpOnly cookie naming the user, issued after a successful sign-in, revocable per user.
import { z } from 'zod';
import type { RealmConfig } from '../contract/realm-config';
import { normaliseUsername } from '../contract/username';
import { newId } from '../security/tokens';
import type { AuditLog, PersistentTokenRepository } from '../store/repositories';
import type { CookieSigner } from '../http/signed-cookie';

export const PERSISTENT_TOKEN_COOKIE = 'hd_pt';

const DAY = 24 * 60 * 60 * 1000;

const PersistentTokenSchema = z
  .object({
    sub: z.string().min(1).max(128),
    jti: z.string().min(16).max(64),
    iat: z.number().int(),
    exp: z.number().int(),
  })
  .strict();
export type PersistentToken = z.infer<typeof PersistentTokenSchema>;

export interface IssuedPersistentToken {
  value: string;
  maxAgeMs: number;
}

export class PersistentTokens {
  constructor(
    private readonly signer: CookieSigner,
    private readonly revocations: PersistentTokenRepository,
    private readonly audit: AuditLog,
    private readonly config: () => RealmConfig,
    private readonly now: () => number,
  ) {}

  issue(username: string): IssuedPersistentToken {
    const iat = this.now();
    const maxAgeMs = this.config().persistentToken.lifetimeDays * DAY;
    const token: PersistentToken = { sub: username, jti: newId(), iat, exp: iat + maxAgeMs };
    return { value: this.signer.sign('persistent-token', token), maxAgeMs };
  }

  /**
   * The token when it is genuine, unexpired (by its own expiry and by the realm's current lifetime,
   * which an admin may have shortened) and not revoked; otherwise undefined.
   */
  verify(value: string | undefined): PersistentToken | undefined {
    const token = this.signer.verify('persistent-token', value, PersistentTokenSchema);
    if (!token) return undefined;
    const now = this.now();
    const lifetime = this.config().persistentToken.lifetimeDays * DAY;
    if (now >= token.exp || now >= token.iat + lifetime) return undefined;
    const notBefore = this.revocations.notBefore(token.sub);
    if (notBefore !== undefined && token.iat <= notBefore) return undefined;
    return token;
  }

  /** Invalidates every persistent token issued to this user so far, on every device; audited. */
  async revokePersistentTokens(username: string, actor = 'system'): Promise<void> {
    const key = normaliseUsername(username);
    const at = this.now();
    await Promise.all([
      this.revocations.revokeUpTo(key, at),
      this.audit.record({ actor, action: 'persistent-token.revoked', details: { username: key } }),
    ]);
  }
}
