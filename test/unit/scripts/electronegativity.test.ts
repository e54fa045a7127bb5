import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../scripts/electronegativity.mjs';
import {
  describeFinding,
  judgeFindings,
  justifiedInCode,
} from '../../../scripts/electronegativity.mjs';

const finding = (id: string, severity: string, confidence = 'FIRM'): Finding => ({
  file: 'main/window.ts',
  id,
  description: `about ${id}`,
  shortenedURL: 'https://example.com/check',
  manualReview: false,
  location: { line: 12, column: 4 },
  severity: { name: severity },
  confidence: { name: confidence },
});

describe('judgeFindings', () => {
  it('fails on medium and high findings, whatever the confidence', () => {
    const verdict = judgeFindings({
      issues: [
        finding('SANDBOX_JS_CHECK', 'MEDIUM', 'TENTATIVE'),
        finding('NODE_INTEGRATION_JS_CHECK', 'HIGH'),
      ],
      errors: [],
    });
    expect(verdict.ok).toBe(false);
    expect(verdict.failing.map((f) => f.id)).toEqual([
      'SANDBOX_JS_CHECK',
      'NODE_INTEGRATION_JS_CHECK',
    ]);
  });

  it('only reports low and informational findings', () => {
    const verdict = judgeFindings({
      issues: [finding('CSP_GLOBAL_CHECK', 'LOW'), finding('X', 'INFORMATIONAL')],
      errors: [],
    });
    expect(verdict).toMatchObject({ ok: true, failing: [] });
    expect(verdict.reported).toHaveLength(2);
  });

  it('treats a severity it does not know as high', () => {
    expect(judgeFindings({ issues: [finding('NEW_CHECK', 'CRITICAL')], errors: [] }).ok).toBe(
      false,
    );
  });

  it('fails when a file could not be parsed, since it was not checked', () => {
    const verdict = judgeFindings({
      issues: [],
      errors: [
        { file: 'main/a.ts', message: 'a warning', tolerable: true },
        { file: 'main/b.ts', message: 'Unexpected token', tolerable: false },
      ],
    });
    expect(verdict.ok).toBe(false);
    expect(verdict.unparsed).toEqual([expect.objectContaining({ file: 'main/b.ts' })]);
  });
});

describe('describeFinding', () => {
  it('says where, which check, how bad and where to read more', () => {
    expect(describeFinding({ ...finding('SANDBOX_JS_CHECK', 'MEDIUM'), manualReview: true })).toBe(
      'main/window.ts:12:4  SANDBOX_JS_CHECK (MEDIUM, FIRM) about SANDBOX_JS_CHECK [review]  https://example.com/check',
    );
  });
});

describe('justifiedInCode', () => {
  it('finds eng-disable comments with their checks and lines', () => {
    const text = [
      'const a = 1;',
      'shell.openExternal(url); // eng-disable OPEN_EXTERNAL_JS_CHECK',
      '/* eng-disable PRELOAD_JS_CHECK SANDBOX_JS_CHECK */',
    ].join('\n');
    expect(justifiedInCode('main/x.ts', text)).toEqual([
      { file: 'main/x.ts', line: 2, checks: ['OPEN_EXTERNAL_JS_CHECK'] },
      { file: 'main/x.ts', line: 3, checks: ['PRELOAD_JS_CHECK', 'SANDBOX_JS_CHECK'] },
    ]);
  });
});
