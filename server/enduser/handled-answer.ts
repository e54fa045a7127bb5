// The status a sign-in page is sent with: a refusal the page explains is a 200 to the browser showing it,
// and its real status to everything else (scripts, the rate limits, the tests over HTTP).
import type { Response } from 'express';

/** Where the refusal's real status travels when the browser is sent 200 (and what the limits read). */
export const OUTCOME_HEADER = 'Sign-In-Outcome';

/**
 * Chromium logs every 4xx document or fetch as a console error ("Failed to load resource"), even
 * when the page that came with it is the answer: a wrong code, a missing choice, too many
 * attempts. A top-level page load (fetch metadata: navigate, document) is a person reading the
 * page, so a refusal the page handles goes to it as 200; the refusal itself is unchanged.
 */
function isPageNavigation(res: Response): boolean {
  const { req } = res;
  return req.get('sec-fetch-mode') === 'navigate' && req.get('sec-fetch-dest') === 'document';
}

/** Sets the answer's status for a page that explains its outcome (a 4xx the page handles). */
export function answerWith(res: Response, outcome: number): Response {
  res.locals.signInOutcome = outcome;
  res.vary('Sec-Fetch-Mode');
  if (outcome >= 400 && outcome < 500 && isPageNavigation(res))
    return res.status(200).set(OUTCOME_HEADER, String(outcome));
  return res.status(outcome);
}

/** The status the answer stands for, whatever the browser was sent: what the failure-only limits count. */
export function outcomeOf(res: Response): number {
  const outcome: unknown = res.locals.signInOutcome;
  return typeof outcome === 'number' ? outcome : res.statusCode;
}
