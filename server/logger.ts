// The server's log: structured JSON lines (pino) for log collectors, readable lines in a terminal.
// Every line of an HTTP request or socket event carries its id (`reqId`); passwords, tokens,
// passcodes, cookies and Authorization never reach it (see logging/redaction.ts).
import pino from 'pino';
import PinoPretty from 'pino-pretty';
import { currentRequestId } from './logging/request-context';
import { CENSOR, REDACTED_PATHS, scrubText } from './logging/redaction';

/** What the code logs through: a message, and optionally fields (never secrets). */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, error?: unknown): void;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LoggerOptions {
  /** Default `info` (env LOG_LEVEL). */
  level?: LogLevel;
  /** Readable lines instead of JSON; default: when stdout is a terminal. */
  pretty?: boolean;
  /** Where lines go (default stdout); tests pass a stream to read them. */
  destination?: NodeJS.WritableStream;
}

/** An error as a log field: its kind, code and message and stack with any secret scrubbed out. */
function errorFields(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error))
    return error === undefined ? {} : { err: scrubText(String(error)) };
  const code = (error as { code?: unknown }).code;
  return {
    err: {
      type: error.name,
      message: scrubText(error.message),
      ...(code === undefined ? {} : { code }),
      ...(error.stack ? { stack: scrubText(error.stack) } : {}),
    },
  };
}

export function pinoLogger(options: LoggerOptions = {}): Logger {
  const pretty = options.pretty ?? (options.destination === undefined && process.stdout.isTTY);
  const destination =
    options.destination ??
    (pretty
      ? PinoPretty({ colorize: true, sync: true, ignore: 'pid,hostname' })
      : // Synchronous: a line written before a crash is in the log.
        pino.destination({ sync: true }));
  const log = pino(
    {
      level: options.level ?? 'info',
      base: undefined,
      redact: { paths: [...REDACTED_PATHS], censor: CENSOR },
      mixin: () => {
        const reqId = currentRequestId();
        return reqId === undefined ? {} : { reqId };
      },
      formatters: { level: (label) => ({ level: label }) },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
  return {
    info: (message, fields) => log.info(fields ?? {}, scrubText(message)),
    warn: (message, fields) => log.warn(fields ?? {}, scrubText(message)),
    error: (message, error) => log.error(errorFields(error), scrubText(message)),
  };
}

/** The process's log as the entry point configures it (LOG_LEVEL, a terminal or not). */
export function consoleLogger(): Logger {
  const level = process.env.LOG_LEVEL as LogLevel | undefined;
  return pinoLogger({ level: level && LOG_LEVELS.includes(level) ? level : 'info' });
}

export function silentLogger(): Logger {
  return { info: () => {}, warn: () => {}, error: () => {} };
}
