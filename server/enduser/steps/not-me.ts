// "This wasn't me": GET shows what confirming does and changes nothing (mail scanners open links);
// the confirming POST (CSRF-protected like every sign-in form) reports it, once per link.
import type { Response } from 'express';
import { Router } from 'express';
import { z } from 'zod';
import type { RealmConfig } from '../../contract/realm-config';
import { notMeConfirmPage, notMeDonePage } from '../pages/not-me-page';
import { problemPage } from '../pages/problem-pages';
import type { StepDeps } from './step-deps';
import { sendPage } from './step-deps';

/** The link's token, as the query or the form carries it. */
const TokenSchema = z.object({ t: z.string().max(4096) });
const tokenOf = (source: unknown) => {
  const parsed = TokenSchema.safeParse(source);
  return parsed.success ? parsed.data.t : undefined;
};

type LinkProblem = 'invalid' | 'expired' | 'used';

const PROBLEMS: Record<LinkProblem, { status: number; title: string; paragraphs: string[] }> = {
  invalid: {
    status: 400,
    title: "This link isn't valid",
    paragraphs: [
      'It may have been copied only in part. Nothing was changed.',
      'Open the link from the mail again, or contact your administrator.',
    ],
  },
  expired: {
    status: 410,
    title: 'This link has expired',
    paragraphs: [
      'Links in these mails work for 7 days. Nothing was changed.',
      "If someone else signed in as you, contact your administrator now and say it wasn't you.",
    ],
  },
  used: {
    status: 410,
    title: 'This link has already been used',
    paragraphs: [
      'Help-desk sign-in was already blocked for your account with it, and your administrators were alerted. Nothing more was changed.',
      'Contact your administrator if you need help.',
    ],
  },
};

function sendProblem(res: Response, realm: RealmConfig, problem: LinkProblem): void {
  const { status, title, paragraphs } = PROBLEMS[problem];
  sendPage(res, status, problemPage({ realm, title, paragraphs }));
}

export function notMeStep(deps: StepDeps): Router {
  const { context, requireCsrf, notMe } = deps;
  const router = Router();

  router.get('/sign-in/not-me', (req, res) => {
    // Issues the browser session the confirming form's CSRF token is bound to.
    const ctx = context.read(req, res);
    const token = tokenOf(req.query);
    const reading = notMe.read(token);
    if (reading.status !== 'valid') return sendProblem(res, ctx.config, reading.status);
    sendPage(
      res,
      200,
      notMeConfirmPage({
        realm: ctx.config,
        csrf: ctx.csrf,
        token: token ?? '',
        username: reading.link.username,
      }),
    );
  });

  router.post('/sign-in/not-me', requireCsrf, async (req, res) => {
    const config = deps.realm.config;
    const outcome = await notMe.report(tokenOf(req.body), req.ip ?? '');
    if (outcome.status !== 'reported') return sendProblem(res, config, outcome.status);
    sendPage(res, 200, notMeDonePage({ realm: config, username: outcome.link.username }));
  });

  return router;
}
