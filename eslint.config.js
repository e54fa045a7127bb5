// Lint rules for the whole repo, including the process boundaries of STYLE.md as import rules.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
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

// Services and routes reach storage through the repositories' interfaces, so a second store can
// replace the embedded one; opening a store is the composition root's job alone.
const storeMessage = 'Outside server/store/, depend on the repositories (store/repositories) only.';
const storeBoundary = ({ opensEmbeddedStore = false } = {}) => ({
  patterns: [
    {
      group: [
        '**/store/*',
        '!**/store/repositories',
        // The entry points may open the embedded store, and reach nothing else inside it.
        ...(opensEmbeddedStore
          ? ['!**/store/embedded', '**/store/embedded/*', '!**/store/embedded/embedded-store']
          : []),
      ],
      message: storeMessage,
    },
    { regex: '^(\\.\\./)+store/?$', message: storeMessage },
  ],
});

// The domain is shared with the console (a browser bundle) and holds the rules: it may import its own
// modules, the wire contract and zod, and nothing else. An allow-list, so a new dependency is a choice.
const domainAllowed =
  'server/domain/ is pure: it may import ./ (itself), ../contract/ and zod only.';
const domainBoundary = {
  patterns: [{ regex: '^(?!\\./[^.]|\\.\\./contract/[^.]|zod$)', message: domainAllowed }],
};

const rendererBoundary = {
  paths: nodeBuiltins.map((name) => ({
    name,
    message: 'The renderer runs in a browser: no Node built-ins.',
  })),
  patterns: [
    { group: ['node:*'], message: 'The renderer runs in a browser: no Node built-ins.' },
    ...forbidFolders(
      ['server'],
      'The renderer may import from server/contract/ and server/domain/ only.',
      ['server/contract', 'server/domain'],
    ),
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
    // Deliberately broken code that test/unit/lint lints to prove the rules bite.
    'test/unit/lint/fixtures/',
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
    // Typed linting: a promise nobody awaits, returns or marks `void` is a bug waiting to happen.
    files: ['**/*.{ts,tsx}'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: { '@typescript-eslint/no-floating-promises': 'error' },
  },
  {
    // No import cycles anywhere: each module's dependencies form a tree a reader can follow.
    plugins: { 'import-x': importX },
    settings: {
      // Which files the plugin follows when it walks the import graph.
      'import-x/extensions': ['.ts', '.tsx', '.mts', '.js', '.mjs'],
      'import-x/resolver-next': [
        createNodeResolver({ extensions: ['.ts', '.tsx', '.mts', '.js', '.mjs', '.json'] }),
      ],
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  {
    files: ['**/*.{js,mjs,cjs,ts,mts,cts}'],
    ignores: ['renderer/**'],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['server/**'],
    ignores: ['server/store/**'],
    rules: { 'no-restricted-imports': restrict(electron, serverBoundary, storeBoundary()) },
  },
  {
    // The entry points open the embedded store.
    files: ['server/index.ts', 'server/audit/verify-cli.ts', 'server/directory/directory-cli.ts'],
    rules: {
      'no-restricted-imports': restrict(
        electron,
        serverBoundary,
        storeBoundary({ opensEmbeddedStore: true }),
      ),
    },
  },
  {
    files: ['server/store/**'],
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
