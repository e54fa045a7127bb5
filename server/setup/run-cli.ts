// Runs a command-line tool's main when its module is the script node was started with (directly or
// through a symlink), and exits with the code main answers; an unexpected failure prints and exits 1.
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';

function isEntryPoint(moduleUrl: string): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  if (moduleUrl === pathToFileURL(script).href) return true;
  try {
    return moduleUrl === pathToFileURL(fs.realpathSync(script)).href;
  } catch {
    return false;
  }
}

/** Call as `runIfEntryPoint(import.meta.url, main)`; importing the module (tests) runs nothing. */
export function runIfEntryPoint(moduleUrl: string, main: () => Promise<number>): void {
  if (!isEntryPoint(moduleUrl)) return;
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(
        `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exitCode = 1;
    },
  );
}
