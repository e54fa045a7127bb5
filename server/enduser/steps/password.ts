// The password after the code, in the workflows that ask it last; the directory is read again first.
import type { Request } from 'express';
import { Router } from 'express';
import type { DirectoryRefusal } from '../../directory/directory';
import { directoryRefusal } from '../../directory/directory';
import type { AwaitingPassword, SignInContext } from '../flow-context';
import { FlowContext } from '../flow-context';
import type { FieldError } from '../pages/parts';
import { passwordPage } from '../pages/password-page';
import { accountRefused, completeSignIn, passwordFailed } from './completion';
import { PasswordSchema, firstIssue } from './form-fields';
import type { StepDeps } from './step-deps';
import { sendPage } from './step-deps';

export function passwordStep(deps: StepDeps): Router {
  const { context, requireCsrf, limits, directory, audit } = deps;
  const router = Router();

  const page = (ctx: SignInContext, flow: AwaitingPassword, errors: FieldError[]) =>
    passwordPage({
      realm: ctx.config,
      csrf: ctx.csrf,
      step: context.step(ctx, 'password'),
      username: flow.u,
      errors,
    });

  const signInRefused = async (flow: AwaitingPassword, req: Request, reason: DirectoryRefusal) => {
    await audit.record({
      actor: `user:${flow.u}`,
      action: 'signin.refused',
      requestId: flow.sf.rid,
      details: { reason, step: 'password', ip: req.ip ?? '' },
    });
  };

  router.get('/sign-in/password', (req, res) => {
    const ctx = context.read(req, res);
    const flow = context.awaitingPassword(ctx);
    if (!flow) return context.back(res, ctx);
    sendPage(res, 200, page(ctx, flow, []));
  });

  router.post(
    '/sign-in/password',
    requireCsrf,
    context.load,
    ...limits.password,
    async (req, res) => {
      const ctx = FlowContext.of(res);
      const flow = context.awaitingPassword(ctx);
      if (!flow) return context.back(res, ctx);
      const password = PasswordSchema.safeParse(req.body?.password);
      if (!password.success)
        return sendPage(
          res,
          422,
          page(ctx, flow, [
            { field: 'password', message: firstIssue(password.error, 'Enter your password') },
          ]),
        );
      // Read now, not at the code step: the account may have been disabled or removed since.
      const refusal = directoryRefusal(await directory.findUser(flow.u));
      if (refusal) {
        await signInRefused(flow, req, refusal);
        return accountRefused(deps, req, res, ctx.config);
      }
      if (!(await directory.checkPassword(flow.u, password.data))) {
        await passwordFailed(deps, flow.u, req, 'after-code');
        return sendPage(
          res,
          422,
          page(ctx, flow, [{ field: 'password', message: 'That password is not right.' }]),
        );
      }
      return completeSignIn(deps, req, res, ctx, flow, flow.sf.desk, true);
    },
  );

  return router;
}
