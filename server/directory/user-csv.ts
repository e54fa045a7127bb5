// The embedded directory's CSV file: reading an import (rows checked one by one, with their line and
// column) and writing an export that is safe to open in a spreadsheet.
import { Readable } from 'node:stream';
import { CsvError, parse, type Info } from 'csv-parse';
import { stringify } from 'csv-stringify/sync';
import type { DirectoryUserInput, DirectoryUserView, ImportRowError } from '../contract/directory';
import { DIRECTORY_CSV_COLUMNS, DirectoryUserInputSchema } from '../contract/directory';
import { normaliseUsername } from '../contract/username';
import { isE164, normalisePhone } from './phone';

export type CsvColumn = (typeof DIRECTORY_CSV_COLUMNS)[number];

/** What a row asks of the user's password. */
export type CsvPassword =
  /** Empty cell: a new user has no password (no password sign-in until reset); an existing one keeps theirs. */
  | { kind: 'keep' }
  /** `generate`: a new random password, answered once. */
  | { kind: 'generate' }
  | { kind: 'set'; password: string };

export interface CsvUserRow {
  /** Line of the file the row starts on (the header is line 1). */
  line: number;
  user: DirectoryUserInput;
  password: CsvPassword;
}

export interface ParsedUserCsv {
  /** The rows without errors. */
  rows: CsvUserRow[];
  errors: ImportRowError[];
  /** Rows in the file (blank lines not counted), with or without errors. */
  rowCount: number;
}

/**
 * Columns a file must have. The others may be left out: an existing user keeps what they have, a
 * new one gets empty fields, enabled, not privileged (and a name is needed for them).
 */
const REQUIRED_COLUMNS: readonly CsvColumn[] = ['username'];
const MIN_PASSWORD_LENGTH = 12;
const MAX_PASSWORD_LENGTH = 256;
/** Beyond this many, errors are summed up in one last entry: nobody reads ten thousand of them. */
const MAX_LISTED_ERRORS = 500;

const TRUE_WORDS = new Set(['true', 'yes', 'y', '1']);
const FALSE_WORDS = new Set(['false', 'no', 'n', '0']);

/** Characters that make a spreadsheet read a cell as a formula (OWASP's CSV injection list). */
const FORMULA_START = /^[=+\-@\t\r]/;

/** How often the checking of a long file gives the event loop a turn. */
const YIELD_EVERY_ROWS = 500;
/** The file is fed to the parser in pieces, so parsing too is interleaved with other work. */
const SLICE_CHARS = 64 * 1024;

/** The text in pieces, never splitting a surrogate pair (a character outside the BMP). */
function* slices(text: string): Generator<string> {
  for (let at = 0; at < text.length;) {
    let end = Math.min(at + SLICE_CHARS, text.length);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end -= 1;
    yield text.slice(at, end);
    at = end;
  }
}

/** The delimiter of the header line: `;` (spreadsheets in many locales) or `,`. */
function delimiterOf(text: string): ',' | ';' {
  const header = text.slice(0, text.search(/\r?\n|$/));
  const count = (c: string) => header.split(c).length - 1;
  return count(';') > count(',') ? ';' : ',';
}

function parseFlag(cell: string, fallback: boolean): boolean | undefined {
  const word = cell.trim().toLowerCase();
  if (word === '') return fallback;
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  return undefined;
}

/** Undoes the export's formula guard, so an exported file imports to the same values. */
function unguard(cell: string): string {
  return cell.startsWith("'") && FORMULA_START.test(cell.slice(1)) ? cell.slice(1) : cell;
}

interface Header {
  /** For each canonical column present, its index in a record. */
  index: Map<CsvColumn, number>;
  errors: string[];
}

