// Enter the code the agent read out; a right one completes the second factor, then the password or done.
import type { Response } from 'express';
import { Router } from 'express';
import type { EndUserPhase } from '../../contract/enduser';
import type { HelpRequest } from '../../domain/help-request';
import { normalizeOtpInput } from '../../domain/otp';
import { ServiceError } from '../../errors';
import type { RequestService } from '../../requests/request-service';
import type { Flow } from '../flow';
import { passwordLast, stateOf } from '../flow';
import type { SignInContext } from '../flow-context';
import { FlowContext, nextAfterCode } from '../flow-context';
import { codePage } from '../pages/code-page';
import { endedPage } from '../pages/ended-page';
import type { FieldError } from '../pages/parts';
import type { EndedPhase } from '../pages/phases';
import { accountRefused, completeSignIn } from './completion';
import { formText } from './form-fields';
import type { StepDeps } from './step-deps';
import { sendPage } from './step-deps';

const ENDED: readonly EndUserPhase[] = ['denied', 'cancelled', 'expired', 'locked'];
const isEnded = (phase: EndUserPhase): phase is EndedPhase => ENDED.includes(phase);

/** What is wrong with the code as typed, before it is checked; undefined when it is well formed. */
function codeProblem(digits: string, length: number): string | undefined {
  if (!digits) return 'Enter the code the agent read to you';
  if (!/^\d+$/.test(digits)) return 'The code is made of digits only';
  if (digits.length !== length)
    return `The code has ${length} digits; you entered ${digits.length}`;
  return undefined;
}

export function codeStep(deps: StepDeps): Router {
  const { context, requireCsrf, limits, requests, now } = deps;
  const router = Router();

  type Found = { flow: Flow; request: HelpRequest };

  const renderCode = (
    res: Response,
    ctx: SignInContext,
    found: Found,
    status: number,
    errors: FieldError[],
  ) => {
    const shown = requests.endUserStatus(found.request);
    sendPage(
      res,
      status,
      codePage({
        realm: ctx.config,
        csrf: ctx.csrf,
        step: context.step(ctx, 'code'),
        status: shown,
        errors,
        notIssuedYet: shown.phase !== 'code-ready' && errors.length === 0,
        now: now(),
      }),
    );
  };

  /** The code page once its request can no longer complete: why, and what to do next. */
  const renderEnded = (
    res: Response,
    ctx: SignInContext,
    request: HelpRequest,
    phase: EndedPhase,
    codeExpired: boolean,
  ) =>
    sendPage(
      res,
      200,
      endedPage({ realm: ctx.config, status: requests.endUserStatus(request), phase, codeExpired }),
    );

  router.get('/sign-in/code', (req, res) => {
    const ctx = context.read(req, res);
    const found = context.current(ctx);
    if (!found) return context.back(res, ctx);
    const { phase } = requests.endUserStatus(found.request);
    if (phase === 'completed') return res.redirect(303, nextAfterCode(ctx.config));
    if (isEnded(phase))
      return renderEnded(res, ctx, found.request, phase, found.request.state === 'otp-issued');
    renderCode(res, ctx, found, 200, []);
  });

  router.post(
    '/sign-in/code',
    requireCsrf,
    context.load,
    context.requireIdentified,
    ...limits.otp,
    async (req, res) => {
      const ctx = FlowContext.of(res);
      const found = context.current(ctx);
      if (!found) return context.back(res, ctx);
      const { config } = ctx;
      const digits = normalizeOtpInput(formText(req.body, 'otp').trim());
      const problem = codeProblem(digits, config.otpPolicy.length);
      if (problem) return renderCode(res, ctx, found, 422, [{ field: 'otp', message: problem }]);

      const hadCode = found.request.state === 'otp-issued';
      let outcome: Awaited<ReturnType<RequestService['submitOtp']>>;
      try {
        outcome = await requests.submitOtp(found.request.id, ctx.sid, digits);
      } catch (error) {
        if (!(error instanceof ServiceError) || error.code !== 'invalid-state') throw error;
        const latest = requests.findForSession(found.request.id, ctx.sid) ?? found.request;
        const { phase } = requests.endUserStatus(latest);
        if (isEnded(phase)) return renderEnded(res, ctx, latest, phase, hadCode);
        if (phase === 'completed') return res.redirect(303, nextAfterCode(config));
        return renderCode(res, ctx, { ...found, request: latest }, 409, [
          {
            field: 'otp',
            message: "The desk hasn't issued your code yet. Wait until the agent reads it to you.",
          },
        ]);
      }
      switch (outcome.result) {
        case 'wrong': {
          const left = outcome.attemptsLeft;
          const message = `That code isn't right. You have ${left} ${left === 1 ? 'attempt' : 'attempts'} left.`;
          return renderCode(res, ctx, { ...found, request: outcome.request }, 422, [
            { field: 'otp', message },
          ]);
        }
        case 'expired':
        case 'locked':
          return renderEnded(res, ctx, outcome.request, outcome.result, hadCode);
        case 'refused':
          // Ended and audited by the request service; the code was not accepted.
          return accountRefused(deps, req, res, config);
        case 'completed': {
          const flow: Flow = {
            ...found.flow,
            rid: undefined,
            sf: { rid: found.request.id, desk: found.request.desk, at: now() },
          };
          if (passwordLast(config.workflow)) {
            context.write(req, res, ctx, stateOf(flow));
            return res.redirect(303, '/sign-in/password');
          }
          return completeSignIn(deps, req, res, ctx, flow, found.request.desk, flow.pw);
        }
      }
    },
  );

  return router;
}
