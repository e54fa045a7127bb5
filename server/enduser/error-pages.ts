// Errors on the sign-in pages answer with a page, not JSON: what went wrong and how to carry on.
import type { ErrorRequestHandler } from 'express';
import { isStoreUnavailable } from '../cluster/shared-store';
import { DirectoryUnavailableError } from '../directory/directory';
import { ServiceError } from '../errors';
import { statusFor } from '../http/error-handler';
import type { Logger } from '../logger';
import type { RealmService } from '../realm/realm-service';
import { problemPage, storeUnavailablePage } from './pages/problem-pages';
import { isSignInPath } from './sign-in-routes';

export function signInErrorPages(realm: RealmService, logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (!isSignInPath(req.path) || res.headersSent) return next(error);
    const bodyStatus = (error as { status?: unknown }).status;
    let status: number;
    let title: string;
    let paragraphs: string[];
    if (isStoreUnavailable(error)) {
      // The database is out of reach (a cluster's PostgreSQL restarting): say so, change nothing.
      res
        .status(503)
        .type('html')
        .set({ 'Cache-Control': 'no-store', 'Retry-After': '60' })
        .send(storeUnavailablePage(realm.config).value);
      return;
    }
    if (error instanceof DirectoryUnavailableError) {
      // Fail closed, and say what to do: the account cannot be checked, so nothing goes further.
      status = 503;
      title = 'Sign-in is unavailable right now';
      paragraphs = [
        'We cannot check accounts at the moment, so nobody can sign in here yet.',
        'Call the help desk; they can see that the directory is down.',
      ];
    } else if (error instanceof ServiceError) {
      status = statusFor(error.code);
      title = status === 404 ? 'We could not find that' : 'That did not work';
      paragraphs = [error.message];
    } else if (bodyStatus === 413) {
      status = 413;
      title = 'That was more than a sign-in form sends';
      paragraphs = ['The form was too large to accept. Nothing was changed.'];
    } else if (typeof bodyStatus === 'number' && bodyStatus >= 400 && bodyStatus < 500) {
      status = 400;
      title = 'The form could not be read';
      paragraphs = ['Nothing was changed. Go back to the start and try again.'];
    } else {
      logger.error(`sign-in page ${req.method} ${req.path} failed`, error);
      status = 500;
      title = 'Something went wrong on our side';
      paragraphs = ['It has been logged. Wait a moment, then start again.'];
    }
    const page = problemPage({
      realm: realm.config,
      title,
      paragraphs,
      action: { href: '/sign-in', label: 'Back to the start' },
      showDesks: status >= 500,
    });
    res.status(status).type('html').set('Cache-Control', 'no-store').send(page.value);
  };
}
