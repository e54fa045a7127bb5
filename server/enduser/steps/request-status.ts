// The request page: the reference to give the desk, how to reach it, and the request's status (live with JavaScript).
import { Router } from 'express';
import { nextAfterCode } from '../flow-context';
import { requestPage } from '../pages/request-page';
import type { StepDeps } from './step-deps';
import { sendPage } from './step-deps';

export function requestStatusStep({ context, requests, now }: StepDeps): Router {
  const router = Router();

  router.get('/sign-in/request', (req, res) => {
    const ctx = context.read(req, res);
    const found = context.current(ctx);
    if (!found) return context.back(res, ctx);
    sendPage(
      res,
      200,
      requestPage({
        realm: ctx.config,
        csrf: ctx.csrf,
        step: context.step(ctx, 'request'),
        username: found.flow.u,
        status: requests.endUserStatus(found.request),
        continueHref: nextAfterCode(ctx.config),
        now: now(),
      }),
    );
  });

  return router;
}
