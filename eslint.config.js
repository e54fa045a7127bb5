// Lint rules for the whole repo, including the process boundaries of STYLE.md as import rules.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const nodeBuiltins = builtinModules.filter((name) => !name.startsWith('_'));

// Folder patterns are gitignore-style: `**/server/*` matches `../../server/store` and, through its
// parent, everything below it; a negation like `!**/server/contract` re-allows one subfolder. The
// bare folder (`../../server`, i.e. its index) gets a regex of its own: matching it in the same
// group would also match every path below it and defeat the negation. The regex wants a `../`
// first so that a sibling module such as `./renderer.ts` in server/ stays importable.
const forbidFolders = (names, message, allowed = []) => [
  {
    group: [...names.map((name) => `**/${name}/*`), ...allowed.map((path) => `!**/${path}`)],
    message,
  },
  { regex: `^(\\.\\./)+(${names.join('|')})/?$`, message },
];

const electron = {
  paths: [{ name: 'electron', message: 'Only main/ and preload/ may use Electron.' }],
  patterns: [{ group: ['electron/*'], message: 'Only main/ and preload/ may use Electron.' }],
};

/** Builds the options of `no-restricted-imports` from several boundary rules. */
const restrict = (...rules) => [
  'error',
  {
    paths: rules.flatMap((rule) => rule.paths ?? []),
    patterns: rules.flatMap((rule) => rule.patterns ?? []),
  },
];

const serverBoundary = {
  patterns: forbidFolders(
    ['main', 'preload', 'renderer'],
    'server/ runs in plain Node: it may not import the desktop app.',
  ),
};

const domainIo = 'server/domain/ is pure: no I/O. Take what you need as arguments.';
const domainBoundary = {
  paths: [
    ...[
      'fs',
      'fs/promises',
      'net',
      'http',
      'https',
      'http2',
      'child_process',
      'dgram',
      'dns',
      'tls',
    ]
      .flatMap((name) => [name, `node:${name}`])
      .map((name) => ({ name, message: domainIo })),
    ...['lowdb', 'lowdb/node', 'steno', 'express', 'socket.io', 'socket.io-client'].map((name) => ({
      name,
      message: domainIo,
    })),
  ],
  patterns: forbidFolders(['store', 'realtime', 'enduser', 'agents', 'audit'], domainIo),
};

const rendererBoundary = {
  paths: nodeBuiltins.map((name) => ({
    name,
    message: 'The renderer runs in a browser: no Node built-ins.',
  })),
  patterns: [
    { group: ['node:*'], message: 'The renderer runs in a browser: no Node built-ins.' },
    ...forbidFolders(['server'], 'The renderer may import from server/contract/ only.', [
      'server/contract',
    ]),
  ],
};

const desktopBoundary = {
  patterns: forbidFolders(
    ['server', 'renderer'],
    'main/ and preload/ talk to the server over HTTP and to the renderer over IPC.',
  ),
};

const preloadBoundary = {
  patterns: forbidFolders(['main'], 'preload/ may import main/ipc-channels only.', [
    'main/ipc-channels',
  ]),
};

export default defineConfig([
  globalIgnores([
    'out/',
    'dist/',
    'node_modules/',
    'bench/results/',
    'data/',
    'coverage/',
    'test-results/',
  ]),
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['**/*.{js,mjs,cjs,ts,mts,cts}'],
    ignores: ['renderer/**'],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['server/**'],
    rules: { 'no-restricted-imports': restrict(electron, serverBoundary) },
  },
  {
    files: ['server/domain/**'],
    rules: { 'no-restricted-imports': restrict(electron, serverBoundary, domainBoundary) },
  },
  {
    files: ['renderer/**'],
    languageOptions: { globals: globals.browser },
    ...reactHooks.configs.flat.recommended,
  },
  {
    files: ['renderer/**'],
    rules: { 'no-restricted-imports': restrict(electron, rendererBoundary) },
  },
  {
    files: ['main/**'],
    rules: { 'no-restricted-imports': restrict(desktopBoundary) },
  },
  {
    files: ['preload/**'],
    rules: { 'no-restricted-imports': restrict(desktopBoundary, preloadBoundary) },
  },
]);
