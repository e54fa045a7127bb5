// The sign-in pages: identify (username, password or persistent token), choose a desk, follow the request, enter the code, finish.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { Router } from 'express';
import { z } from 'zod';
import type { AuditLog } from '../store/repositories';
import type { EndUserRequestStatus } from '../contract/enduser';
import type { HelpDeskId, RealmConfig, Workflow } from '../contract/realm-config';
import { HelpDeskIdSchema } from '../contract/realm-config';
import { normaliseUsername, usernameOf } from '../contract/username';
import type { Directory, DirectoryRefusal } from '../directory/directory';
import { directoryRefusal } from '../directory/directory';
import type { HelpRequest } from '../domain/help-request';
import { isOpen } from '../domain/help-request';
import { normalizeOtpInput } from '../domain/otp';
import { deadlineOf } from '../domain/request-lifecycle';
import { ServiceError } from '../errors';
import { SESSION_COOKIE, browserSession } from '../http/browser-session';
import { cookieOptions, readCookie } from '../http/cookies';
import type { Logger } from '../logger';
import type { RealmService } from '../realm/realm-service';
import type { RequestService } from '../requests/request-service';
import type { SignInAssertions } from './assertion';
import type { Flow, FlowCookies, FlowState } from './flow';
import {
  SECOND_FACTOR_FRESH_MS,
  passwordFirst,
  passwordLast,
  stateOf,
  usesPersistentToken,
} from './flow';
import type { SafeHtml } from './html';
import type { EndedPhase, FieldError, Step } from './pages';
import {
  codePage,
  donePage,
  endedPage,
  methodPage,
  passwordPage,
  problemPage,
  requestPage,
  startPage,
} from './pages';
import type { PersistentTokens } from './persistent-token';
import { PERSISTENT_TOKEN_COOKIE } from './persistent-token';
import type { LimitKey, LimitSpec } from './rate-limits';
import { SIGN_IN_LIMITS, pageLimiter } from './rate-limits';
import type { CookieSigner } from './signed-cookie';

/** The desk of the last successful sign-in on this browser, preselected next time. */
export const METHOD_COOKIE = 'hd_method';
const METHOD_COOKIE_MAX_AGE = 400 * 24 * 60 * 60 * 1000;

export interface SignInDeps {
  requests: RequestService;
  realm: RealmService;
  directory: Directory;
  signer: CookieSigner;
  flows: FlowCookies;
  tokens: PersistentTokens;
  assertions: SignInAssertions;
  audit: AuditLog;
  logger: Logger;
  now: () => number;
}

interface Context {
  sid: string;
  config: RealmConfig;
  csrf: string;
  flow: Flow | undefined;
}

// ── form bodies ────────────────────────────────────────────────────────────────────────────────

const UsernameSchema = z
  .string({ error: 'Enter your username' })
  .overwrite(normaliseUsername)
  .min(1, 'Enter your username')
  .max(128, 'A username has at most 128 characters')
  .regex(/^[\p{L}\p{N}._@+-]+$/u, 'A username has only letters, digits and . _ @ + -');
const PasswordSchema = z
  .string({ error: 'Enter your password' })
  .min(1, 'Enter your password')
  .max(256, 'A password has at most 256 characters');
const DeskSchema = z.object({ desk: HelpDeskIdSchema }, { error: 'Choose a help desk' });

const text = (body: unknown, key: string): string => {
  const value = (body as Record<string, unknown> | undefined)?.[key];
  return typeof value === 'string' ? value : '';
};

type StepName = 'identify' | 'method' | 'request' | 'code' | 'password';

function stepOf(workflow: Workflow, flow: Flow | undefined, name: StepName): Step {
  const steps: StepName[] = [];
  if (flow?.via !== 'token') steps.push('identify');
  steps.push('method', 'request', 'code');
  if (passwordLast(workflow)) steps.push('password');
  return { current: steps.indexOf(name) + 1, total: steps.length };
}

