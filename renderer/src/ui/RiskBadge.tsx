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

const LEVEL_SHORT: Record<RiskLevel, string> = { low: 'Low', medium: 'Medium', high: 'High' };

/** `compact` (queue rows): the level alone on screen, "risk" still read out. */
export function RiskBadge({
  level,
  score,
  compact = false,
}: {
  level: RiskLevel;
  score?: number;
  compact?: boolean;
}) {
  return (
    <span
      className={`badge badge-risk badge-risk-${level}`}
      title={score === undefined ? undefined : `Risk score ${score}`}
    >
      <span aria-hidden="true" className="badge-risk-mark">
        {LEVEL_MARKS[level]}
      </span>
      {compact ? (
        <>
          {LEVEL_SHORT[level]}
          <span className="visually-hidden"> risk</span>
        </>
      ) : (
        LEVEL_WORDS[level]
      )}
    </span>
  );
}
