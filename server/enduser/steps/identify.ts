// Identify: the username (and the password, where the workflow asks it first) or a persistent token; and start over.
import { Router } from 'express';
import { isOpen } from '../../domain/help-request';
import { cookieOptions, readCookie } from '../../http/cookies';
import { passwordFirst, usesPersistentToken } from '../flow';
import type { SignInContext } from '../flow-context';
import { FlowContext } from '../flow-context';
import type { FieldError } from '../pages/parts';
import { startPage } from '../pages/start-page';
import { PERSISTENT_TOKEN_COOKIE } from '../persistent-token';
import { passwordFailed } from './completion';
import { PasswordSchema, UsernameSchema, firstIssue, formText } from './form-fields';
import type { StepDeps } from './step-deps';
import { sendPage } from './step-deps';

export function identifyStep(deps: StepDeps): Router {
  const { context, requireCsrf, limits, tokens, directory, requests } = deps;
  const router = Router();

  const startAgain = (ctx: SignInContext, username: string, errors: FieldError[]) =>
    startPage({
      realm: ctx.config,
      csrf: ctx.csrf,
      step: context.step(ctx, 'identify'),
      askPassword: passwordFirst(ctx.config.workflow),
      username,
      errors,
    });

  router.get('/sign-in', (req, res) => {
    const ctx = context.read(req, res);
    if (usesPersistentToken(ctx.config.workflow)) {
      const cookie = readCookie(req, PERSISTENT_TOKEN_COOKIE);
      const token = tokens.verify(cookie);
      if (token) {
        // Keep a flow already under way for this user (e.g. an open request); otherwise start one.
        if (!(ctx.flow?.via === 'token' && ctx.flow.u === token.sub))
          context.write(req, res, ctx, { u: token.sub, via: 'token', pw: false });
        return res.redirect(303, '/sign-in/method');
      }
      // Missing, expired, tampered or revoked: fall back to asking for the username.
      if (cookie) res.clearCookie(PERSISTENT_TOKEN_COOKIE, cookieOptions(req));
    }
    const username = ctx.flow?.via === 'username' ? ctx.flow.u : '';
    sendPage(res, 200, startAgain(ctx, username, []));
  });

  router.post('/sign-in', requireCsrf, context.load, ...limits.identify, async (req, res) => {
    const ctx = FlowContext.of(res);
    const askPassword = passwordFirst(ctx.config.workflow);
    const typed = formText(req.body, 'username').trim().slice(0, 128);
    const errors: FieldError[] = [];
    const username = UsernameSchema.safeParse(req.body?.username);
    if (!username.success)
      errors.push({
        field: 'username',
        message: firstIssue(username.error, 'Enter your username'),
      });
    const password = askPassword ? PasswordSchema.safeParse(req.body?.password) : undefined;
    if (password && !password.success)
      errors.push({
        field: 'password',
        message: firstIssue(password.error, 'Enter your password'),
      });
    if (!username.success || (password && !password.success))
      return sendPage(res, 422, startAgain(ctx, typed, errors));

    if (password?.success) {
      // Costs the same for known and unknown usernames, and fails with the same words.
      const ok = await directory.checkPassword(username.data, password.data);
      if (!ok) {
        await passwordFailed(deps, username.data, req, 'before-code');
        return sendPage(
          res,
          422,
          startAgain(ctx, typed, [
            { field: 'password', message: 'The username or password is not right.' },
          ]),
        );
      }
    }
    context.write(req, res, ctx, { u: username.data, via: 'username', pw: askPassword });
    res.redirect(303, '/sign-in/method');
  });

  router.post('/sign-in/restart', requireCsrf, context.load, async (req, res) => {
    const ctx = FlowContext.of(res);
    const open = context.current(ctx);
    if (open && isOpen(open.request))
      await requests.cancelByUser(open.request.id, ctx.sid).catch(() => undefined);
    context.clear(req, res);
    if (formText(req.body, 'forget') === '1')
      res.clearCookie(PERSISTENT_TOKEN_COOKIE, cookieOptions(req));
    res.redirect(303, '/sign-in');
  });

  return router;
}
