// Where this browser is in the sign-in, read once per request: its session, the realm, its CSRF token,
// its flow cookie, and the request it follows.
import type { Request, RequestHandler, Response } from 'express';
import type { RealmConfig } from '../contract/realm-config';
import type { HelpRequest } from '../domain/help-request';
import { browserSession } from '../http/browser-session';
import type { CsrfTokens } from '../http/csrf';
import type { RealmService } from '../realm/realm-service';
import type { RequestService } from '../requests/request-service';
import type { Flow, FlowCookies, FlowState } from './flow';
import { SECOND_FACTOR_FRESH_MS, passwordFirst, passwordLast } from './flow';
import type { Step } from './pages/parts';
import type { LimitKey } from './rate-limits';

export interface SignInContext {
  sid: string;
  config: RealmConfig;
  csrf: string;
  flow: Flow | undefined;
}

/** The flow of a browser that has entered its code recently, in a workflow that asks the password last. */
export type AwaitingPassword = Flow & { sf: NonNullable<Flow['sf']> };

type StepName = 'identify' | 'method' | 'request' | 'code' | 'password';

export class FlowContext {
  constructor(
    private readonly deps: {
      realm: RealmService;
      requests: RequestService;
      flows: FlowCookies;
      csrf: CsrfTokens;
      now: () => number;
    },
  ) {}

  /** Reads the context, issuing the session cookie on first contact. */
  read(req: Request, res: Response): SignInContext {
    const sid = browserSession(req, res);
    return {
      sid,
      config: this.deps.realm.config,
      csrf: this.deps.csrf.tokenFor(sid),
      flow: this.deps.flows.read(req, sid),
    };
  }

  /** Middleware for the posts: reads the context once for the limits and the handler after it. */
  readonly load: RequestHandler = (req, res, next) => {
    res.locals.signIn = this.read(req, res);
    next();
  };

  /** The context `load` read. */
  static of(res: Response): SignInContext {
    return res.locals.signIn as SignInContext;
  }

  /** The limits' key: the user this browser is signing in as, once it has said. */
  static readonly flowUser: LimitKey = (_req, res) => {
    const u = (res.locals.signIn as SignInContext | undefined)?.flow?.u;
    return u ? `user:${u}` : undefined;
  };

  /** Identified far enough to choose a desk (in the password-first workflow, the password is checked). */
  identified(ctx: SignInContext): Flow | undefined {
    const { flow, config } = ctx;
    if (!flow) return undefined;
    if (passwordFirst(config.workflow) && !flow.pw) return undefined;
    return flow;
  }

  /** This browser's current request, when it still exists. */
  current(ctx: SignInContext): { flow: Flow; request: HelpRequest } | undefined {
    const flow = this.identified(ctx);
    if (!flow?.rid) return undefined;
    const request = this.deps.requests.findForSession(flow.rid, ctx.sid);
    return request ? { flow, request } : undefined;
  }

  /** The flow when the code was entered recently and the workflow asks for the password last. */
  awaitingPassword(ctx: SignInContext): AwaitingPassword | undefined {
    const flow = ctx.flow;
    if (!flow?.sf || !passwordLast(ctx.config.workflow)) return undefined;
    if (this.deps.now() - flow.sf.at > SECOND_FACTOR_FRESH_MS) return undefined;
    return flow as AwaitingPassword;
  }

  write(req: Request, res: Response, ctx: SignInContext, state: FlowState): void {
    this.deps.flows.write(req, res, ctx.sid, state);
  }

  clear(req: Request, res: Response): void {
    this.deps.flows.clear(req, res);
  }

  /** Where a browser goes that has no business on a step: choosing a desk, or the start. */
  back(res: Response, ctx: SignInContext): void {
    res.redirect(303, this.identified(ctx) ? '/sign-in/method' : '/sign-in');
  }

  /** Guards the posts that act for an identified user. */
  readonly requireIdentified: RequestHandler = (_req, res, next) => {
    if (this.identified(FlowContext.of(res))) return next();
    res.redirect(303, '/sign-in');
  };

  /** "Step n of m" for this workflow (a persistent token skips identifying). */
  step(ctx: SignInContext, name: StepName): Step {
    const steps: StepName[] = [];
    if (name === 'identify' || ctx.flow?.via !== 'token') steps.push('identify');
    steps.push('method', 'request', 'code');
    if (passwordLast(ctx.config.workflow)) steps.push('password');
    return { current: steps.indexOf(name) + 1, total: steps.length };
  }
}

/** Where the browser goes once the code is accepted. */
export const nextAfterCode = (config: RealmConfig) =>
  passwordLast(config.workflow) ? '/sign-in/password' : '/sign-in/done';