/** What the end-user's page shows: a request whose deadline passed reads as expired before the sweep closes it. */
function displayStatus(
  requests: RequestService,
  request: HelpRequest,
  now: number,
): EndUserRequestStatus {
  const status = requests.endUserStatus(request);
  return isOpen(request) && deadlineOf(request) <= now ? { ...status, phase: 'expired' } : status;
}

/** The paths these pages own (the HTML error pages answer for them too). */
export const isSignInPath = (path: string) =>
  path === '/' || path === '/sign-in' || path.startsWith('/sign-in/');

const ENDED: readonly string[] = ['denied', 'cancelled', 'expired', 'locked'];
const isEnded = (phase: string): phase is EndedPhase => ENDED.includes(phase);

export function signInRoutes(deps: SignInDeps): Router {
  const { requests, realm, directory, signer, flows, tokens, assertions, audit, logger, now } =
    deps;
  const router = Router();

  const send = (res: Response, status: number, page: SafeHtml) => {
    res.status(status).type('html').send(page.value);
  };

  const context = (req: Request, res: Response): Context => {
    const sid = browserSession(req, res);
    return { sid, config: realm.config, csrf: signer.mac('csrf', sid), flow: flows.read(req, sid) };
  };
  const ctxOf = (res: Response) => res.locals.ctx as Context;
  const load: RequestHandler = (req, res, next) => {
    res.locals.ctx = context(req, res);
    next();
  };

  /** Double-submit token bound to the session cookie: a POST without it changes nothing. */
  const csrf: RequestHandler = (req, res, next) => {
    const sid = readCookie(req, SESSION_COOKIE);
    const sent = text(req.body, '_csrf');
    if (sid && sent && signer.equal(sent, signer.mac('csrf', sid))) return next();
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
    res.status(403).type('html').set('Cache-Control', 'no-store').send(page.value);
  };

  const byIp = (spec: LimitSpec) => pageLimiter(realm, spec);
  const byUser = (spec: LimitSpec, key: LimitKey) => pageLimiter(realm, spec, key);
  const flowUser: LimitKey = (_req, res) => {
    const u = (res.locals.ctx as Context | undefined)?.flow?.u;
    return u ? `user:${u}` : undefined;
  };
  const bodyUser: LimitKey = (req) => {
    const u = usernameOf(req.body)?.slice(0, 128);
    return u ? `user:${u}` : undefined;
  };
  const identifyLimits = [
    byIp(SIGN_IN_LIMITS.identify.ip),
    byUser(SIGN_IN_LIMITS.identify.user, bodyUser),
  ];
  const passwordLimits = [
    byIp(SIGN_IN_LIMITS.identify.ip),
    byUser(SIGN_IN_LIMITS.identify.user, flowUser),
  ];
  const requestLimits = [
    byIp(SIGN_IN_LIMITS.request.ip),
    byUser(SIGN_IN_LIMITS.request.user, flowUser),
  ];
  const otpLimits = [byIp(SIGN_IN_LIMITS.otp.ip), byUser(SIGN_IN_LIMITS.otp.user, flowUser)];

  /** Identified far enough to choose a desk (in the password-first workflow, the password is checked). */
  const identified = (ctx: Context): Flow | undefined => {
    const { flow, config } = ctx;
    if (!flow) return undefined;
    if (passwordFirst(config.workflow) && !flow.pw) return undefined;
    return flow;
  };

  /** This browser's current request, when it still exists. */
  const current = (ctx: Context): { flow: Flow; request: HelpRequest } | undefined => {
    const flow = identified(ctx);
    if (!flow?.rid) return undefined;
    const request = requests.findForSession(flow.rid, ctx.sid);
    return request ? { flow, request } : undefined;
  };

  const back = (res: Response, ctx: Context) =>
    res.redirect(303, identified(ctx) ? '/sign-in/method' : '/sign-in');

  /** Only mutating steps need a guard of their own; the rest redirect through `back`. */
  const requireIdentified = (req: Request, res: Response, next: NextFunction) => {
    if (identified(ctxOf(res))) return next();
    res.redirect(303, '/sign-in');
  };

  const nextAfterCode = (config: RealmConfig) =>
    passwordLast(config.workflow) ? '/sign-in/password' : '/sign-in/done';

  const complete = async (
    req: Request,
    res: Response,
    ctx: Context,
    flow: Flow,
    desk: HelpDeskId,
    passwordChecked: boolean,
  ) => {
    const amr = passwordChecked ? ['pwd', 'otp', 'mfa'] : ['otp'];
    const issued = tokens.issue(flow.u);
    res.cookie(PERSISTENT_TOKEN_COOKIE, issued.value, cookieOptions(req, issued.maxAgeMs));
    res.cookie(METHOD_COOKIE, desk, cookieOptions(req, METHOD_COOKIE_MAX_AGE));
    await audit.record({
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
    flows.write(req, res, ctx.sid, {
      u: flow.u,
      via: flow.via,
      pw: flow.pw,
      done: { desk, amr, at: now() },
    });
    res.redirect(303, '/sign-in/done');
  };

  /**
   * The directory, read live, no longer has this user enabled: the sign-in ends here with a page that
   * says so plainly (not "wrong password"), and the flow starts over.
   */
  const accountRefused = (req: Request, res: Response, config: RealmConfig) => {
    flows.clear(req, res);
    send(
      res,
      403,
      problemPage({
        realm: config,
        title: "This account can't be signed in right now",
        paragraphs: ['Contact your administrator.'],
        action: { href: '/sign-in', label: 'Back to the start' },
      }),
    );
  };

  const signInRefused = (
    username: string,
    req: Request,
    reason: DirectoryRefusal,
    requestId: string | undefined,
  ) =>
    audit.record({
      actor: `user:${username}`,
      action: 'signin.refused',
      ...(requestId ? { requestId } : {}),
      details: { reason, step: 'password', ip: req.ip ?? '' },
    });

  const passwordFailed = (username: string, req: Request, step: 'before-code' | 'after-code') =>
    audit.record({
      actor: `user:${username}`,
      action: 'signin.password-failed',
      details: { step, ip: req.ip ?? '' },
    });

  // The pages carry CSRF tokens and personal state: never cached.
  router.use((req, res, next) => {
    if (isSignInPath(req.path)) res.set('Cache-Control', 'no-store');
    next();
  });

  router.get('/', (_req, res) => res.redirect(302, '/sign-in'));

  // ── identify ──────────────────────────────────────────────────────────────────────────────

  router.get('/sign-in', (req, res) => {
    const ctx = context(req, res);
    const { workflow } = ctx.config;
    if (usesPersistentToken(workflow)) {
      const cookie = readCookie(req, PERSISTENT_TOKEN_COOKIE);
      const token = tokens.verify(cookie);
      if (token) {
        // Keep a flow already under way for this user (e.g. an open request); otherwise start one.
        if (!(ctx.flow?.via === 'token' && ctx.flow.u === token.sub))
          flows.write(req, res, ctx.sid, { u: token.sub, via: 'token', pw: false });
        return res.redirect(303, '/sign-in/method');
      }
      // Missing, expired, tampered or revoked: fall back to asking for the username.
      if (cookie) res.clearCookie(PERSISTENT_TOKEN_COOKIE, cookieOptions(req));
    }
    const flow = ctx.flow?.via === 'username' ? ctx.flow : undefined;
    send(
      res,
      200,
      startPage({
        realm: ctx.config,
        csrf: ctx.csrf,
        step: stepOf(workflow, undefined, 'identify'),
        askPassword: passwordFirst(workflow),
        username: flow?.u ?? '',
        errors: [],
      }),
    );
  });

  router.post('/sign-in', csrf, load, ...identifyLimits, async (req, res) => {
    const ctx = ctxOf(res);
    const { workflow } = ctx.config;
    const askPassword = passwordFirst(workflow);
    const typed = text(req.body, 'username').trim().slice(0, 128);
    const errors: FieldError[] = [];
    const username = UsernameSchema.safeParse(req.body?.username);
    if (!username.success)
      errors.push({
        field: 'username',
        message: username.error.issues[0]?.message ?? 'Enter your username',
      });
    const password = askPassword ? PasswordSchema.safeParse(req.body?.password) : undefined;
    if (password && !password.success)
      errors.push({
        field: 'password',
        message: password.error.issues[0]?.message ?? 'Enter your password',
      });
    const again = (status: number, errs: FieldError[]) =>
      send(
        res,
        status,
        startPage({
          realm: ctx.config,
          csrf: ctx.csrf,
          step: stepOf(workflow, undefined, 'identify'),
          askPassword,
          username: typed,
          errors: errs,
        }),
      );
    if (!username.success || (password && !password.success)) return again(422, errors);

    if (password?.success) {
      // Costs the same for known and unknown usernames, and fails with the same words.
      const ok = await directory.checkPassword(username.data, password.data);
      if (!ok) {
        await passwordFailed(username.data, req, 'before-code');
        return again(422, [
          { field: 'password', message: 'The username or password is not right.' },
        ]);
      }
    }
    flows.write(req, res, ctx.sid, { u: username.data, via: 'username', pw: askPassword });
    res.redirect(303, '/sign-in/method');
  });

  router.post('/sign-in/restart', csrf, load, async (req, res) => {
    const ctx = ctxOf(res);
    const open = current(ctx);
    if (open && isOpen(open.request))
      await requests.cancelByUser(open.request.id, ctx.sid).catch(() => undefined);
    flows.clear(req, res);
    if (text(req.body, 'forget') === '1')
      res.clearCookie(PERSISTENT_TOKEN_COOKIE, cookieOptions(req));
    res.redirect(303, '/sign-in');
  });

  // ── choose a desk ─────────────────────────────────────────────────────────────────────────

  const renderMethod = (
    req: Request,
    res: Response,
    ctx: Context,
    flow: Flow,
    status: number,
    errors: FieldError[],
    selected?: HelpDeskId,
  ) => {
    const { config } = ctx;
    const remembered = HelpDeskIdSchema.safeParse(readCookie(req, METHOD_COOKIE));
    const preferred = selected ?? (remembered.success ? remembered.data : undefined);
    const open = flow.rid ? requests.findForSession(flow.rid, ctx.sid) : undefined;
    if (flow.notice) flows.write(req, res, ctx.sid, { ...stateOf(flow), notice: undefined });
    send(
      res,
      status,
      methodPage({
        realm: config,
        csrf: ctx.csrf,
        step: stepOf(config.workflow, flow, 'method'),
        username: flow.u,
        viaToken: flow.via === 'token',
        selected: preferred && config.helpDesks[preferred].enabled ? preferred : undefined,
        errors,
        ...(flow.notice?.kind === 'cancelled' ? { cancelled: flow.notice.reference } : {}),
        ...(open && isOpen(open) && displayStatus(requests, open, now()).phase !== 'expired'
          ? { openRequest: { reference: open.reference } }
          : {}),
      }),
    );
  };

  router.get('/sign-in/method', (req, res) => {
    const ctx = context(req, res);
    const flow = identified(ctx);
    if (!flow) return res.redirect(303, '/sign-in');
    renderMethod(req, res, ctx, flow, 200, []);
  });

  router.post(
    '/sign-in/method',
    csrf,
    load,
    requireIdentified,
    ...requestLimits,
    async (req, res) => {
      const ctx = ctxOf(res);
      const flow = identified(ctx) as Flow;
      const parsed = DeskSchema.safeParse(req.body);
      const desk = parsed.success ? parsed.data.desk : undefined;
      if (!desk || !ctx.config.helpDesks[desk].enabled)
        return renderMethod(req, res, ctx, flow, 422, [
          { field: 'desk', message: 'Choose a help desk' },
        ]);
      let request: HelpRequest;
      try {
        request = await requests.submit({
          username: flow.u,
          desk,
          sessionSecret: ctx.sid,
          origin: {
            ip: req.ip ?? '',
            userAgent: String(req.headers['user-agent'] ?? '').slice(0, 300),
          },
        });
      } catch (error) {
        if (error instanceof ServiceError && error.code === 'invalid-state')
          return renderMethod(req, res, ctx, flow, 409, [
            {
              field: 'desk',
              message: `${ctx.config.helpDesks[desk].name} isn't available right now; choose another desk`,
            },
          ]);
        throw error;
      }
      const state: FlowState = { u: flow.u, via: flow.via, pw: flow.pw, rid: request.id };
      flows.write(req, res, ctx.sid, state);
      res.redirect(303, '/sign-in/request');
    },
  );

  // ── follow the request ────────────────────────────────────────────────────────────────────

  router.get('/sign-in/request', (req, res) => {
    const ctx = context(req, res);
    const found = current(ctx);
    if (!found) return back(res, ctx);
    send(
      res,
      200,
      requestPage({
        realm: ctx.config,
        csrf: ctx.csrf,
        step: stepOf(ctx.config.workflow, found.flow, 'request'),
        username: found.flow.u,
        status: displayStatus(requests, found.request, now()),
        continueHref: nextAfterCode(ctx.config),
      }),
    );
  });

  router.post('/sign-in/cancel', csrf, load, async (req, res) => {
    const ctx = ctxOf(res);
    const found = current(ctx);
    if (!found) return back(res, ctx);
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
    flows.write(req, res, ctx.sid, {
      u: found.flow.u,
      via: found.flow.via,
      pw: found.flow.pw,
      notice,
    });
    res.redirect(303, '/sign-in/method');
  });

  // ── enter the code ────────────────────────────────────────────────────────────────────────

  const renderCode = (
    res: Response,
    ctx: Context,
    found: { flow: Flow; request: HelpRequest },
    status: number,
    errors: FieldError[],
  ) => {
    const shown = displayStatus(requests, found.request, now());
    send(
      res,
      status,
      codePage({
        realm: ctx.config,
        csrf: ctx.csrf,
        step: stepOf(ctx.config.workflow, found.flow, 'code'),
        status: shown,
        errors,
        notIssuedYet: shown.phase !== 'code-ready' && errors.length === 0,
      }),
    );
  };

  const renderEnded = (
    res: Response,
    config: RealmConfig,
    request: HelpRequest,
    phase: EndedPhase,
    codeExpired: boolean,
  ) =>
    send(
      res,
      200,
      endedPage({ realm: config, status: requests.endUserStatus(request), phase, codeExpired }),
    );

  router.get('/sign-in/code', (req, res) => {
    const ctx = context(req, res);
    const found = current(ctx);
    if (!found) return back(res, ctx);
    const shown = displayStatus(requests, found.request, now());
    if (shown.phase === 'completed') return res.redirect(303, nextAfterCode(ctx.config));
    if (isEnded(shown.phase))
      return renderEnded(
        res,
        ctx.config,
        found.request,
        shown.phase,
        found.request.state === 'otp-issued',
      );
    renderCode(res, ctx, found, 200, []);
  });

  router.post('/sign-in/code', csrf, load, requireIdentified, ...otpLimits, async (req, res) => {
    const ctx = ctxOf(res);
    const found = current(ctx);
    if (!found) return back(res, ctx);
    const { config } = ctx;
    const digits = normalizeOtpInput(text(req.body, 'otp').trim());
    const length = config.otpPolicy.length;
    const problem = !digits
      ? 'Enter the code the agent read to you'
      : !/^\d+$/.test(digits)
        ? 'The code is made of digits only'
        : digits.length !== length
          ? `The code has ${length} digits; you entered ${digits.length}`
          : undefined;
    if (problem) return renderCode(res, ctx, found, 422, [{ field: 'otp', message: problem }]);

    const hadCode = found.request.state === 'otp-issued';
    let outcome: Awaited<ReturnType<RequestService['submitOtp']>>;
    try {
      outcome = await requests.submitOtp(found.request.id, ctx.sid, digits);
    } catch (error) {
      if (!(error instanceof ServiceError) || error.code !== 'invalid-state') throw error;
      const latest = requests.findForSession(found.request.id, ctx.sid) ?? found.request;
      const phase = displayStatus(requests, latest, now()).phase;
      if (isEnded(phase)) return renderEnded(res, config, latest, phase, hadCode);
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
        return renderEnded(res, config, outcome.request, outcome.result, hadCode);
      case 'refused':
        // Ended and audited by the request service; the code was not accepted.
        return accountRefused(req, res, config);
      case 'completed': {
        const flow: Flow = {
          ...found.flow,
          rid: undefined,
          sf: { rid: found.request.id, desk: found.request.desk, at: now() },
        };
        if (passwordLast(config.workflow)) {
          flows.write(req, res, ctx.sid, stateOf(flow));
          return res.redirect(303, '/sign-in/password');
        }
        return complete(req, res, ctx, flow, found.request.desk, flow.pw);
      }
    }
  });

  // ── password after the code ──────────────────────────────────────────────────────────────

  /** The flow when the code was entered recently and the workflow asks for the password last. */
  const awaitingPassword = (ctx: Context): (Flow & { sf: NonNullable<Flow['sf']> }) | undefined => {
    const flow = ctx.flow;
    if (!flow?.sf || !passwordLast(ctx.config.workflow)) return undefined;
    if (now() - flow.sf.at > SECOND_FACTOR_FRESH_MS) return undefined;
    return flow as Flow & { sf: NonNullable<Flow['sf']> };
  };

  router.get('/sign-in/password', (req, res) => {
    const ctx = context(req, res);
    const flow = awaitingPassword(ctx);
    if (!flow) return back(res, ctx);
    send(
      res,
      200,
      passwordPage({
        realm: ctx.config,
        csrf: ctx.csrf,
        step: stepOf(ctx.config.workflow, flow, 'password'),
        username: flow.u,
        errors: [],
      }),
    );
  });

  router.post('/sign-in/password', csrf, load, ...passwordLimits, async (req, res) => {
    const ctx = ctxOf(res);
    const flow = awaitingPassword(ctx);
    if (!flow) return back(res, ctx);
    const again = (errors: FieldError[]) =>
      send(
        res,
        422,
        passwordPage({
          realm: ctx.config,
          csrf: ctx.csrf,
          step: stepOf(ctx.config.workflow, flow, 'password'),
          username: flow.u,
          errors,
        }),
      );
    const password = PasswordSchema.safeParse(req.body?.password);
    if (!password.success)
      return again([
        { field: 'password', message: password.error.issues[0]?.message ?? 'Enter your password' },
      ]);
    // Read now, not at the code step: the account may have been disabled or removed since.
    const refusal = directoryRefusal(await directory.findUser(flow.u));
    if (refusal) {
      await signInRefused(flow.u, req, refusal, flow.sf.rid);
      return accountRefused(req, res, ctx.config);
    }
    if (!(await directory.checkPassword(flow.u, password.data))) {
      await passwordFailed(flow.u, req, 'after-code');
      return again([{ field: 'password', message: 'That password is not right.' }]);
    }
    return complete(req, res, ctx, flow, flow.sf.desk, true);
  });

  // ── done ──────────────────────────────────────────────────────────────────────────────────

  router.get('/sign-in/done', async (req, res) => {
    const ctx = context(req, res);
    const done = ctx.flow?.done;
    if (!ctx.flow || !done) return back(res, ctx);
    const destination = ctx.config.postSignInUrl;
    if (!destination) {
      return send(res, 200, donePage({ realm: ctx.config, username: ctx.flow.u, desk: done.desk }));
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
    flows.clear(req, res);
    send(
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
