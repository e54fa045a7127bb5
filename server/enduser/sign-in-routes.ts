// The sign-in pages, one router per step: identify, choose a desk, follow the request, cancel, enter the
// code, the password where it comes last, done, and "This wasn't me". Composed here with what they share.
import type { RequestHandler } from 'express';
import { Router } from 'express';
import { CsrfTokens } from '../http/csrf';
import { FlowContext } from './flow-context';
import { answerWith } from './handled-answer';
import { problemPage } from './pages/problem-pages';
import { signInLimits } from './rate-limits';
import { cancelStep } from './steps/cancel';
import { codeStep } from './steps/code';
import { doneStep } from './steps/done';
import { identifyStep } from './steps/identify';
import { methodStep } from './steps/method';
import { notMeStep } from './steps/not-me';
import { passwordStep } from './steps/password';
import { requestStatusStep } from './steps/request-status';
import type { SignInDeps, StepDeps } from './steps/step-deps';

/** The paths these pages own (the HTML error pages answer for them too). */
export const isSignInPath = (path: string) =>
  path === '/' || path === '/sign-in' || path.startsWith('/sign-in/');

export function signInRoutes(deps: SignInDeps): Router {
  const { realm, logger } = deps;
  const csrf = new CsrfTokens(deps.signer);
  const context = new FlowContext({ ...deps, csrf });

  const formExpired: RequestHandler = (req, res) => {
    logger.warn(`refused a sign-in form without a valid CSRF token (${req.method} ${req.path})`);
    const page = problemPage({
      realm: realm.config,
      title: 'This form has expired',
      paragraphs: [
        'For your security, the form you sent could not be accepted. This happens when a page was open for a long time, was opened in another browser, or cookies are blocked.',
        'Nothing was changed. Make sure cookies are allowed for this site, then start again.',
      ],
      action: { href: '/sign-in', label: 'Start again' },
    });
    answerWith(res, 403).type('html').set('Cache-Control', 'no-store').send(page.value);
  };

  const steps: StepDeps = {
    ...deps,
    context,
    requireCsrf: csrf.require(formExpired),
    limits: signInLimits(realm, FlowContext.flowUser, deps.limitStores),
  };

  const router = Router();
  // The pages carry CSRF tokens and personal state: never cached.
  router.use((req, res, next) => {
    if (isSignInPath(req.path)) res.set('Cache-Control', 'no-store');
    next();
  });
  router.get('/', (_req, res) => res.redirect(302, '/sign-in'));
  router.use(
    identifyStep(steps),
    methodStep(steps),
    requestStatusStep(steps),
    cancelStep(steps),
    codeStep(steps),
    passwordStep(steps),
    doneStep(steps),
    notMeStep(steps),
  );
  return router;
}
