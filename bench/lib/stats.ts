// Percentiles and summaries of latency samples.
export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export function summarize(samples: readonly number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: round(percentile(sorted, 50)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted[sorted.length - 1] ?? Number.NaN),
  };
}

export const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** How a figure varied over its rounds: the smallest, middle and largest of the per-round values. */
export interface Spread {
  /** Whether the rounds' ratios to the baseline or their values are spread here. */
  of: 'ratio' | 'value';
  rounds: number[];
  min: number;
  median: number;
  max: number;
}

export function spreadOf(of: Spread['of'], rounds: readonly number[], digits = 3): Spread {
  const sorted = [...rounds].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  const median =
    sorted.length % 2 === 1
      ? sorted[Math.floor(mid)]!
      : ((sorted[mid - 1] ?? Number.NaN) + (sorted[mid] ?? Number.NaN)) / 2;
  return {
    of,
    rounds: rounds.map((r) => round(r, digits)),
    min: round(sorted[0] ?? Number.NaN, digits),
    median: round(median, digits),
    max: round(sorted[sorted.length - 1] ?? Number.NaN, digits),
  };
}
