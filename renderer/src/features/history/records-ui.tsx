// Pieces History and Audit share: moments in words, the "1–50 of 100,000" count, Previous/Next, the
// two day inputs of a date range, and the frame of a page of results.
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

/**
 * A page of results as History and Audit show it: the heading and count, an error with Try again,
 * the empty message once a search found nothing, the table (children) while there are rows, and the
 * pager.
 */
export function RecordsResults({
  id,
  title,
  status,
  error,
  offset,
  shown,
  total,
  pageSize,
  pagerLabel,
  emptyText,
  searchingText,
  onPage,
  children,
}: {
  id: string;
  title: string;
  status: 'idle' | 'loading' | 'ready' | 'error';
  error: string | null;
  offset: number;
  shown: number;
  total: number;
  pageSize: number;
  pagerLabel: string;
  emptyText: string;
  searchingText: string;
  onPage(offset: number): void;
  children: ReactNode;
}) {
  const busy = status === 'loading';
  return (
    <section className="records-results" aria-labelledby={id}>
      <div className="records-results-head">
        <h2 id={id} className="records-results-title">
          {title}
        </h2>
        <CountLine>
          {busy ? 'Searching…' : status === 'ready' ? rangeText(offset, shown, total) : ''}
        </CountLine>
      </div>
      {status === 'error' && error ? (
        <div className="notice notice-error notice-row" role="alert">
          <span>{error}</span>
          <button type="button" className="button button-small" onClick={() => onPage(offset)}>
            Try again
          </button>
        </div>
      ) : null}
      {status === 'ready' && total === 0 ? (
        <p className="records-empty" role="status">
          {emptyText}
        </p>
      ) : shown > 0 ? (
        <div className="table-scroll">{children}</div>
      ) : busy ? (
        <p className="records-empty">{searchingText}</p>
      ) : null}
      <Pager
        label={pagerLabel}
        offset={offset}
        shown={shown}
        total={total}
        pageSize={pageSize}
        busy={busy}
        onPage={onPage}
      />
    </section>
  );
}
