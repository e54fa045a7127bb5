// One log line per HTTP request, with an id the client gets back (`X-Request-Id`) and every line
// written while serving it carries. The path is logged without its query: a link's token rides there.
import type { RequestHandler } from 'express';
import type { Logger } from '../logger';
import { newRequestId, withRequestId } from '../logging/request-context';
import { outcomeOf } from '../enduser/handled-answer';

export function requestLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const reqId = newRequestId();
    res.setHeader('X-Request-Id', reqId);
    const started = performance.now();
    res.once('finish', () => {
      const outcome = outcomeOf(res);
      logger.info('http', {
        reqId,
        method: req.method,
        path: req.path,
        status: res.statusCode,
        // A refusal answered to a browser as a page (see handled-answer.ts) keeps its real outcome.
        ...(outcome === res.statusCode ? {} : { outcome }),
        ms: Math.round((performance.now() - started) * 10) / 10,
      });
    });
    withRequestId(reqId, next);
  };
}
