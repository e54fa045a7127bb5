// Cancel the request from its page (or the code page); choosing a desk again says it was cancelled.
import { Router } from 'express';
import { isOpen } from '../../domain/help-request';
import { ServiceError } from '../../errors';
import type { FlowState } from '../flow';
import { FlowContext } from '../flow-context';
import type { StepDeps } from './step-deps';

export function cancelStep({ context, requireCsrf, requests }: StepDeps): Router {
  const router = Router();

  router.post('/sign-in/cancel', requireCsrf, context.load, async (req, res) => {
    const ctx = FlowContext.of(res);
    const found = context.current(ctx);
    if (!found) return context.back(res, ctx);
    let notice: FlowState['notice'];
    if (isOpen(found.request)) {
      try {
        await requests.cancelByUser(found.request.id, ctx.sid);
        notice = { kind: 'cancelled', reference: found.request.reference };
      } catch (error) {
        // Closed meanwhile (e.g. it expired): there is nothing left to cancel.
        if (!(error instanceof ServiceError)) throw error;
      }
    }
    const { u, via, pw } = found.flow;
    context.write(req, res, ctx, { u, via, pw, notice });
    res.redirect(303, '/sign-in/method');
  });

  return router;
}
