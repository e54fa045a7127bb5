// Whether what an agent has recorded about a caller meets the realm's verification policy.
import type { VerificationPolicy } from '../contract/realm-config';
import type { VerificationRecord } from './help-request';

export interface PolicyProgress {
  met: boolean;
  /** Required checks not yet recorded. */
  missingRequired: string[];
  /** Further checks (of any kind) still needed to reach the minimum. */
  moreNeeded: number;
}

export function verificationProgress(
  policy: VerificationPolicy,
  records: readonly Pick<VerificationRecord, 'checkId'>[],
): PolicyProgress {
  const known = new Set(policy.checks.map((c) => c.id));
  const done = new Set(records.map((r) => r.checkId).filter((id) => known.has(id)));
  const missingRequired = [...new Set(policy.required)].filter((id) => !done.has(id));
  const moreNeeded = Math.max(0, policy.minimumChecks - done.size);
  return { met: missingRequired.length === 0 && moreNeeded === 0, missingRequired, moreNeeded };
}
