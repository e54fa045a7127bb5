// Command line for the embedded directory, for first set-up and scripts, with the server stopped:
// `npm run directory -- import|export|add|disable|enable|reset-password|delete … [--data DIR]`.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { DirectoryUserInput } from '../contract/directory';
import { ServiceError } from '../errors';
import type { Logger } from '../logger';
import type { DirectoryAdmin } from './directory-admin';
import { runIfEntryPoint } from '../setup/run-cli';

export const USAGE = `Usage: npm run directory -- <command> [options] [--data DIR]

Manages the embedded directory's users in a data directory while no server runs on it
(while one does, use the console: Settings → Directory → Users).

Commands:
  import FILE.csv [--dry-run]   add or replace the users of a CSV file; nothing is stored
                                unless every row is valid. --dry-run only checks.
                                Header row (any order; only username is required; a left-out
                                column keeps an existing user's value): username,displayName,
                                email,phone,employeeId,department,manager,enabled,privileged,
                                password (empty: keep / none; "generate": printed once)
  export [--out FILE]           write every user as CSV (no passwords) to FILE or stdout
  add USERNAME --name "Jane Doe" [--email E] [--phone P] [--employee-id ID]
      [--department D] [--manager M] [--privileged] [--disabled]
                                add a user; prints their generated password once
  disable USERNAME              disable a user (ends their open requests)
  enable USERNAME               enable a user
  reset-password USERNAME       give a user a new password; prints it once
  delete USERNAME               delete a user (ends their open requests)

Options:
  --data DIR    the server's data directory (env DATA_DIR, default ./data)
  -h, --help    this text

Exit codes: 0 done, 1 refused or invalid (e.g. rows with errors), 2 wrong usage.`;

export interface CliOutput {
  out(text: string): void;
  err(text: string): void;
}

const consoleOutput: CliOutput = {
  out: (text) => void process.stdout.write(`${text}\n`),
  err: (text) => void process.stderr.write(`${text}\n`),
};

class UsageError extends Error {}

