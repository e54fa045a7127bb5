// Command line for moving a store, with the server stopped:
// `npm run store -- copy --from DIR --to postgres://…` copies an embedded data dir into an empty
// PostgreSQL database, then checks the copy.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runIfEntryPoint } from '../setup/run-cli';

export const USAGE = `Usage: npm run store -- copy --from DIR --to postgres://USER@HOST:PORT/DATABASE

Copies the embedded store in a data directory (no server may run on it) into an empty PostgreSQL
database, in one transaction: realm, keys and secrets, agents, sessions, directory users,
persistent-token revocations, outbox, method blocks, used links, activity, sign-ins, open and
closed requests, and the audit log with its seqs and hashes as they are. Then it opens the copy
and checks it: the count of every part, the audit chain, and its last hash against the source's.
A database that already holds a store (or other tables) is refused; nothing is copied into it.

Then start the server with --store postgres://… (the data directory is left as it was).

Options:
  --from DIR    the server's data directory
  --to URL      the PostgreSQL database (a password may be given in the URL or PGPASSWORD)
  -h, --help    this text

Exit codes: 0 copied and checked, 1 refused or failed, 2 wrong usage.`;

export interface CliOutput {
  out(text: string): void;
  err(text: string): void;
}

const consoleOutput: CliOutput = {
  out: (text) => void process.stdout.write(`${text}\n`),
  err: (text) => void process.stderr.write(`${text}\n`),
};

const OPTIONS = {
  from: { type: 'string' },
  to: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

/** Runs one command and returns the exit code: 0 done, 1 refused or failed, 2 wrong usage. */
export async function main(
  argv: readonly string[] = process.argv.slice(2),
  output: CliOutput = consoleOutput,
): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true });
  } catch (error) {
    output.err(`${(error as Error).message}\nRun "npm run store -- --help" for the options.`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help || positionals.length === 0) {
    output.out(USAGE);
    return values.help ? 0 : 2;
  }
  const [command, ...rest] = positionals;
  const problem =
    command !== 'copy'
      ? `Unknown command "${command}".`
      : rest.length > 0
        ? `Unexpected "${rest.join(' ')}".`
        : !values.from
          ? 'Give the data directory with --from DIR.'
          : !values.to || !/^postgres(ql)?:\/\//.test(values.to)
            ? 'Give the PostgreSQL database with --to postgres://USER@HOST:PORT/DATABASE.'
            : undefined;
  if (problem) {
    output.err(`${problem}\nRun "npm run store -- --help" for the options.`);
    return 2;
  }
  const from = path.resolve(values.from!);
  const to = values.to!;

  // The stores' modules load only now: --help and wrong usage answer at once.
  const [{ copyEmbeddedToPostgres, CopyRefusedError }, { StorageError }, { maskUrl }] =
    await Promise.all([
      import('./postgres/copy-from-embedded'),
      import('./embedded/errors'),
      import('./postgres/errors'),
    ]);
  output.out(`Copying ${from} into ${maskUrl(to)} …`);
  try {
    const summary = await copyEmbeddedToPostgres(from, to);
    const width = Math.max(...summary.parts.map((p) => p.part.length));
    for (const { part, copied } of summary.parts) output.out(`  ${part.padEnd(width)}  ${copied}`);
    output.out(
      `Copied and checked: every count matches its source, and the audit chain of ` +
        `${summary.audit.entries} entries is unbroken and ends at the source's last hash ` +
        `${summary.audit.lastHash}.\nStart the server with --store ${maskUrl(to)}.`,
    );
    return 0;
  } catch (error) {
    if (error instanceof CopyRefusedError) {
      output.err(error.message);
      return 1;
    }
    if (error instanceof StorageError) {
      output.err(
        error.code === 'locked'
          ? `A server is running on the data directory ${from}: stop it, then copy again.`
          : error.message,
      );
      return 1;
    }
    const why = error instanceof Error ? error.message : String(error);
    output.err(`The copy failed and nothing was committed: ${why.replaceAll(to, maskUrl(to))}`);
    return 1;
  }
}

runIfEntryPoint(import.meta.url, () => main());
