// The audit journal (audit.jsonl) searched through a compact index in memory (some thirty bytes an
// entry: where its line is, when, the actor, the action and a hash of the request id); the entries
// themselves are read from the file for the page or stream asked for.
import type { AuditEntry } from '../../audit/audit-chain';
import { AuditEntrySchema } from '../../audit/audit-chain';
import { textTerm } from '../audit-query';
import type { AuditFilter, AuditQuery } from '../repositories';
import { Dictionary, float64Column, hash32, uint16Column, uint32Column } from './columns';
import { corruptFileError, describeSchemaIssue } from './errors';
import type { LineSpan } from './journal-lines';
import { readLines } from './journal-lines';
import { LineIndex } from './line-index';
import type { Matcher } from './match-cache';
import { allOf, filterKey, MatchCache, scanUp } from './match-cache';

/** Entries read from the file at a time while streaming. */
const READ_BATCH = 500;
/**
 * Entries are written with their keys in this order (see `chainEntry`): what the index needs comes
 * before `details`, so a line's start is all that is parsed. A line written otherwise is parsed whole.
 */
const DETAILS_KEY = Buffer.from(',"details":');
const REQUEST_KEY = Buffer.from('"requestId":');

export class AuditIndex extends LineIndex<AuditEntry> {
  readonly #offset = float64Column();
  readonly #length = uint32Column();
  readonly #at = float64Column();
  readonly #actor = uint32Column();
  readonly #action = uint16Column();
  /** Hash of the request id; 0 when the entry is about no request. */
  readonly #request = uint32Column();
  readonly #actors = new Dictionary();
  readonly #actions = new Dictionary();
  /** The positions matching the filters searched last, so paging does not rescan. */
  readonly #matches = new MatchCache();

  get count(): number {
    return this.#offset.length;
  }

  /** Bytes the index holds (its columns; the dictionaries' strings are not counted). */
  get bytes(): number {
    return [this.#offset, this.#length, this.#at, this.#actor, this.#action, this.#request].reduce(
      (sum, column) => sum + column.bytes,
      0,
    );
  }

  protected indexLine(bytes: Buffer, span: LineSpan, line: number): void {
    let cut = bytes.indexOf(DETAILS_KEY);
    // A request id after the details (keys reordered by some tool): the whole line is parsed.
    if (
      cut > 0 &&
      bytes.indexOf(REQUEST_KEY, cut) !== -1 &&
      bytes.lastIndexOf(REQUEST_KEY, cut) === -1
    )
      cut = -1;
    let value: unknown;
    try {
      value =
        cut > 0
          ? JSON.parse(`${bytes.toString('utf8', 0, cut)}}`)
          : JSON.parse(bytes.toString('utf8'));
    } catch {
      try {
        value = JSON.parse(bytes.toString('utf8'));
      } catch (error) {
        throw corruptFileError(this.file, 'the line is not JSON', { line, cause: error });
      }
    }
    const entry = value as Partial<Record<string, unknown>> | null;
    const at = typeof entry?.at === 'string' ? Date.parse(entry.at) : NaN;
    if (
      typeof entry?.actor !== 'string' ||
      typeof entry.action !== 'string' ||
      Number.isNaN(at) ||
      (entry.requestId !== undefined && typeof entry.requestId !== 'string')
    )
      throw corruptFileError(this.file, 'the line is not an audit entry', { line });
    this.#add(at, entry.actor, entry.action, entry.requestId, span);
  }

  protected indexRecord(entry: AuditEntry, span: LineSpan): void {
    this.#add(Date.parse(entry.at), entry.actor, entry.action, entry.requestId, span);
  }

