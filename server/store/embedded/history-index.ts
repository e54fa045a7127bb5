// The closed-request history (closed-requests.jsonl) as the HistoryRepository: a compact index in
// memory (some forty bytes a request: where its line is, when it closed, its desk, outcome, user,
// agents, reference and id hash) answers searches; the records themselves are read from the file
// for the page asked for.
import { normaliseUsername } from '../../contract/username';
import type { ClosedRequest } from '../../domain/help-request';
import { HelpRequestSchema, isOpen } from '../../domain/help-request';
import type { HelpDeskId } from '../../contract/realm-config';
import { CROCKFORD_ALPHABET, normaliseReference } from '../../domain/reference-code';
import { CLOSED_STATES } from '../../domain/request-states';
import { inRange, textTerm } from '../audit-query';
import { referenceTerm } from '../history-query';
import type { HistoryFilter, HistoryQuery, HistoryRepository } from '../repositories';
import { Dictionary, float64Column, hash32, uint32Column, uint8Column } from './columns';
import { corruptFileError, describeSchemaIssue } from './errors';
import type { LineSpan } from './journal-lines';
import { readLines } from './journal-lines';
import { LineIndex } from './line-index';
import type { Matcher } from './match-cache';
import { allOf, filterKey, MatchCache } from './match-cache';

const DESKS: readonly HelpDeskId[] = ['1', '2'];
/** A reference that is not six Crockford symbols is kept aside as text (test data, older codes). */
const ODD_REFERENCE = 0xffffffff;
const REFERENCE_SYMBOLS = 6;

/** Six Crockford symbols as a 30-bit number (5 bits each), or undefined. */
function packReference(normalised: string): number | undefined {
  if (normalised.length > REFERENCE_SYMBOLS) return undefined;
  let packed = 0;
  for (const symbol of normalised) {
    const value = CROCKFORD_ALPHABET.indexOf(symbol);
    if (value < 0) return undefined;
    packed = packed * 32 + value;
  }
  return packed;
}

export class HistoryIndex extends LineIndex<ClosedRequest> implements HistoryRepository {
  readonly #offset = float64Column();
  readonly #length = uint32Column();
  readonly #closedAt = float64Column();
  readonly #idHash = uint32Column();
  readonly #reference = uint32Column();
  readonly #oddReferences = new Map<number, string>();
  readonly #user = uint32Column();
  readonly #holder = uint32Column();
  readonly #closer = uint32Column();
  /** Desk (bit 3) and outcome (bits 0–2, its place in CLOSED_STATES). */
  readonly #deskOutcome = uint8Column();
  readonly #users = new Dictionary();
  /** Agents' usernames in lower case. */
  readonly #agents = new Dictionary();
  /** The positions matching the filters searched last, so paging does not rescan. */
  readonly #matches = new MatchCache();

  /** How many closed requests are indexed. */
  get count(): number {
    return this.#offset.length;
  }

  /** Bytes the index holds (its columns; the dictionaries' strings are not counted). */
  get bytes(): number {
    return [
      this.#offset,
      this.#length,
      this.#closedAt,
      this.#idHash,
      this.#reference,
      this.#user,
      this.#holder,
      this.#closer,
      this.#deskOutcome,
    ].reduce((sum, column) => sum + column.bytes, 0);
  }

  protected indexLine(bytes: Buffer, span: LineSpan, line: number): void {
    let value: unknown;
    try {
      value = JSON.parse(bytes.toString('utf8'));
    } catch (error) {
      throw corruptFileError(this.file, 'the line is not JSON', { line, cause: error });
    }
    // Checked by hand, not by the schema: a hundred thousand lines are read at every start.
    const keys = indexedFieldsOf(value);
    if (typeof keys === 'string') throw corruptFileError(this.file, keys, { line });
    this.#add(keys, span);
  }