function readHeader(cells: readonly string[]): Header {
  const byLowerName = new Map(DIRECTORY_CSV_COLUMNS.map((c) => [c.toLowerCase(), c]));
  const index = new Map<CsvColumn, number>();
  const unknown: string[] = [];
  const repeated: string[] = [];
  cells.forEach((raw, i) => {
    const name = raw.trim();
    const column = byLowerName.get(name.toLowerCase());
    if (!column) {
      if (name !== '') unknown.push(name);
      return;
    }
    if (index.has(column)) repeated.push(column);
    else index.set(column, i);
  });
  const errors: string[] = [];
  if (unknown.length > 0)
    errors.push(
      `Unknown column${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `"${n.slice(0, 40)}"`).join(', ')}; ` +
        `the columns are ${DIRECTORY_CSV_COLUMNS.join(', ')}`,
    );
  if (repeated.length > 0) errors.push(`Column ${repeated.join(', ')} appears more than once`);
  const missing = REQUIRED_COLUMNS.filter((c) => !index.has(c));
  if (missing.length > 0)
    errors.push(
      `The header row must name the column${missing.length > 1 ? 's' : ''} ${missing.join(' and ')}` +
        ` (the first line holds the column names: ${DIRECTORY_CSV_COLUMNS.join(',')})`,
    );
  return { index, errors };
}

/**
 * Reads a directory CSV: a header row naming the columns (any case, any order, `,` or `;`), then a
 * user per row. Every row is checked as the console checks one user, phone numbers normalised with
 * `phoneCountry`; a username may appear once. Rows with errors are not returned.
 */
