import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores here and in CI: forks keep native modules (better-sqlite3) isolated.
    pool: 'forks',
    // Vitest's default on two cores is one worker (cores - 1), but many files spend their time
    // waiting on child processes (kpr, sandboxes, PostgreSQL): two files at a time took the suite
    // from 555 s to 320 s here, all passing.
    maxWorkers: 2,
    // One line when the official package (test/helpers/reference.ts) or PostgreSQL
    // (test/helpers/postgres.ts) is missing and the tests that need it are skipped.
    globalSetup: ['test/helpers/reference-setup.ts', 'test/helpers/postgres-setup.ts'],
    // One fast-check seed in CI (test/helpers/fast-check-seed.ts); fresh draws locally.
    setupFiles: ['test/helpers/fast-check-seed.ts'],
  },
});
