// Where an end-user is in the sign-in: a signed, httpOnly cookie bound to the browser session, so it survives restarts.
import type { Request, Response } from 'express';
import { z } from 'zod';
import { HelpDeskIdSchema } from '../contract/realm-config';
import type { RealmConfig, Workflow } from '../contract/realm-config';
import { cookieOptions, readCookie } from '../http/cookies';
import type { CookieSigner } from '../http/signed-cookie';

const FLOW_COOKIE = 'hd_flow';

const FlowSchema = z
  .object({
    v: z.literal(1),
    /** MAC of the browser session secret: a flow copied to another browser is worthless. */
    sid: z.string(),
    /** The username being signed in (normalised). */
    u: z.string().min(1).max(128),
    /** How the user was identified. */
    via: z.enum(['username', 'token']),
    /** The password was checked before the second factor. */
    pw: z.boolean(),
    /** The help-desk request this browser is following. */
    rid: z.string().optional(),
    /** The second factor is done: the request whose passcode was entered. */
    sf: z.object({ rid: z.string(), desk: HelpDeskIdSchema, at: z.number() }).strict().optional(),
    /** The sign-in is complete. */
    done: z
      .object({ desk: HelpDeskIdSchema, amr: z.array(z.string()), at: z.number() })
      .strict()
      .optional(),
    /** A message for the next page, shown once. */
    notice: z
      .object({ kind: z.enum(['cancelled']), reference: z.string().max(16) })
      .strict()
      .optional(),
    exp: z.number(),
  })
  .strict();
export type Flow = z.infer<typeof FlowSchema>;
export type FlowState = Omit<Flow, 'v' | 'sid' | 'exp'>;

/** How long a second factor stays good for the password step that follows it. */
export const SECOND_FACTOR_FRESH_MS = 15 * 60_000;

export const usesPersistentToken = (workflow: Workflow) => workflow.startsWith('persistent-token|');
export const passwordFirst = (workflow: Workflow) => workflow === 'username-password|second-factor';
export const passwordLast = (workflow: Workflow) => workflow.endsWith('|password');

export class FlowCookies {
  constructor(
    private readonly signer: CookieSigner,
    private readonly config: () => RealmConfig,
    private readonly now: () => number,
  ) {}

  private binding(sessionSecret: string): string {
    return this.signer.mac('session-binding', sessionSecret).slice(0, 22);
  }

  /** The flow when the cookie is genuine, unexpired and belongs to this browser session. */
  read(req: Request, sessionSecret: string): Flow | undefined {
    const flow = this.signer.verify('flow', readCookie(req, FLOW_COOKIE), FlowSchema);
    if (!flow || flow.exp <= this.now()) return undefined;
    return this.signer.equal(flow.sid, this.binding(sessionSecret)) ? flow : undefined;
  }

  write(req: Request, res: Response, sessionSecret: string, state: FlowState): Flow {
    const { requestTtlMinutes, otpPolicy } = this.config();
    // Long enough for a request to be claimed, verified and its passcode used, with room to spare.
    const exp = this.now() + (requestTtlMinutes + otpPolicy.ttlMinutes + 30) * 60_000;
    const flow: Flow = { v: 1, sid: this.binding(sessionSecret), ...state, exp };
    res.cookie(FLOW_COOKIE, this.signer.sign('flow', flow), cookieOptions(req));
    return flow;
  }

  clear(req: Request, res: Response): void {
    res.clearCookie(FLOW_COOKIE, cookieOptions(req));
  }
}

/** The flow's state without the envelope, ready to be changed and written back. */
export function stateOf(flow: Flow): FlowState {
  const { v: _v, sid: _sid, exp: _exp, ...state } = flow;
  return state;
}
