// A request's risk from the signals the server noticed, weighed by the realm's policy, and whether its
// reveal needs a second person's approval.
import type {
  RiskAssessment,
  RiskLevel,
  RiskPolicy,
  RiskSignal,
  RiskSignalId,
} from '../contract/risk';

const RANK: Record<RiskLevel, number> = { low: 0, medium: 1, high: 2 };

export function assessRisk(
  signals: readonly Pick<RiskSignal, 'id' | 'detail'>[],
  policy: RiskPolicy,
): RiskAssessment {
  const weighed = signals.map((s) => ({
    id: s.id,
    detail: s.detail,
    weight: policy.weights[s.id],
  }));
  const score = weighed.reduce((sum, s) => sum + s.weight, 0);
  const level: RiskLevel =
    score >= policy.highAt ? 'high' : score >= policy.mediumAt ? 'medium' : 'low';
  return { level, score, signals: weighed };
}

/** What needs a second approver, as the rule over a request's signals sees it. */
export function approvalNeeded(
  signals: readonly { id: RiskSignalId; detail?: string }[],
  policy: RiskPolicy,
): boolean {
  const { privileged, atLevel } = policy.secondApprover;
  if (privileged && signals.some((s) => s.id === 'privileged')) return true;
  if (atLevel === 'never') return false;
  const level = assessRisk(
    signals.map((s) => ({ id: s.id, detail: s.detail ?? '' })),
    policy,
  ).level;
  return RANK[level] >= RANK[atLevel];
}
