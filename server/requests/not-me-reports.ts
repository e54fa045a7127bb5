// "This wasn't me": the signed, expiring, single-use link the user's notice mails carry, and what
// following it through does — ends the user's open requests, blocks the help-desk method for the
// account, signs out their remembered devices, audits it and alerts the admins at once.
import { z } from 'zod';
import type { AdminNotices } from '../agents/admin-notices';
import { normaliseUsername } from '../contract/username';
import type { PersistentTokens } from '../enduser/persistent-token';
import type { CookieSigner } from '../http/signed-cookie';
import { newId } from '../security/tokens';
import type { AuditLog, UsedLinkRepository } from '../store/repositories';
import type { MethodBlocks } from './method-blocks';
import type { RequestService } from './request-service';

/** How long a link works after the mail that carries it was written. */
export const NOT_ME_LINK_TTL_MS = 7 * 24 * 60 * 60_000;

const NotMeLinkSchema = z
  .object({
    /** Random: what makes the link single-use. */
    id: z.string().min(16).max(64),
    username: z.string().min(1).max(128),
    requestId: z.string().min(16).max(64),
    exp: z.number().int(),
  })
  .strict();
export type NotMeLink = z.infer<typeof NotMeLinkSchema>;

/** A link as read (before anything is done with it). */
export type NotMeReading =
  { status: 'valid'; link: NotMeLink } | { status: 'invalid' } | { status: 'expired' };

/** What following a link through came to. */
export type NotMeOutcome =
  | { status: 'reported'; link: NotMeLink; endedRequests: number }
  | { status: 'used' | 'invalid' | 'expired' };

export interface NotMeDeps {
  signer: CookieSigner;
  usedLinks: UsedLinkRepository;
  blocks: MethodBlocks;
  requests: RequestService;
  tokens: PersistentTokens;
  audit: AuditLog;
  notices: AdminNotices;
  now: () => number;
}

export class NotMeReports {
  constructor(private readonly deps: NotMeDeps) {}

  /** A new link token about this request of this user, for one mail. */
  token(username: string, requestId: string): string {
    const link: NotMeLink = {
      id: newId(),
      username: normaliseUsername(username),
      requestId,
      exp: this.deps.now() + NOT_ME_LINK_TTL_MS,
    };
    return this.deps.signer.sign('not-me-link', link);
  }

  /** Whether the token is one we signed and still in date. Changes nothing (mail scanners open links). */
  read(token: string | undefined): NotMeReading {
    const link = this.deps.signer.verify('not-me-link', token, NotMeLinkSchema);
    if (!link) return { status: 'invalid' };
    if (this.deps.now() >= link.exp) return { status: 'expired' };
    return { status: 'valid', link };
  }

  /** The user confirmed: acts once per link, whoever confirms it again or at the same time. */
  async report(token: string | undefined, ip: string): Promise<NotMeOutcome> {
    const reading = this.read(token);
    if (reading.status !== 'valid') return reading;
    const { link } = reading;
    const { usedLinks, blocks, requests, tokens, audit, notices, now } = this.deps;
    if (!(await usedLinks.use(link.id, link.exp))) return { status: 'used' };

    const actor = `user:${link.username}`;
    const reference = requests.find(link.requestId)?.reference;
    const about = reference ? `request ${reference}` : 'a help-desk sign-in';
    // The block first: from here no new request is taken for the account.
    await blocks.block({
      username: link.username,
      reason: 'not-me',
      detail: `The user said ${about} wasn't them.`,
      by: actor,
    });
    const endedRequests = await requests.endRequestsOf(
      link.username,
      "The user said this sign-in wasn't them.",
      actor,
      'request.ended-not-me',
    );
    // Whoever signed in as them may hold a remembered-device token: it stops working too.
    await tokens.revokePersistentTokens(link.username, actor);
    await audit.record({
      actor,
      action: 'signin.not-me',
      requestId: link.requestId,
      details: { ip, endedRequests, blocked: true },
    });
    notices.alert({
      id: newId(),
      kind: 'not-me',
      username: link.username,
      message: `${link.username} said ${about} wasn't them. Help-desk sign-in is blocked for the account until an admin clears it${endedRequests > 0 ? `; ${endedRequests} open request(s) were ended` : ''}.`,
      at: now(),
    });
    return { status: 'reported', link, endedRequests };
  }
}
