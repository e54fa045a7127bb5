// A request's risk level as a short label: colour and words (never colour alone), with its score.
import type { RiskLevel } from '../../../server/contract/risk';

const LEVEL_WORDS: Record<RiskLevel, string> = {
  low: 'Low risk',
  medium: 'Medium risk',
  high: 'High risk',
};

/** A shape per level as well as a colour, for readers who cannot tell the colours apart. */
const LEVEL_MARKS: Record<RiskLevel, string> = { low: '○', medium: '◐', high: '●' };

export function riskWords(level: RiskLevel): string {
  return LEVEL_WORDS[level];
}

export function RiskBadge({ level, score }: { level: RiskLevel; score?: number }) {
  return (
    <span
      className={`badge badge-risk badge-risk-${level}`}
      title={score === undefined ? undefined : `Risk score ${score}`}
    >
      <span aria-hidden="true" className="badge-risk-mark">
        {LEVEL_MARKS[level]}
      </span>
      {LEVEL_WORDS[level]}
    </span>
  );
}
