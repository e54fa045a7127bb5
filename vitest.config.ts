// Test runner settings: three projects run side by side in one `vitest run`.
// - unit: pure modules, the console's store and components (jsdom per file), lint rules;
// - integration: the real server on a free port with a temp data dir, real sockets, the store
//   contract suite, crashes by SIGKILL;
// - e2e: real Chromium driving the real pages and console. A browser test walks whole flows, so
//   it gets more time: on a loaded 2-core machine one walk can take longer than 30 s.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // vitest's default is one worker per core less one: a single worker on a 2-core CI machine.
    // Most files wait on real peers (fsync, slapd, SMTP, Chromium), so two overlap well: the whole
    // suite took 760 s with two against 1,347 s of test time run one after another. Three are
    // slower here (880 s: the files then fight for the two cores, 2,300 s of test time).
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'test/renderer/**/*.test.{ts,tsx}'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: [
            'test/integration/**/*.test.ts',
            'test/store-contract/**/*.test.ts',
            'test/directory-contract/**/*.test.ts',
          ],
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
