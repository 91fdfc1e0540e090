// vitest globalSetup: one line, once per run, when the tests that need PostgreSQL are skipped
// (in CI they fail instead; see postgres.ts).
import { existingServer, findPgBin, PG_HINT } from './postgres.ts';
import { inCi } from './reference-locate.ts';

export default function setup(): void {
  if (inCi() || existingServer() !== undefined || findPgBin() !== undefined) return;
  process.stderr.write(`kpr-kit: skipping the PostgreSQL store's tests: ${PG_HINT}\n`);
}
