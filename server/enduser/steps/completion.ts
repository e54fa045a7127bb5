// How a sign-in ends: completed (token, remembered desk, audit, on to done), or refused because the
// directory, read live, no longer has the user enabled.
import type { Request, Response } from 'express';
import type { HelpDeskId, RealmConfig } from '../../contract/realm-config';
import { cookieOptions } from '../../http/cookies';
import type { Flow } from '../flow';
import type { SignInContext } from '../flow-context';
import { problemPage } from '../pages/problem-pages';
import { PERSISTENT_TOKEN_COOKIE } from '../persistent-token';
import type { StepDeps } from './step-deps';
import { sendPage } from './step-deps';

/** The desk of the last successful sign-in on this browser, preselected next time. */
export const METHOD_COOKIE = 'hd_method';
const METHOD_COOKIE_MAX_AGE = 400 * 24 * 60 * 60 * 1000;

export async function completeSignIn(
  deps: StepDeps,
  req: Request,
  res: Response,
  ctx: SignInContext,
  flow: Flow,
  desk: HelpDeskId,
  passwordChecked: boolean,
): Promise<void> {
  const amr = passwordChecked ? ['pwd', 'otp', 'mfa'] : ['otp'];
  const issued = deps.tokens.issue(flow.u);
  res.cookie(PERSISTENT_TOKEN_COOKIE, issued.value, cookieOptions(req, issued.maxAgeMs));
  res.cookie(METHOD_COOKIE, desk, cookieOptions(req, METHOD_COOKIE_MAX_AGE));
  await deps.audit.record({
    actor: `user:${flow.u}`,
    action: 'signin.completed',
    ...(flow.sf ? { requestId: flow.sf.rid } : {}),
    details: {
      desk,
      workflow: ctx.config.workflow,
      identifiedBy: flow.via,
      amr,
      ip: req.ip ?? '',
    },
  });
  deps.context.write(req, res, ctx, {
    u: flow.u,
    via: flow.via,
    pw: flow.pw,
    done: { desk, amr, at: deps.now() },
  });
  res.redirect(303, '/sign-in/done');
}

/**
 * The directory, read live, no longer has this user enabled: the sign-in ends here with a page that
 * says so plainly (not "wrong password"), and the flow starts over.
 */
export function accountRefused(
  deps: StepDeps,
  req: Request,
  res: Response,
  config: RealmConfig,
): void {
  deps.context.clear(req, res);
  sendPage(
    res,
    403,
    problemPage({
      realm: config,
      title: "This account can't be signed in right now",
      paragraphs: ['Contact your administrator.'],
      action: { href: '/sign-in', label: 'Back to the start' },
    }),
  );
}

export async function passwordFailed(
  deps: StepDeps,
  username: string,
  req: Request,
  step: 'before-code' | 'after-code',
): Promise<void> {
  await deps.audit.record({
    actor: `user:${username}`,
    action: 'signin.password-failed',
    details: { step, ip: req.ip ?? '' },
  });
}
