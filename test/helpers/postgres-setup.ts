// vitest globalSetup: one line, once per run, when the tests that need PostgreSQL are skipped
// (in CI they fail instead; see postgres.ts).
import { findPgBin, PG_HINT } from './postgres.ts';
import { inCi } from './reference-locate.ts';

export default function setup(): void {
  if (inCi() || process.env.KPR_PG_URL !== undefined || findPgBin() !== undefined) return;
  process.stderr.write(`kpr-kit: skipping the PostgreSQL store's tests: ${PG_HINT}\n`);
}
