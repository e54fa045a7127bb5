// Command line check of the audit log's hash chain: `tsx server/audit/verify-cli.ts [--data DIR]`.
import fs from 'node:fs';
import path from 'node:path';
import { StorageError, verifyAuditLog } from '../store/embedded/embedded-store';
import { runIfEntryPoint } from '../setup/run-cli';

export const AUDIT_LOG_FILE_NAME = 'audit.jsonl';

const USAGE = 'Usage: tsx server/audit/verify-cli.ts [--data DIR]   (default: $DATA_DIR or ./data)';

interface Output {
  out(line: string): void;
  err(line: string): void;
}

const consoleOutput: Output = {
  out: (line) => void process.stdout.write(`${line}\n`),
  err: (line) => void process.stderr.write(`${line}\n`),
};

/** Runs the check and returns the exit code: 0 intact, 1 broken or missing, 2 bad arguments. */
export async function main(
  argv: readonly string[] = process.argv.slice(2),
  env: NodeJS.ProcessEnv = process.env,
  output: Output = consoleOutput,
): Promise<number> {
  const parsed = parseArgs(argv);
  if ('help' in parsed) {
    output.out(USAGE);
    return 0;
  }
  if ('error' in parsed) {
    output.err(`${parsed.error}\n${USAGE}`);
    return 2;
  }
  const fromEnv = env.DATA_DIR?.trim();
  const dataDir = path.resolve(parsed.dataDir ?? (fromEnv ? fromEnv : './data'));
  const file = path.join(dataDir, AUDIT_LOG_FILE_NAME);
  if (!fs.existsSync(file)) {
    output.err(`audit log ${file}: not found. Is ${dataDir} the server's data directory (--data)?`);
    return 1;
  }
  try {
    const result = await verifyAuditLog(file);
    if (result.ok) {
      const noun = result.entries === 1 ? 'entry' : 'entries';
      output.out(
        `audit log ${file}: ${result.entries} ${noun}, chain intact (last hash ${result.lastHash})`,
      );
      return 0;
    }
    output.out(
      `audit log ${file}: chain BROKEN at seq ${result.seq} (line ${result.line}): ${result.reason}. ` +
        `${result.entries} entries before it verified.`,
    );
    return 1;
  } catch (error) {
    output.err(
      `audit log ${file}: ${error instanceof StorageError ? error.message : String(error)}`,
    );
    return 1;
  }
}

function parseArgs(
  argv: readonly string[],
): { dataDir: string | undefined } | { help: true } | { error: string } {
  let dataDir: string | undefined;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    if (arg === '--help' || arg === '-h') return { help: true };
    if (arg === '--data') {
      const value = argv[i + 1];
      if (value === undefined || value === '') return { error: '--data needs a directory.' };
      dataDir = value;
      i += 1;
    } else if (arg.startsWith('--data=')) {
      dataDir = arg.slice('--data='.length);
      if (dataDir === '') return { error: '--data needs a directory.' };
    } else {
      return { error: `Unknown argument: ${arg}` };
    }
  }
  return { dataDir };
}

runIfEntryPoint(import.meta.url, main);
