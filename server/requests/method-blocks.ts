// Users for whom the help-desk method is blocked (they said "This wasn't me", or an admin did) until an
// admin clears it, with a reason for the record.
import type { MethodBlockView } from '../contract/mail';
import { normaliseUsername } from '../contract/username';
import { ServiceError } from '../errors';
import type { AuditLog, MethodBlock, MethodBlockRepository } from '../store/repositories';

/** What the user is told when the help-desk method is blocked for the account: nothing more. */
export const METHOD_BLOCKED_MESSAGE =
  "The help desk can't take a request for this account right now. Contact your administrator.";

/** A block holds until it lapses (a suspicious caller's) or an admin clears it. */
export function inForce(block: MethodBlock, now: number): boolean {
  return block.until === undefined || now < block.until;
}

export class MethodBlocks {
  constructor(
    private readonly deps: { blocks: MethodBlockRepository; audit: AuditLog; now: () => number },
  ) {}

  /** Every block in force, newest first (one that lapsed by itself is not shown). */
  list(): MethodBlockView[] {
    const now = this.deps.now();
    return [...this.deps.blocks.list()]
      .filter((block) => inForce(block, now))
      .sort((a, b) => b.at - a.at)
      .map((block) => ({ ...block, until: block.until ?? null }));
  }

  /** The user's block in force now, if any. */
  current(username: string): MethodBlock | undefined {
    const block = this.deps.blocks.get(normaliseUsername(username));
    return block && inForce(block, this.deps.now()) ? block : undefined;
  }

  /** Blocks the method for the user (replacing an earlier block's details); the caller audits why. */
  async block(input: Omit<MethodBlock, 'at' | 'username'> & { username: string }): Promise<void> {
    await this.deps.blocks.put({
      ...input,
      username: normaliseUsername(input.username),
      at: this.deps.now(),
    });
  }

  /** Clears the user's block, audited with the admin's reason; the user may ask the help desk again. */
  async clear(username: string, reason: string, actor: string): Promise<{ username: string }> {
    const user = normaliseUsername(username);
    const block = this.current(user);
    if (!block) throw new ServiceError('not-found', `The help desk is not blocked for ${user}.`);
    if (!(await this.deps.blocks.remove(user)))
      throw new ServiceError('not-found', `The help desk is not blocked for ${user}.`);
    await this.deps.audit.record({
      actor,
      action: 'block.cleared',
      details: { username: user, reason, blockedFor: block.reason, blockedAt: block.at },
    });
    return { username: user };
  }
}
