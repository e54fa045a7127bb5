// How `npm run lint:electron` judges what Doyensec's Electronegativity reports: which findings
// fail the lint, and how they are printed. Kept apart from the run so it can be tested.

/** Findings of this severity or more fail the lint unless justified in the code. */
export const FAIL_AT_SEVERITY = 'MEDIUM';
const SEVERITY_RANK = { INFORMATIONAL: 0, LOW: 1, MEDIUM: 2, HIGH: 3 };

/**
 * Checks that are not run, each with the reason. Everything else runs at every confidence level.
 * A finding that is a false positive is not excluded here but justified where it is, with an
 * `eng-disable CHECK_ID` comment on its line and a comment saying why (Electronegativity's own
 * inline mechanism), so the justification sits beside the code it is about.
 */
export const EXCLUDED_CHECKS = {
  AvailableSecurityFixesGlobalCheck:
    "downloads Electron's release list to see whether a newer Electron has security fixes; there " +
    'is no network for it here, and the newest Electron that runs on Node 20 is the one pinned',
};

/**
 * Sorts Electronegativity's result into what fails the lint and what is only reported.
 * Any file it could not parse fails too: a file the scanner did not read was not checked.
 */
export function judgeFindings({ issues, errors }) {
  const failing = [];
  const reported = [];
  for (const issue of issues) {
    const rank = SEVERITY_RANK[issue.severity.name] ?? SEVERITY_RANK.HIGH;
    (rank >= SEVERITY_RANK[FAIL_AT_SEVERITY] ? failing : reported).push(issue);
  }
  const unparsed = errors.filter((error) => !error.tolerable);
  return { failing, reported, unparsed, ok: failing.length === 0 && unparsed.length === 0 };
}

/** One line per finding: where, which check, how bad, what to do. */
export function describeFinding(issue) {
  return (
    `${issue.file}:${issue.location.line}:${issue.location.column}  ${issue.id} ` +
    `(${issue.severity.name}, ${issue.confidence.name}) ${issue.description}` +
    (issue.manualReview ? ' [review]' : '') +
    `  ${issue.shortenedURL}`
  );
}

/** `eng-disable` comments in a source text: the findings justified in the code. */
export function justifiedInCode(file, text) {
  const found = [];
  text.split('\n').forEach((line, index) => {
    const match = /(?:\/\/|\/\*)\s*eng-disable\s+([\w \t]+)/.exec(line);
    if (match) found.push({ file, line: index + 1, checks: match[1].trim().split(/[\s,]+/) });
  });
  return found;
}
