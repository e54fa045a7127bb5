// Vite build of the server for production: server/ → out/server/, run with `node out/server/index.js`.
// One ES module per source file (the source tree's layout), dependencies left as imports of
// node_modules, and every file under server/ that is not TypeScript (the sign-in pages' assets,
// the PostgreSQL store's migrations) copied beside the code that reads it.
import { cpSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const ROOT = fileURLToPath(new URL('.', import.meta.url));
const SOURCE_DIR = path.join(ROOT, 'server');
const OUT_DIR = path.join(ROOT, 'out', 'server');
const ENTRY_POINTS = ['index.ts', 'directory/directory-cli.ts', 'audit/verify-cli.ts'];

/** Files under server/ the server reads at run time: everything that is not compiled. */
function runtimeFiles(dir = SOURCE_DIR): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return runtimeFiles(file);
    return /\.[cm]?tsx?$/.test(entry.name) ? [] : [file];
  });
}

const toUrlPath = (p: string) => p.split(path.sep).join('/');

/**
 * `new URL('<relative>', import.meta.url)` names a file relative to the source module. Inside
 * server/ the output keeps the same layout, so such a URL still holds; one that leaves server/
 * (`../package.json`, `../../out/renderer/`) is rewritten to reach the same file from out/server/.
 */
const fileUrlsFromOutput: Plugin = {
  name: 'helpdesk:file-urls-from-output',
  transform(code, id) {
    if (!id.startsWith(SOURCE_DIR + path.sep) || !code.includes('import.meta.url')) return null;
    const pattern = /new URL\((['"])(\.{1,2}\/[^'"]*)\1,\s*import\.meta\.url\)/g;
    let changed = false;
    const rewritten = code.replace(pattern, (whole, quote: string, relative: string) => {
      const target = path.resolve(path.dirname(id), relative);
      if (target === SOURCE_DIR || target.startsWith(SOURCE_DIR + path.sep)) return whole;
      const outputFile = path.join(OUT_DIR, path.relative(SOURCE_DIR, path.dirname(id)));
      let fromOutput = toUrlPath(path.relative(outputFile, target));
      if (!fromOutput.startsWith('.')) fromOutput = `./${fromOutput}`;
      if (relative.endsWith('/') && !fromOutput.endsWith('/')) fromOutput += '/';
      changed = true;
      return `new URL(${quote}${fromOutput}${quote}, import.meta.url)`;
    });
    return changed ? { code: rewritten, map: null } : null;
  },
};

const copyRuntimeFiles: Plugin = {
  name: 'helpdesk:copy-runtime-files',
  writeBundle() {
    for (const file of runtimeFiles()) {
      cpSync(file, path.join(OUT_DIR, path.relative(SOURCE_DIR, file)));
    }
  },
};

export default defineConfig({
  root: ROOT,
  // No public/ folder to copy and no .env files read: the server takes its config at run time.
  publicDir: false,
  envDir: false,
  logLevel: 'warn',
  plugins: [fileUrlsFromOutput, copyRuntimeFiles],
  build: {
    ssr: true,
    outDir: OUT_DIR,
    emptyOutDir: true,
    target: 'node20',
    minify: false,
    // Stack traces name the TypeScript source under `node --enable-source-maps`.
    sourcemap: true,
    rolldownOptions: {
      // The server, and the tools an operator runs beside it (with the server stopped):
      // node out/server/directory/directory-cli.js …, node out/server/audit/verify-cli.js ….
      input: ENTRY_POINTS.map((entry) => path.join(SOURCE_DIR, entry)),
      output: {
        format: 'es',
        preserveModules: true,
        preserveModulesRoot: SOURCE_DIR,
        entryFileNames: '[name].js',
      },
    },
  },
});
