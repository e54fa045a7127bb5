// The HTTP side of sharing a store with other server processes: what the pages and the API answer
// while the database is out of reach, and requests other processes made or closed read from the
// store before a page looks for them.
import type { RequestHandler } from 'express';
import { storeUnavailablePage } from '../enduser/pages/problem-pages';
import type { FlowCookies } from '../enduser/flow';
import { isSignInPath } from '../enduser/sign-in-routes';
import { sessionOf } from '../http/browser-session';
import type { RealmService } from '../realm/realm-service';
import type { RequestService } from '../requests/request-service';
import type { Store } from '../store/repositories';
import { STORE_UNAVAILABLE_MESSAGE } from './shared-store';

/**
 * While the database is out of reach nothing can be decided: the sign-in pages (a page saying to
 * try again in a minute) and the API (`unavailable`) answer 503 rather than from what this process
 * happens to remember. Everything else (the console's files, /healthz before it) is served.
 */
export function storeOutageGate(store: Pick<Store, 'health'>, realm: RealmService): RequestHandler {
  return (req, res, next) => {
    if (store.health().status !== 'unavailable') return next();
    res.set({ 'Cache-Control': 'no-store', 'Retry-After': '60' });
    if (req.path === '/api' || req.path.startsWith('/api/'))
      return void res
        .status(503)
        .json({ error: { code: 'unavailable', message: STORE_UNAVAILABLE_MESSAGE } });
    if (isSignInPath(req.path))
      return void res.status(503).type('html').send(storeUnavailablePage(realm.config).value);
    next();
  };
}

/**
 * Before a sign-in page's synchronous readers look for the browser's request (the one its signed
 * flow cookie names), reads it from the store when this process does not know it: closed by
 * another process, or made there a moment ago.
 */
export function recallFlowRequests(flows: FlowCookies, requests: RequestService): RequestHandler {
  return async (req, _res, next) => {
    const sid = isSignInPath(req.path) ? sessionOf(req) : undefined;
    const flow = sid ? flows.read(req, sid) : undefined;
    for (const id of new Set([flow?.rid, flow?.sf?.rid]))
      if (id) await requests.recall(id, { wait: true });
    next();
  };
}
