// The durable audit entries after a seq, read through the paging every AuditLog already offers, so
// following the log costs a page per batch however long the log is, on every store, with nothing
// added to the store's interface.
//
// How: with no filter, `search` pages through the whole log newest first, so the entry at page
// position p has seq `total - p` (seqs run from 1 without a gap: the chain guarantees it). The
// entries after `after` are then the `total - after` newest, and a batch of them is one page. A
// store answers this page from its index (the embedded store) or with `ORDER BY seq DESC OFFSET`
// (PostgreSQL), where the offset is only the entries newer than the batch.
import type { AuditLog } from '../../store/repositories';
import type { AuditEntry } from '../audit-chain';

/** Pages tried before the log is streamed from its start instead. */
const PAGE_TRIES = 3;

/**
 * Up to `limit` durable entries with seq after `after`, oldest first and consecutive from
 * `after + 1` (fewer, or none, when fewer are durable yet).
 */
export async function entriesAfter(
  audit: AuditLog,
  after: number,
  limit: number,
): Promise<AuditEntry[]> {
  // `lastSeq` may count entries not yet durable; the answer's total corrects the guess.
  let total = audit.lastSeq;
  for (let attempt = 0; attempt < PAGE_TRIES; attempt += 1) {
    if (total <= after) return [];
    const offset = Math.max(0, total - after - limit);
    const page = await audit.search({ offset, limit: total - after - offset });
    const run = consecutiveFrom(page.entries, after);
    if (run !== undefined) return run.slice(0, limit);
    if (page.total <= after) return [];
    // Entries were added (or became durable) between the guess and the answer: page again.
    total = page.total;
  }
  return streamAfter(audit, after, limit);
}

/** The entries sorted by seq, when they run without a gap from `after + 1`. */
function consecutiveFrom(entries: readonly AuditEntry[], after: number): AuditEntry[] | undefined {
  const sorted = entries.filter((e) => e.seq > after).sort((a, b) => a.seq - b.seq);
  if (sorted.length === 0 || sorted[0]!.seq !== after + 1) return undefined;
  for (let i = 1; i < sorted.length; i += 1)
    if (sorted[i]!.seq !== sorted[i - 1]!.seq + 1) return sorted.slice(0, i);
  return sorted;
}

/** The slow way, for a log that keeps moving under the pages: stream from the start and skip. */
async function streamAfter(audit: AuditLog, after: number, limit: number): Promise<AuditEntry[]> {
  const found: AuditEntry[] = [];
  for await (const entry of audit.select({})) {
    if (entry.seq <= after) continue;
    found.push(entry);
    if (found.length >= limit) break;
  }
  return found;
}
