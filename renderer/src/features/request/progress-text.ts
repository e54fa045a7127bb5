// The caller's verification progress in an agent's words: which checks are still missing.
import type { VerificationPolicy } from '../../../../server/contract/realm-config';
import type { PolicyProgress } from '../../../../server/domain/verification-policy';

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
