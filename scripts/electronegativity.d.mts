// Types of electronegativity.mjs, for the TypeScript tests.
export interface Finding {
  file: string;
  id: string;
  description: string;
  shortenedURL: string;
  manualReview: boolean;
  location: { line: number; column: number };
  severity: { name: string };
  confidence: { name: string };
}
export interface ScanError {
  file: string;
  message: string;
  tolerable: boolean;
}

export declare const FAIL_AT_SEVERITY: string;
export declare const EXCLUDED_CHECKS: Record<string, string>;

export declare function judgeFindings(result: { issues: Finding[]; errors: ScanError[] }): {
  failing: Finding[];
  reported: Finding[];
  unparsed: ScanError[];
  ok: boolean;
};
export declare function describeFinding(issue: Finding): string;
export declare function justifiedInCode(
  file: string,
  text: string,
): Array<{ file: string; line: number; checks: string[] }>;
