// `npm run lint:electron`: runs Doyensec's Electronegativity, an Electron security scanner, over
// the desktop app's own code (main/ and preload/) for the Electron version installed, and fails on
// any finding of medium severity or more not justified in the code, or on a file it cannot parse.
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  EXCLUDED_CHECKS,
  FAIL_AT_SEVERITY,
  describeFinding,
  judgeFindings,
  justifiedInCode,
} from './electronegativity.mjs';

const rootDir = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(join(rootDir, 'package.json'));
const SCANNED_DIRS = ['main', 'preload'];

const electronVersion = require('electron/package.json').version;
const scannerVersion = require('@doyensec/electronegativity/package.json').version;
const runScanner = require('@doyensec/electronegativity/dist/runner.js');

/** The files the scanner reads (it knows these extensions only; .mjs or .cts would go unread). */
function sourceFiles(dir) {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.(ts|tsx|js|jsx|html|htm)$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name));
}

/**
 * The scanner first tries to download newer translations of its messages and says so on stdout
 * when it cannot; that line is noise here (its messages ship with it), so it is dropped.
 */
async function quietly(action) {
  const log = console.log;
  console.log = (...args) => {
    if (String(args[0]).startsWith('Could not retrieve updated translations')) return;
    log(...args);
  };
  try {
    return await action();
  } finally {
    console.log = log;
  }
}

// The scanner takes one folder, and its app-wide checks (a CSP, navigation limits, a permission
// handler somewhere in the app) need main/ and preload/ together: it scans a copy holding both.
const staging = mkdtempSync(join(tmpdir(), 'lint-electron-'));
let result;
try {
  for (const dir of SCANNED_DIRS)
    cpSync(join(rootDir, dir), join(staging, dir), { recursive: true });
  result = await quietly(() =>
    runScanner({
      input: staging,
      isRelative: true,
      customScan: [],
      excludeFromScan: Object.keys(EXCLUDED_CHECKS),
      electronVersionOverride: electronVersion,
      parserPlugins: [],
    }),
  );
} finally {
  rmSync(staging, { recursive: true, force: true });
}
const checks = result.globalChecks + result.atomicChecks;
const { issues } = result;
const errors = result.errors.map((error) => ({ ...error, file: relative(staging, error.file) }));

const files = SCANNED_DIRS.flatMap((dir) => sourceFiles(join(rootDir, dir)));
const justified = files.flatMap((file) =>
  justifiedInCode(relative(rootDir, file), readFileSync(file, 'utf8')),
);
const { failing, reported, unparsed, ok } = judgeFindings({ issues, errors });

console.log(
  `Electronegativity ${scannerVersion}, ${checks} checks for Electron ${electronVersion}, ` +
    `over ${files.length} files in ${SCANNED_DIRS.map((dir) => `${dir}/`).join(' and ')}`,
);
for (const [check, why] of Object.entries(EXCLUDED_CHECKS))
  console.log(`  not run: ${check}: ${why}`);
for (const { file, line, checks: ids } of justified) {
  console.log(`  justified in the code: ${file}:${line} ${ids.join(', ')}`);
}
for (const issue of reported) console.log(`  below ${FAIL_AT_SEVERITY}: ${describeFinding(issue)}`);
for (const error of errors.filter((e) => e.tolerable)) {
  console.log(`  parsed with a warning: ${error.file}: ${error.message}`);
}
for (const issue of failing) console.error(`  FAIL ${describeFinding(issue)}`);
for (const error of unparsed)
  console.error(`  FAIL could not parse ${error.file}: ${error.message}`);

if (files.length === 0) {
  console.error('lint:electron found no files to scan.');
  process.exitCode = 1;
} else if (!ok) {
  console.error(
    `lint:electron: ${failing.length} finding(s) of ${FAIL_AT_SEVERITY} severity or more and ` +
      `${unparsed.length} unparsed file(s). Fix them or, for a false positive, add ` +
      '"// eng-disable CHECK_ID" on the line with a comment saying why.',
  );
  process.exitCode = 1;
} else {
  console.log(`lint:electron: no findings of ${FAIL_AT_SEVERITY} severity or more.`);
}