const OPTIONS = {
  data: { type: 'string' },
  'dry-run': { type: 'boolean', default: false },
  out: { type: 'string' },
  name: { type: 'string' },
  email: { type: 'string', default: '' },
  phone: { type: 'string', default: '' },
  'employee-id': { type: 'string', default: '' },
  department: { type: 'string', default: '' },
  manager: { type: 'string', default: '' },
  privileged: { type: 'boolean', default: false },
  disabled: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

type Values = ReturnType<
  typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>
>['values'];

/** Which options each command takes (besides --data and --help). */
const COMMAND_OPTIONS: Record<string, readonly (keyof typeof OPTIONS)[]> = {
  import: ['dry-run'],
  export: ['out'],
  add: ['name', 'email', 'phone', 'employee-id', 'department', 'manager', 'privileged', 'disabled'],
  disable: [],
  enable: [],
  'reset-password': [],
  delete: [],
};
/** How many arguments follow each command. */
const COMMAND_ARGUMENTS: Record<string, number> = { import: 1, export: 0 };

function parseCommand(argv: readonly string[]): {
  command: string;
  operand: string | undefined;
  values: Values;
} {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  const [command, ...operands] = positionals;
  if (values.help) return { command: 'help', operand: undefined, values };
  if (command === undefined) throw new UsageError('Name a command.');
  const allowed = COMMAND_OPTIONS[command];
  if (!allowed) throw new UsageError(`Unknown command "${command}".`);
  const expected = COMMAND_ARGUMENTS[command] ?? 1;
  if (operands.length !== expected)
    throw new UsageError(
      expected === 0
        ? `"${command}" takes no arguments besides its options.`
        : `"${command}" takes ${command === 'import' ? 'a CSV file' : 'a USERNAME'}.`,
    );
  const given = (argv as string[])
    .filter((a) => a.startsWith('--'))
    .map((a) => a.slice(2).split('=')[0] as keyof typeof OPTIONS);
  const foreign = given.filter((o) => o !== 'data' && o !== 'help' && !allowed.includes(o));
  if (foreign.length > 0)
    throw new UsageError(`"${command}" does not take --${foreign.join(', --')}.`);
  if (command === 'add' && (values.name ?? '').trim() === '')
    throw new UsageError('"add" needs --name "Full Name".');
  return { command, operand: operands[0], values };
}

async function isEmptyDir(dir: string): Promise<boolean> {
  try {
    return (await fs.promises.readdir(dir)).length === 0;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw error;
  }
}

/** Everything the server would log goes to stderr, so `export` to stdout stays a clean CSV. */
function stderrLogger(output: CliOutput): Logger {
  return {
    info: (m) => output.err(m),
    warn: (m) => output.err(`warning: ${m}`),
    error: (m, e) => output.err(`error: ${m}${e instanceof Error ? `: ${e.message}` : ''}`),
  };
}

function cliActor(): string {
  try {
    return `cli:${os.userInfo().username}`;
  } catch {
    return 'cli';
  }
}

/** Runs one command and returns the exit code: 0 done, 1 refused or invalid, 2 wrong usage. */
export async function main(
  argv: readonly string[] = process.argv.slice(2),
  env: NodeJS.ProcessEnv = process.env,
  output: CliOutput = consoleOutput,
): Promise<number> {
  let parsed;
  try {
    parsed = parseCommand(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    output.err(`${error.message}\nRun "npm run directory -- --help" for the commands and options.`);
    return 2;
  }
  const { command, operand, values } = parsed;
  if (command === 'help') {
    output.out(USAGE);
    return 0;
  }
  const fromEnv = env.DATA_DIR?.trim();
  const dataDir = path.resolve(values.data ?? (fromEnv ? fromEnv : './data'));

  // Read the file before opening the data dir: a wrong path costs nothing.
  let csv: string | undefined;
  if (command === 'import') {
    try {
      csv = await fs.promises.readFile(operand ?? '', 'utf8');
    } catch (error) {
      output.err(`Cannot read ${operand}: ${(error as NodeJS.ErrnoException).code ?? error}`);
      return 1;
    }
  }

  // Only import and add may start a new data dir (first set-up); a mistyped --data elsewhere is an error.
  if (command !== 'import' && command !== 'add' && (await isEmptyDir(dataDir))) {
    output.err(`There is no data directory at ${dataDir}: give the server's one with --data DIR.`);
    return 1;
  }

  // The server's modules load only now: --help and wrong usage answer at once.
  const [{ createApp }, { createFirstAdmin }, { StorageError, openEmbeddedStore }] =
    await Promise.all([
      import('../app'),
      import('../setup/first-run'),
      import('../store/embedded/embedded-store'),
    ]);
  let store;
  try {
    store = await openEmbeddedStore(dataDir);
  } catch (error) {
    if (!(error instanceof StorageError)) throw error;
    output.err(
      error.code === 'locked'
        ? `A server is running on the data directory ${dataDir}: it owns the directory's users while it runs. ` +
            'Stop it and run this again, or make the change in the console (Settings → Directory → Users), ' +
            'where imports and exports work too.'
        : error.message,
    );
    return 1;
  }
  const app = createApp({ store, version: 'cli', logger: stderrLogger(output) });
  try {
    if (store.firstRun) {
      // A new data dir gets its first admin here, as the server would have made it on its first start.
      const admin = await createFirstAdmin(app.agents);
      output.err(
        `New data directory ${dataDir}: the first admin is "${admin.username}" with password ${admin.password}\n` +
          'It is shown once and not stored in clear anywhere. Save it now.',
      );
    }
    return await run(app.directoryUsers, command, operand ?? '', values, csv ?? '', output);
  } catch (error) {
    if (!(error instanceof ServiceError)) throw error;
    output.err(error.message);
    return 1;
  } finally {
    await app.close();
  }
}

async function run(
  users: DirectoryAdmin,
  command: string,
  operand: string,
  values: Values,
  csv: string,
  output: CliOutput,
): Promise<number> {
  const actor = cliActor();
  switch (command) {
    case 'import': {
      const dryRun = values['dry-run'];
      const result = await users.importCsv(csv, { commit: !dryRun }, actor);
      for (const e of result.errors)
        output.err(`line ${e.line}${e.column ? `, ${e.column}` : ''}: ${e.message}`);
      if (result.errors.length > 0) {
        output.err(
          `${operand}: not imported, nothing changed: fix the rows above and run this again.`,
        );
        return 1;
      }
      const counts = `${result.rows} rows: ${result.added} to add, ${result.updated} to replace`;
      if (!result.committed) {
        output.out(`${operand}: valid. ${counts}. Nothing was stored (--dry-run).`);
        return 0;
      }
      output.out(
        `${operand}: imported ${result.rows} users (${result.added} added, ${result.updated} replaced) in ${result.elapsedMs} ms.`,
      );
      if (result.generatedPasswords.length > 0) {
        output.out('Generated passwords, shown once and not stored in clear anywhere:');
        for (const g of result.generatedPasswords) output.out(`  ${g.username}\t${g.password}`);
      }
      return 0;
    }
    case 'export': {
      const csv = await users.exportCsvFor(actor);
      if (values.out === undefined) {
        output.out(csv.replace(/\r?\n$/, ''));
        return 0;
      }
      // A file is for a spreadsheet, which reads UTF-8 as such only after a byte-order mark.
      await fs.promises.writeFile(values.out, `\uFEFF${csv}`, { mode: 0o600 });
      output.err(`Wrote ${users.search('', 0, 1).total} users to ${values.out}.`);
      return 0;
    }
    case 'add': {
      const user: DirectoryUserInput = {
        username: operand,
        displayName: values.name ?? '',
        email: values.email,
        phone: values.phone,
        employeeId: values['employee-id'],
        department: values.department,
        manager: values.manager,
        enabled: !values.disabled,
        privileged: values.privileged,
      };
      const result = await users.add(user, undefined, actor);
      output.out(`Added ${result.user.username} (${result.user.displayName}).`);
      output.out(`Password (shown once, not stored in clear anywhere): ${result.password ?? ''}`);
      return 0;
    }
    case 'disable':
    case 'enable': {
      const { user } = await users.setEnabled(operand, command === 'enable', actor);
      output.out(`${user.username} is ${user.enabled ? 'enabled' : 'disabled'}.`);
      return 0;
    }
    case 'reset-password': {
      const { user, password } = await users.resetPassword(operand, actor);
      output.out(`New password for ${user.username} (shown once): ${password}`);
      return 0;
    }
    case 'delete': {
      const { username, cancelledRequests } = await users.remove(operand, actor);
      output.out(
        `Deleted ${username}${cancelledRequests ? `; ended ${cancelledRequests} open request(s)` : ''}.`,
      );
      return 0;
    }
    default:
      throw new UsageError(`Unknown command "${command}".`);
  }
}

runIfEntryPoint(import.meta.url, main);
