// Signed sign-in assertions (ES256 JWTs) for the realm's post-sign-in URL, and the JWKS that verifies them.
import type { CryptoKey, JWK } from 'jose';
import { SignJWT, calculateJwkThumbprint, importJWK } from 'jose';
import type { HelpDeskId } from '../contract/realm-config';
import { newId } from '../security/tokens';
import type { KeyRepository } from '../store/repositories';

/** Long enough for one redirect, short enough that a leaked URL is soon useless. */
const ASSERTION_LIFETIME_SECONDS = 120;

export interface AssertionClaims {
  username: string;
  desk: HelpDeskId;
  /** RFC 8176 method references: `otp`, plus `pwd` and `mfa` when a password was checked too. */
  amr: string[];
  /** The post-sign-in URL; its origin becomes the audience. */
  destination: string;
  /** This server's origin. */
  issuer: string;
}

interface LoadedKey {
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export class SignInAssertions {
  private loaded: Promise<LoadedKey> | undefined;

  constructor(
    private readonly keys: KeyRepository,
    private readonly now: () => number,
  ) {}

  /** The key pair from the store; a store from before assertions gets one, stored once. */
  private key(): Promise<LoadedKey> {
    this.loaded ??= (async () => {
      const jwk = await this.keys.assertionKey();
      const { d: _private, ...publicPart } = jwk;
      const kid = await calculateJwkThumbprint(publicPart);
      const privateKey = (await importJWK({ ...jwk, alg: 'ES256' }, 'ES256')) as CryptoKey;
      return { privateKey, publicJwk: { ...publicPart, kid, alg: 'ES256', use: 'sig' } };
    })();
    this.loaded.catch(() => (this.loaded = undefined));
    return this.loaded;
  }

  async jwks(): Promise<{ keys: JWK[] }> {
    return { keys: [(await this.key()).publicJwk] };
  }

  async sign(claims: AssertionClaims): Promise<string> {
    const { privateKey, publicJwk } = await this.key();
    const iat = Math.floor(this.now() / 1000);
    return new SignJWT({ amr: claims.amr, desk: claims.desk })
      .setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid: publicJwk.kid ?? '' })
      .setSubject(claims.username)
      .setIssuer(claims.issuer)
      .setAudience(new URL(claims.destination).origin)
      .setIssuedAt(iat)
      .setExpirationTime(iat + ASSERTION_LIFETIME_SECONDS)
      .setJti(newId())
      .sign(privateKey);
  }
}