export async function parseUserCsv(
  text: string,
  options: {
    phoneCountry: string;
    /** The stored user of a (normalised) username: columns the file leaves out keep their values. */
    existing?: (username: string) => DirectoryUserInput | undefined;
  },
): Promise<ParsedUserCsv> {
  const errors: ImportRowError[] = [];
  const rows: CsvUserRow[] = [];
  const firstLineOf = new Map<string, number>();
  let header: Header | undefined;
  let width = 0;
  let rowCount = 0;
  let hidden = 0;
  let firstHiddenLine = 0;
  const fail = (line: number, column: string | null, message: string) => {
    if (errors.length < MAX_LISTED_ERRORS) errors.push({ line, column, message });
    else if (hidden++ === 0) firstHiddenLine = line;
  };
  const parser = parse({
    bom: true,
    delimiter: delimiterOf(text.replace(/^\uFEFF/, '')),
    info: true,
    relax_column_count: true,
    skip_empty_lines: true,
  });
  Readable.from(slices(text)).pipe(parser);
  try {
    let seen = 0;
    // csv-parse's typings do not model `info: true`, which wraps each record with where it ended.
    for await (const { record, info } of parser as AsyncIterable<{
      record: string[];
      info: Info;
    }>) {
      // A 10 MB file is some 100,000 rows: let sockets and sign-ins through while they are checked.
      if (++seen % YIELD_EVERY_ROWS === 0) await new Promise((resolve) => setImmediate(resolve));
      if (header === undefined) {
        header = readHeader(record);
        width = record.length;
        if (header.errors.length > 0) {
          parser.destroy();
          return {
            rows: [],
            rowCount: 0,
            errors: header.errors.map((message) => ({ line: 1, column: null, message })),
          };
        }
        continue;
      }
      // csv-parse counts the line a record ends on; a quoted cell may span lines.
      const newlines = record.reduce((n, cell) => n + (cell.match(/\n/g)?.length ?? 0), 0);
      const line = info.lines - newlines;
      if (record.every((cell) => cell.trim() === '')) continue;
      rowCount += 1;
      checkRow(record, line, header.index);
    }
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    const { lines, message } = error;
    errors.push({
      line: typeof lines === 'number' ? lines : 1,
      column: null,
      message: `The file is not valid CSV: ${message}`,
    });
    return { rows: [], rowCount, errors };
  }
  if (header === undefined)
    return {
      rows: [],
      rowCount: 0,
      errors: [
        {
          line: 1,
          column: null,
          message: `The file is empty: it needs a header row (${DIRECTORY_CSV_COLUMNS.join(',')}) and a row per user`,
        },
      ],
    };
  if (hidden > 0)
    errors.push({
      line: firstHiddenLine,
      column: null,
      message: `…and ${hidden} more error${hidden > 1 ? 's' : ''} from this line on, not listed`,
    });
  if (rowCount === 0)
    errors.push({ line: 2, column: null, message: 'The file has a header row but no users' });
  return { rows, errors, rowCount };

  function checkRow(record: string[], line: number, index: Header['index']): void {
    if (record.length !== width) {
      fail(line, null, `Expected ${width} cells as in the header row, found ${record.length}`);
      return;
    }
    const cell = (column: CsvColumn): string => {
      const at = index.get(column);
      return at === undefined ? '' : unguard(record[at] ?? '');
    };
    let rowFailed = false;
    const rowError = (column: string | null, message: string) => {
      rowFailed = true;
      fail(line, column, message);
    };

    const current = options.existing?.(normaliseUsername(cell('username')));
    /** A column the file leaves out keeps the stored value. */
    const kept = <K extends Exclude<CsvColumn, 'password'>>(column: K) =>
      current !== undefined && !index.has(column) ? { value: current[column] } : undefined;
    const text = (column: Exclude<CsvColumn, 'password' | 'enabled' | 'privileged'>) =>
      kept(column)?.value ?? cell(column);

    const enabled = kept('enabled')?.value ?? parseFlag(cell('enabled'), true);
    if (enabled === undefined) rowError('enabled', 'Use true or false (yes/no, 1/0)');
    const privileged = kept('privileged')?.value ?? parseFlag(cell('privileged'), false);
    if (privileged === undefined) rowError('privileged', 'Use true or false (yes/no, 1/0)');

    const parsed = DirectoryUserInputSchema.safeParse({
      username: cell('username'),
      displayName: text('displayName'),
      email: text('email'),
      phone: text('phone'),
      employeeId: text('employeeId'),
      department: text('department'),
      manager: text('manager'),
      enabled: enabled ?? true,
      privileged: privileged ?? false,
    });
    if (!parsed.success) {
      const seen = new Set<string>();
      for (const issue of parsed.error.issues) {
        const column = String(issue.path[0] ?? '') || null;
        if (seen.has(column ?? '')) continue;
        seen.add(column ?? '');
        rowError(column, issue.message);
      }
    }

    const phone = normalisePhone(parsed.success ? parsed.data.phone : '', options.phoneCountry);
    if (!phone.ok) rowError('phone', phone.message);

    const passwordCell = index.has('password') ? (record[index.get('password') ?? 0] ?? '') : '';
    let password: CsvPassword = { kind: 'keep' };
    if (passwordCell.trim().toLowerCase() === 'generate') password = { kind: 'generate' };
    else if (passwordCell !== '') {
      if (passwordCell.length < MIN_PASSWORD_LENGTH)
        rowError(
          'password',
          `At least ${MIN_PASSWORD_LENGTH} characters (or "generate", or empty for none)`,
        );
      else if (passwordCell.length > MAX_PASSWORD_LENGTH)
        rowError('password', `At most ${MAX_PASSWORD_LENGTH} characters`);
      else password = { kind: 'set', password: passwordCell };
    }

    if (parsed.success) {
      const username = parsed.data.username;
      const earlier = firstLineOf.get(username);
      if (earlier !== undefined)
        rowError('username', `"${username}" is already on line ${earlier}; a user may appear once`);
      else firstLineOf.set(username, line);
    }
    if (rowFailed || !parsed.success || !phone.ok) return;
    rows.push({ line, user: { ...parsed.data, phone: phone.phone }, password });
  }
}

/** A cell a spreadsheet will show as text, never run as a formula; stored phone numbers stay as they are. */
export function guardCell(value: string, column: CsvColumn): string {
  if (column === 'phone' && isE164(value)) return value;
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/** The users as a directory CSV (header row first); the password column is always empty. */
export function formatUserCsv(users: readonly DirectoryUserView[]): string {
  const records = users.map((user) =>
    DIRECTORY_CSV_COLUMNS.map((column) => {
      if (column === 'password') return '';
      const value = user[column];
      return typeof value === 'boolean' ? String(value) : guardCell(value, column);
    }),
  );
  return stringify(records, { header: true, columns: [...DIRECTORY_CSV_COLUMNS], eof: true });
}
