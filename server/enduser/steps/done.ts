// Done: the signed-in page, or the hand-over to the post-sign-in URL with a one-time signed assertion
// (whose keys /.well-known/jwks.json publishes).
import { Router } from 'express';
import { donePage } from '../pages/done-page';
import type { StepDeps } from './step-deps';
import { sendPage } from './step-deps';

export function doneStep({ context, assertions }: StepDeps): Router {
  const router = Router();

  router.get('/sign-in/done', async (req, res) => {
    const ctx = context.read(req, res);
    const done = ctx.flow?.done;
    if (!ctx.flow || !done) return context.back(res, ctx);
    const destination = ctx.config.postSignInUrl;
    if (!destination) {
      return sendPage(
        res,
        200,
        donePage({ realm: ctx.config, username: ctx.flow.u, desk: done.desk }),
      );
    }
    const assertion = await assertions.sign({
      username: ctx.flow.u,
      desk: done.desk,
      amr: done.amr,
      destination,
      issuer: `${req.protocol}://${req.get('host') ?? 'localhost'}`,
    });
    const target = new URL(destination);
    target.searchParams.set('assertion', assertion);
    // One assertion per sign-in: the flow ends here, so a reload cannot mint another.
    context.clear(req, res);
    sendPage(
      res,
      200,
      donePage({
        realm: ctx.config,
        username: ctx.flow.u,
        desk: done.desk,
        redirect: { href: target.href, origin: target.origin },
      }),
    );
  });

  router.get('/.well-known/jwks.json', async (_req, res) => {
    res.set('Cache-Control', 'public, max-age=300').json(await assertions.jwks());
  });

  return router;
}