  #add(at: number, actor: string, action: string, requestId: unknown, span: LineSpan): void {
    this.#offset.push(span.offset);
    this.#length.push(span.length);
    this.#at.push(at);
    this.#actor.push(this.#actors.idOf(actor));
    const actionId = this.#actions.idOf(action);
    if (actionId > 0xffff) throw new Error('More than 65,535 distinct audit actions.');
    this.#action.push(actionId);
    this.#request.push(typeof requestId === 'string' ? hash32(requestId) : 0);
  }

  protected built(): void {
    this.#offset.trim();
    this.#length.trim();
    this.#at.trim();
    this.#actor.trim();
    this.#action.trim();
    this.#request.trim();
  }

  /** Matching entries newest first, `limit` from `offset`, and how many match in all. */
  async search(query: AuditQuery): Promise<{ entries: AuditEntry[]; total: number }> {
    await this.ready();
    const { key, matcher } = this.#matcher(query);
    const end = this.count;
    // Without a request condition the index decides alone; with one, a hash may collide, so each
    // candidate's entry is read (a request has a few dozen entries at most).
    if (query.requestIds === undefined) {
      const { positions, total } = await this.#matches.page(
        key,
        end,
        matcher,
        query.offset,
        query.limit,
      );
      return { entries: await this.#read(positions), total };
    }
    const candidates = await this.#matches.positions(key, end, matcher);
    const entries = this.#exact(await this.#read(Array.from(candidates)), query);
    return {
      entries: entries.slice(query.offset, query.offset + query.limit),
      total: entries.length,
    };
  }

  /** The cache's statistics (for tests). */
  get cached(): { entries: number; bytes: number } {
    return this.#matches.size;
  }

  /** Matching entries oldest first, read a batch at a time. */
  async *select(filter: AuditFilter): AsyncGenerator<AuditEntry> {
    await this.ready();
    const { matcher } = this.#matcher(filter);
    if (matcher === 'none') return;
    const matches = matcher === 'all' ? () => true : matcher;
    const end = this.count;
    let batch: number[] = [];
    for (let start = 0; start < end; start += READ_BATCH * 8) {
      const stop = Math.min(end, start + READ_BATCH * 8);
      await scanUp(start, stop, (i) => {
        if (matches(i)) batch.push(i);
      });
      while (batch.length >= READ_BATCH || (stop === end && batch.length > 0)) {
        const entries = this.#exact(await this.#read(batch.slice(0, READ_BATCH)), filter);
        batch = batch.slice(READ_BATCH);
        yield* entries;
      }
    }
  }

  /** Entries whose request is one asked for (the index compared hashes only). */
  #exact(entries: AuditEntry[], filter: AuditFilter): AuditEntry[] {
    const ids = filter.requestIds;
    return ids === undefined
      ? entries
      : entries.filter((e) => e.requestId !== undefined && ids.includes(e.requestId));
  }

  /** A test of one indexed entry, meaning what `auditEntryMatches` means (request ids by hash). */
  #matcher(filter: AuditFilter): { key: string; matcher: Matcher } {
    const conditions: ((i: number) => boolean)[] = [];
    // The time first: the cheapest test, and the one that rules out most when it is given.
    const { from, to } = filter;
    if (from !== undefined) conditions.push((i) => this.#at.data[i]! >= from);
    if (to !== undefined) conditions.push((i) => this.#at.data[i]! < to);
    const actor = textTerm(filter.actor);
    if (actor !== undefined) {
      const actors = this.#actors.matching((name) => name.toLowerCase().startsWith(actor));
      conditions.push((i) => actors[this.#actor.data[i]!] === 1);
    }
    const action = textTerm(filter.action);
    if (action !== undefined) {
      const actions = this.#actions.matching((name) => name.toLowerCase().startsWith(action));
      conditions.push((i) => actions[this.#action.data[i]!] === 1);
    }
    if (filter.requestIds !== undefined) {
      const hashes = new Set(filter.requestIds.map(hash32));
      if (hashes.size === 0) return { key: 'none', matcher: 'none' };
      conditions.push((i) => hashes.has(this.#request.data[i]!));
    }
    const requests =
      filter.requestIds === undefined ? undefined : [...new Set(filter.requestIds)].sort();
    return { key: filterKey([actor, action, requests, from, to]), matcher: allOf(conditions) };
  }

  async #read(positions: readonly number[]): Promise<AuditEntry[]> {
    const spans = positions.map((i) => ({
      offset: this.#offset.data[i]!,
      length: this.#length.data[i]!,
    }));
    const texts = await readLines(this.file, spans);
    return texts.map((text, k) => {
      const parsed = AuditEntrySchema.safeParse(JSON.parse(text));
      if (!parsed.success)
        throw corruptFileError(this.file, describeSchemaIssue(parsed.error), {
          line: positions[k]! + 1,
        });
      return parsed.data;
    });
  }
}
