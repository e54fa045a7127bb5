// Choose a desk and send the request: the post that creates the help-desk request.
import type { Request, Response } from 'express';
import { Router } from 'express';
import { HelpDeskIdSchema } from '../../contract/realm-config';
import type { HelpRequest } from '../../domain/help-request';
import { isOpen } from '../../domain/help-request';
import { ServiceError } from '../../errors';
import { deviceOf } from '../../http/browser-session';
import { MethodBlockedError } from '../../requests/request-service';
import { readCookie } from '../../http/cookies';
import type { Flow } from '../flow';
import { stateOf } from '../flow';
import type { SignInContext } from '../flow-context';
import { FlowContext } from '../flow-context';
import { methodPage } from '../pages/method-page';
import type { FieldError } from '../pages/parts';
import { METHOD_COOKIE } from './completion';
import { DeskSchema } from './form-fields';
import type { StepDeps } from './step-deps';
import { sendPage } from './step-deps';

export function methodStep(deps: StepDeps): Router {
  const { context, requireCsrf, limits, requests } = deps;
  const router = Router();

  const render = (
    req: Request,
    res: Response,
    ctx: SignInContext,
    flow: Flow,
    status: number,
    errors: FieldError[],
  ) => {
    const { config } = ctx;
    if (requests.methodBlocked(flow.u)) {
      const page = methodPage({
        realm: config,
        csrf: ctx.csrf,
        step: context.step(ctx, 'method'),
        username: flow.u,
        viaToken: flow.via === 'token',
        selected: undefined,
        errors: [],
        blocked: true,
      });
      return sendPage(res, status === 200 ? 200 : 403, page);
    }
    const remembered = HelpDeskIdSchema.safeParse(readCookie(req, METHOD_COOKIE));
    const preferred = remembered.success ? remembered.data : undefined;
    const open = flow.rid ? requests.findForSession(flow.rid, ctx.sid) : undefined;
    // A notice is shown once.
    if (flow.notice) context.write(req, res, ctx, { ...stateOf(flow), notice: undefined });
    sendPage(
      res,
      status,
      methodPage({
        realm: config,
        csrf: ctx.csrf,
        step: context.step(ctx, 'method'),
        username: flow.u,
        viaToken: flow.via === 'token',
        selected: preferred && config.helpDesks[preferred].enabled ? preferred : undefined,
        errors,
        ...(flow.notice?.kind === 'cancelled' ? { cancelled: flow.notice.reference } : {}),
        ...(open && isOpen(open) && requests.endUserStatus(open).phase !== 'expired'
          ? { openRequest: { reference: open.reference } }
          : {}),
      }),
    );
  };

  router.get('/sign-in/method', (req, res) => {
    const ctx = context.read(req, res);
    const flow = context.identified(ctx);
    if (!flow) return res.redirect(303, '/sign-in');
    render(req, res, ctx, flow, 200, []);
  });

  router.post(
    '/sign-in/method',
    requireCsrf,
    context.load,
    context.requireIdentified,
    ...limits.request,
    async (req, res) => {
      const ctx = FlowContext.of(res);
      const flow = context.identified(ctx)!;
      const parsed = DeskSchema.safeParse(req.body);
      const desk = parsed.success ? parsed.data.desk : undefined;
      if (!desk || !ctx.config.helpDesks[desk].enabled)
        return render(req, res, ctx, flow, 422, [{ field: 'desk', message: 'Choose a help desk' }]);
      let request: HelpRequest;
      try {
        request = await requests.submit({
          username: flow.u,
          desk,
          sessionSecret: ctx.sid,
          deviceSecret: deviceOf(req),
          origin: {
            ip: req.ip ?? '',
            userAgent: String(req.headers['user-agent'] ?? '').slice(0, 300),
          },
        });
      } catch (error) {
        // Blocked meanwhile (or a form sent from an older page): the same neutral page.
        if (error instanceof MethodBlockedError) return render(req, res, ctx, flow, 403, []);
        if (error instanceof ServiceError && error.code === 'invalid-state')
          return render(req, res, ctx, flow, 409, [
            {
              field: 'desk',
              message: `${ctx.config.helpDesks[desk].name} isn't available right now; choose another desk`,
            },
          ]);
        throw error;
      }
      context.write(req, res, ctx, { u: flow.u, via: flow.via, pw: flow.pw, rid: request.id });
      res.redirect(303, '/sign-in/request');
    },
  );

  return router;
}
