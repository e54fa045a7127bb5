// What every step of the sign-in is built from: the services, the flow context, the CSRF guard and its limits.
import type { RequestHandler, Response } from 'express';
import type { Directory } from '../../directory/directory';
import type { Logger } from '../../logger';
import type { RealmService } from '../../realm/realm-service';
import type { NotMeReports } from '../../requests/not-me-reports';
import type { RequestService } from '../../requests/request-service';
import type { AuditLog } from '../../store/repositories';
import type { SignInAssertions } from '../assertion';
import type { FlowCookies } from '../flow';
import type { FlowContext } from '../flow-context';
import type { SafeHtml } from '../pages/html';
import type { PersistentTokens } from '../persistent-token';
import type { SignInLimits } from '../rate-limits';
import type { CookieSigner } from '../../http/signed-cookie';
import type { LimitStores } from '../../http/shared-rate-limit-store';
import { answerWith } from '../handled-answer';

export interface SignInDeps {
  requests: RequestService;
  realm: RealmService;
  directory: Directory;
  signer: CookieSigner;
  flows: FlowCookies;
  tokens: PersistentTokens;
  assertions: SignInAssertions;
  audit: AuditLog;
  /** "This wasn't me" links: read, and reported once. */
  notMe: NotMeReports;
  logger: Logger;
  now: () => number;
  /** Counters every server process of a cluster shares; absent: each limit counts in memory. */
  limitStores?: LimitStores;
}

export interface StepDeps extends SignInDeps {
  context: FlowContext;
  /** First on every post: refuses a form without this session's CSRF token. */
  requireCsrf: RequestHandler;
  limits: SignInLimits;
}

/** Sends a page; a refusal it explains reaches the browser as 200 (see handled-answer.ts). */
export function sendPage(res: Response, status: number, page: SafeHtml): void {
  answerWith(res, status).type('html').send(page.value);
}
