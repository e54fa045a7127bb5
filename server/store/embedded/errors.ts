// Storage failures that must stop start-up: each names the file, what is wrong and what to do.

export type StorageErrorCode = 'corrupt' | 'locked' | 'unreadable';

export interface StorageErrorOptions {
  /** 1-based line number, for line-oriented files (journals). */
  line?: number;
  /** What is wrong, without the file name and advice (e.g. for a verifier's own report). */
  detail?: string;
  cause?: unknown;
}

export class StorageError extends Error {
  override readonly name = 'StorageError';
  readonly code: StorageErrorCode;
  /** Absolute path of the file (or data directory, for 'locked') the error is about. */
  readonly file: string;
  readonly line: number | undefined;
  readonly detail: string | undefined;

  constructor(
    code: StorageErrorCode,
    file: string,
    message: string,
    options: StorageErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.file = file;
    this.line = options.line;
    this.detail = options.detail;
  }
}

/** A data file whose content cannot be trusted; start-up must stop and nothing may be reset. */
export function corruptFileError(
  file: string,
  problem: string,
  options: StorageErrorOptions = {},
): StorageError {
  const where = options.line === undefined ? '' : ` at line ${options.line}`;
  return new StorageError(
    'corrupt',
    file,
    `Data file ${file} is corrupt${where}: ${problem}. Restore it from a backup or move it away; ` +
      'the server will not start with it (nothing was reset).',
    { ...options, detail: problem },
  );
}

/** A data file the operating system will not let us read or write. */
export function unreadableFileError(file: string, cause: unknown): StorageError {
  return new StorageError(
    'unreadable',
    file,
    `Data file ${file} cannot be accessed: ${describeSystemError(cause)}. Check that it exists, its permissions ` +
      'and the disk; the server will not start without it (nothing was reset).',
    { cause },
  );
}

/** `EACCES: permission denied` style text from a Node system error, or its message. */
export function describeSystemError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    // Node's messages repeat the path; the StorageError message already names the file.
    const text = error.message.replace(/,\s*\w+\s+'[^']*'(\s*->\s*'[^']*')?$/, '');
    return code !== undefined && !text.startsWith(code) ? `${code}: ${text}` : text;
  }
  return String(error);
}

export function errnoCode(error: unknown): string | undefined {
  return error instanceof Error ? (error as NodeJS.ErrnoException).code : undefined;
}

/** The first schema issue as "field a.b.c: message", for 'corrupt' messages. */
export function describeSchemaIssue(error: {
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>;
}): string {
  const issue = error.issues[0];
  if (issue === undefined) return 'it does not match the expected format';
  const fieldPath = issue.path.map((key) => String(key)).join('.');
  return `${fieldPath === '' ? 'the top-level value' : `field ${fieldPath}`}: ${issue.message}`;
}
