import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores here and in CI: forks keep native modules (better-sqlite3) isolated.
    pool: 'forks',
    // One line when the official package (test/helpers/reference.ts) or PostgreSQL
    // (test/helpers/postgres.ts) is missing and the tests that need it are skipped.
    globalSetup: ['test/helpers/reference-setup.ts', 'test/helpers/postgres-setup.ts'],
    // One fast-check seed in CI (test/helpers/fast-check-seed.ts); fresh draws locally.
    setupFiles: ['test/helpers/fast-check-seed.ts'],
  },
});
