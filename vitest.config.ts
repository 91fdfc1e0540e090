import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores here and in CI: forks keep native modules (better-sqlite3) isolated.
    pool: 'forks',
    // One line when the official package is missing and its tests are skipped (test/helpers/reference.ts).
    globalSetup: ['test/helpers/reference-setup.ts'],
    // One fast-check seed in CI (test/helpers/fast-check-seed.ts); fresh draws locally.
    setupFiles: ['test/helpers/fast-check-seed.ts'],
  },
});