  protected indexRecord(request: ClosedRequest, span: LineSpan): void {
    this.#add(
      {
        ...request,
        holder: request.claimedBy?.username,
        closer: request.closedBy?.username,
      },
      span,
    );
  }

  #add(request: IndexedFields, span: LineSpan): void {
    const i = this.#offset.length;
    this.#offset.push(span.offset);
    this.#length.push(span.length);
    this.#closedAt.push(request.closedAt);
    this.#idHash.push(hash32(request.id));
    const reference = normaliseReference(request.reference);
    const packed = packReference(reference);
    // Only whole codes are packed, so a prefix never matches a shorter code.
    if (packed !== undefined && reference.length === REFERENCE_SYMBOLS)
      this.#reference.push(packed);
    else {
      this.#reference.push(ODD_REFERENCE);
      this.#oddReferences.set(i, reference);
    }
    this.#user.push(this.#users.idOf(request.username));
    this.#holder.push(request.holder ? this.#agents.idOf(request.holder.toLowerCase()) : 0);
    this.#closer.push(request.closer ? this.#agents.idOf(request.closer.toLowerCase()) : 0);
    this.#deskOutcome.push((request.desk === '2' ? 8 : 0) | CLOSED_STATES.indexOf(request.state));
  }

  protected built(): void {
    this.#offset.trim();
    this.#length.trim();
    this.#closedAt.trim();
    this.#idHash.trim();
    this.#reference.trim();
    this.#user.trim();
    this.#holder.trim();
    this.#closer.trim();
    this.#deskOutcome.trim();
  }

  async search(query: HistoryQuery): Promise<{ requests: ClosedRequest[]; total: number }> {
    await this.ready();
    const { key, matcher } = this.#matcher(query);
    const { positions, total } = await this.#matches.page(
      key,
      this.count,
      matcher,
      query.offset,
      query.limit,
    );
    return { requests: await this.#read(positions), total };
  }

  async get(id: string): Promise<ClosedRequest | undefined> {
    await this.ready();
    const hash = hash32(id);
    const candidates: number[] = [];
    const hashes = this.#idHash.data;
    for (let i = this.count - 1; i >= 0; i -= 1) if (hashes[i] === hash) candidates.push(i);
    return (await this.#read(candidates)).find((request) => request.id === id);
  }

  /** The cache's statistics (for tests). */
  get cached(): { entries: number; bytes: number } {
    return this.#matches.size;
  }

  /**
   * A test of one indexed request against the filter, meaning what `historyMatches` means, and the
   * filter's normalised form (the same for filters that mean the same).
   */
  #matcher(filter: HistoryFilter): { key: string; matcher: Matcher } {
    const never = { key: 'none', matcher: 'none' as const };
    const conditions: ((i: number) => boolean)[] = [];
    const reference = referenceTerm(filter.reference);
    if (reference !== undefined) {
      const packed = packReference(reference);
      const shift = 32 ** (REFERENCE_SYMBOLS - reference.length);
      conditions.push((i) => {
        const value = this.#reference.data[i]!;
        if (value === ODD_REFERENCE) return this.#oddReferences.get(i)!.startsWith(reference);
        return packed !== undefined && Math.floor(value / shift) === packed;
      });
    }
    const username =
      filter.username === undefined ? undefined : textTerm(normaliseUsername(filter.username));
    if (username !== undefined) {
      const users = this.#users.matching((name) => name.toLowerCase().startsWith(username));
      conditions.push((i) => users[this.#user.data[i]!] === 1);
    }
    const agentName = textTerm(filter.agent);
    if (agentName !== undefined) {
      const agent = this.#agents.find(agentName);
      if (agent === undefined) return never;
      conditions.push((i) => this.#holder.data[i] === agent || this.#closer.data[i] === agent);
    }
    const desks = (filter.desks ?? DESKS).filter(
      (d) => filter.desk === undefined || d === filter.desk,
    );
    if (desks.length === 0) return never;
    if (desks.length === 1) {
      const bit = desks[0] === '2' ? 8 : 0;
      conditions.push((i) => (this.#deskOutcome.data[i]! & 8) === bit);
    }
    if (filter.outcome !== undefined) {
      const outcome = CLOSED_STATES.indexOf(filter.outcome);
      conditions.push((i) => (this.#deskOutcome.data[i]! & 7) === outcome);
    }
    const { from, to } = filter;
    if (from !== undefined || to !== undefined)
      conditions.push((i) => inRange(this.#closedAt.data[i]!, from, to));
    const key = filterKey([
      reference,
      username,
      agentName,
      desks.length === 1 ? desks[0] : undefined,
      filter.outcome,
      from,
      to,
    ]);
    return { key, matcher: allOf(conditions) };
  }

  async #read(positions: readonly number[]): Promise<ClosedRequest[]> {
    const spans = positions.map((i) => ({
      offset: this.#offset.data[i]!,
      length: this.#length.data[i]!,
    }));
    const texts = await readLines(this.file, spans);
    // Every line of the history is one request, so a position is its line number less one.
    return texts.map((text, k) => closedRecordOf(JSON.parse(text), this.file, positions[k]! + 1));
  }
}

/** The record of a closed request, checked; a 'corrupt' StorageError naming the line if it is not one. */
function closedRecordOf(value: unknown, file: string, line: number): ClosedRequest {
  const parsed = HelpRequestSchema.safeParse(value);
  if (!parsed.success)
    throw corruptFileError(file, describeSchemaIssue(parsed.error), { line, cause: parsed.error });
  const request = parsed.data;
  if (isOpen(request))
    throw corruptFileError(file, `request ${request.id} is ${request.state}, not closed`, { line });
  return request;
}

/** What the index keeps of a closed request. */
interface IndexedFields {
  id: string;
  reference: string;
  desk: HelpDeskId;
  username: string;
  state: ClosedRequest['state'];
  closedAt: number;
  holder: string | undefined;
  closer: string | undefined;
}

/** The indexed fields of a line's record, or what is wrong with it. */
function indexedFieldsOf(value: unknown): IndexedFields | string {
  if (value === null || typeof value !== 'object') return 'the line is not a request';
  const r = value as Record<string, unknown>;
  const text = (key: string) => (typeof r[key] === 'string' ? (r[key] as string) : undefined);
  const agent = (key: string): string | undefined | false => {
    const ref = r[key];
    if (ref === undefined) return undefined;
    const name =
      ref !== null && typeof ref === 'object'
        ? (ref as { username?: unknown }).username
        : undefined;
    return typeof name === 'string' ? name : false;
  };
  const [id, reference, username, desk, state] = [
    text('id'),
    text('reference'),
    text('username'),
    text('desk'),
    text('state'),
  ];
  const holder = agent('claimedBy');
  const closer = agent('closedBy');
  if (id === undefined || reference === undefined || username === undefined)
    return 'the request has no id, reference or username';
  if (desk !== '1' && desk !== '2') return `request ${id} has no desk`;
  if (!(CLOSED_STATES as readonly (string | undefined)[]).includes(state))
    return `request ${id} is ${state ?? 'in no state'}, not closed`;
  if (typeof r.closedAt !== 'number') return `request ${id} has no closedAt`;
  if (holder === false || closer === false)
    return `request ${id} names an agent without a username`;
  return {
    id,
    reference,
    desk,
    username,
    state: state as ClosedRequest['state'],
    closedAt: r.closedAt,
    holder,
    closer,
  };
}
