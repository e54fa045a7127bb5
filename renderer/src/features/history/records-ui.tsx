// Pieces History and Audit share: moments in words, the "1–50 of 100,000" count, Previous/Next, and
// the two day inputs of a date range.
import type { ReactNode } from 'react';
import { TextField } from '../../ui/Field';

/** A moment as the agent reads it: "1 Dec 2026, 17:52" in their own locale and time zone. */
export function formatMoment(at: number | string): string {
  const date = new Date(at);
  return Number.isNaN(date.getTime())
    ? String(at)
    : date.toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' });
}

/** A moment to the second, for a trail where steps come seconds apart. */
export function formatMomentExact(at: number | string): string {
  const date = new Date(at);
  return Number.isNaN(date.getTime())
    ? String(at)
    : date.toLocaleString([], { dateStyle: 'medium', timeStyle: 'medium' });
}

/** "1–50 of 100,000", or nothing when nothing matched. */
export function rangeText(offset: number, shown: number, total: number): string {
  if (total === 0) return '';
  const first = offset + 1;
  const last = Math.min(total, offset + shown);
  return `${first.toLocaleString()}–${last.toLocaleString()} of ${total.toLocaleString()}`;
}

/** Today as `YYYY-MM-DD` in the local time zone (file names, the date inputs' upper bound). */
export function today(now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

export function Pager({
  label,
  offset,
  shown,
  total,
  pageSize,
  busy,
  onPage,
}: {
  /** What is paged, for the navigation's name ("Pages of closed requests"). */
  label: string;
  offset: number;
  shown: number;
  total: number;
  pageSize: number;
  busy: boolean;
  onPage(offset: number): void;
}) {
  if (total <= pageSize && offset === 0) return null;
  return (
    <nav className="pager" aria-label={label}>
      <span className="users-count">{rangeText(offset, shown, total)}</span>
      <button
        type="button"
        className="button button-small"
        disabled={offset === 0 || busy}
        onClick={() => onPage(Math.max(0, offset - pageSize))}
      >
        Previous
      </button>
      <button
        type="button"
        className="button button-small"
        disabled={offset + pageSize >= total || busy}
        onClick={() => onPage(offset + pageSize)}
      >
        Next
      </button>
    </nav>
  );
}

/** "From" and "To" day inputs; the range includes both days. */
export function DayRangeFields({
  fromLabel,
  toLabel,
  fromDay,
  toDay,
  error,
  onChange,
}: {
  fromLabel: string;
  toLabel: string;
  fromDay: string;
  toDay: string;
  error?: string | undefined;
  onChange(range: { fromDay: string; toDay: string }): void;
}) {
  return (
    <>
      <TextField
        className="records-field-day"
        label={fromLabel}
        type="date"
        value={fromDay}
        max={toDay || undefined}
        onChange={(e) => onChange({ fromDay: e.target.value, toDay })}
      />
      <TextField
        className="records-field-day"
        label={toLabel}
        type="date"
        value={toDay}
        min={fromDay || undefined}
        error={error}
        onChange={(e) => onChange({ fromDay, toDay: e.target.value })}
      />
    </>
  );
}

/** The list's count line, read out as it changes. */
export function CountLine({ children }: { children: ReactNode }) {
  return (
    <p className="records-count" aria-live="polite">
      {children}
    </p>
  );
}
