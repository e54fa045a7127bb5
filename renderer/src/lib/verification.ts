// How far an agent's recorded checks are from the realm's verification policy, in words.
// Re-derived from the contract's policy (the server's own rule lives in server/domain, which the
// console may not import); the server decides in the end and moves the request to `verified`.
import type { VerificationPolicy } from '../../../server/contract/realm-config';
import type { RequestView } from '../../../server/contract/request-view';

export interface PolicyProgress {
  met: boolean;
  /** Required checks not yet recorded, in the policy's order. */
  missingRequired: string[];
  /** Checks of any kind still needed to reach the minimum, required ones included. */
  moreNeeded: number;
}

export function policyProgress(
  policy: VerificationPolicy,
  records: RequestView['verification'],
): PolicyProgress {
  const known = new Set(policy.checks.map((c) => c.id));
  const done = new Set(records.map((r) => r.checkId).filter((id) => known.has(id)));
  const missingRequired = [...new Set(policy.required)].filter((id) => !done.has(id));
  const moreNeeded = Math.max(0, policy.minimumChecks - done.size);
  return { met: missingRequired.length === 0 && moreNeeded === 0, missingRequired, moreNeeded };
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** E.g. "Callback required; 1 more check needed", or that the policy is met. */
export function progressText(policy: VerificationPolicy, progress: PolicyProgress): string {
  if (progress.met) return 'Verification complete: the passcode can be revealed.';
  const labelOf = (id: string) => policy.checks.find((c) => c.id === id)?.label ?? id;
  const parts: string[] = [];
  if (progress.missingRequired.length > 0)
    parts.push(`${progress.missingRequired.map(labelOf).join(', ')} required`);
  // The required ones count towards the minimum: say only how many others are still wanted.
  const others = progress.moreNeeded - progress.missingRequired.length;
  if (others > 0)
    parts.push(
      `${plural(others, 'more check', 'more checks')} needed${parts.length ? '' : ' before reveal'}`,
    );
  return parts.join('; ');
}
