// Rate limits for the sign-in pages, per IP and per username, answering 429 with a page a person can act on,
// and the flood gate in front of them.
import type { Request, RequestHandler, Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import { usernameOf } from '../contract/username';
import type { FloodGateOptions } from '../http/flood-gate';
import { createFloodGate } from '../http/flood-gate';
import type { LimitStores } from '../http/shared-rate-limit-store';
import { answerWith, outcomeOf } from './handled-answer';
import type { RealmService } from '../realm/realm-service';
import { floodRefusalPage, problemPage } from './pages/problem-pages';

/**
 * Whom to believe about a client's address is the operator's choice (`--trust-proxy`): a client's own
 * X-Forwarded-For to a server that trusts no proxy is ignored, never a warning any client can write
 * into the server's log.
 */
export const RATE_LIMIT_VALIDATION = { xForwardedForHeader: false } as const;

interface LimitSpec {
  windowMs: number;
  limit: number;
  /** Count only answers that failed (4xx/5xx), e.g. wrong passwords, not every sign-in. */
  failuresOnly?: boolean;
}

/** Per sign-in step: how many tries per IP (generous: offices share one) and per username (tight). */
const SIGN_IN_LIMITS = {
  identify: {
    ip: { windowMs: 15 * 60_000, limit: 100 },
    user: { windowMs: 15 * 60_000, limit: 10, failuresOnly: true },
  },
  request: { ip: { windowMs: 15 * 60_000, limit: 50 }, user: { windowMs: 15 * 60_000, limit: 10 } },
  otp: { ip: { windowMs: 15 * 60_000, limit: 60 }, user: { windowMs: 15 * 60_000, limit: 15 } },
} as const satisfies Record<string, { ip: LimitSpec; user: LimitSpec }>;

/** The key a limit counts by; undefined skips the limit (e.g. no username yet). */
export type LimitKey = (req: Request, res: Response) => string | undefined;

function minutesText(seconds: number): string {
  const minutes = Math.max(1, Math.ceil(seconds / 60));
  return minutes === 1 ? 'a minute' : `${minutes} minutes`;
}

function pageLimiter(
  realm: RealmService,
  spec: LimitSpec,
  key: LimitKey | undefined,
  store: ReturnType<LimitStores> | undefined,
): RequestHandler {
  return rateLimit({
    ...(store ? { store } : {}),
    windowMs: spec.windowMs,
    limit: spec.limit,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    validate: RATE_LIMIT_VALIDATION,
    skipSuccessfulRequests: spec.failuresOnly ?? false,
    // A refusal a browser was sent as 200 (handled-answer.ts) still counts as a failure.
    requestWasSuccessful: (_req: Request, res: Response) => outcomeOf(res) < 400,
    ...(key
      ? {
          keyGenerator: (req: Request, res: Response) => key(req, res) ?? '',
          skip: (req: Request, res: Response) => key(req, res) === undefined,
        }
      : {}),
    handler: (req, res) => {
      const info = (req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit;
      const seconds = info?.resetTime
        ? Math.ceil((info.resetTime.getTime() - Date.now()) / 1000)
        : spec.windowMs / 1000;
      const page = problemPage({
        realm: realm.config,
        title: 'Too many attempts',
        paragraphs: [
          "You've tried this too many times in a short while, so it is paused to protect the account.",
          `Wait ${minutesText(seconds)}, then start again.`,
        ],
        action: { href: '/sign-in', label: 'Back to the start' },
        showDesks: true,
      });
      answerWith(res, 429).type('html').set('Cache-Control', 'no-store').send(page.value);
    },
  });
}

/** The username a form names: what the identify step's per-user limit counts by. */
const formUser: LimitKey = (req) => {
  const u = usernameOf(req.body)?.slice(0, 128);
  return u ? `user:${u}` : undefined;
};

/** The limiters of each step that posts: per IP, then per user (`flowUser`: the user being signed in). */
export interface SignInLimits {
  identify: RequestHandler[];
  password: RequestHandler[];
  request: RequestHandler[];
  otp: RequestHandler[];
}

/**
 * `stores` (a cluster's shared counters) makes every server process count the same hits; without
 * it each limiter counts in this process's memory.
 */
export function signInLimits(
  realm: RealmService,
  flowUser: LimitKey,
  stores?: LimitStores,
): SignInLimits {
  const limits = (step: string, spec: { ip: LimitSpec; user: LimitSpec }, user: LimitKey) => [
    pageLimiter(realm, spec.ip, undefined, stores?.(`sign-in:${step}:ip`)),
    pageLimiter(realm, spec.user, user, stores?.(`sign-in:${step}:user`)),
  ];
  return {
    identify: limits('identify', SIGN_IN_LIMITS.identify, formUser),
    // The password after the code spends the identify step's allowance (its own counters).
    password: limits('password', SIGN_IN_LIMITS.identify, flowUser),
    request: limits('request', SIGN_IN_LIMITS.request, flowUser),
    otp: limits('otp', SIGN_IN_LIMITS.otp, flowUser),
  };
}

/** Every form the sign-in pages post. */
const SIGN_IN_FORM_POSTS: readonly string[] = [
  '/sign-in',
  '/sign-in/restart',
  '/sign-in/method',
  '/sign-in/cancel',
  '/sign-in/code',
  '/sign-in/password',
  '/sign-in/not-me',
];

/**
 * Before express, per address and per form: a minute's allowance above anything the per-step
 * limits let through (an honest address meets those first, with a page that explains), so only a
 * flood meets it, and then each refusal costs a map look-up.
 */
export const SIGN_IN_FLOOD = { limit: 120, windowMs: 60_000 } as const;

export function signInFloodGate(options: {
  trustProxy: number | boolean;
  now: () => number;
  /** Counts shared with the cluster's other processes (see flood-gate.ts for the lag it allows). */
  shared?: FloodGateOptions['shared'];
}) {
  return createFloodGate({
    ...SIGN_IN_FLOOD,
    ...options,
    bucket: (method, path) =>
      method === 'POST' && SIGN_IN_FORM_POSTS.includes(path) ? path : undefined,
    refusal: { contentType: 'text/html; charset=utf-8', body: floodRefusalPage() },
  });
}
