// The tenants file's `workers` section: checked with the rest of the file (its position and
// TEN1002), and its defaults: the queue in the tenants' PostgreSQL store, or refused without a
// database of its own when the store is SQLite.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.ts';
import { loadTenants } from '../../runtime/tenants/load.ts';
import { durationMs, workerSettings } from '../../runtime/workers/settings.ts';

function example(edit: (text: string) => string): string {
  const dir = mkdtempSync(join(tmpdir(), 'kpr-workers-settings-'));
  cpSync(join(REPO_ROOT, 'examples/tenants'), dir, { recursive: true });
  const file = join(dir, 'tenants.yaml');
  // The example's own workers section (its defaults) is left out: each test writes its own.
  writeFileSync(file, edit(readFileSync(file, 'utf8').replace(/\n# the work queue[\s\S]*$/, '\n')));
  return file;
}

it('takes the queue from the PostgreSQL store without a workers section, with 30 s leases and four slots per receiver, as the example says', () => {
  const s = workerSettings(loadTenants(example((t) => t)));
  expect(s).toMatchObject({ url: 'postgresql://kpr@db.example/kpr', schema: 'kpr_control', leaseMs: 30_000, maxAttempts: 5, backfillSlice: 'year', maxInFlight: 4 });
  expect(workerSettings(loadTenants(example((t) => t)), { lease: '5s' }).leaseMs).toBe(5000);
  const given = workerSettings(loadTenants(join(REPO_ROOT, 'examples/tenants/tenants.yaml')));
  expect(given).toEqual(workerSettings(loadTenants(example((t) => t))));
});

it('reads the workers section, and needs a queue of its own beside SQLite stores', () => {
  const sqlite = (t: string) => t.replace(/^store:\n {2}kind: postgres[^\n]*\n {2}url:[^\n]*\n/m, 'store:\n  kind: sqlite\n');
  expect(() => workerSettings(loadTenants(example(sqlite)))).toThrow(/store is SQLite, so the work queue needs a PostgreSQL database of its own: set workers.queue.url/);
  const file = example(
    (t) =>
      `${sqlite(t)}\nworkers:\n  queue: { url: "postgresql://q@queue.example/work", schema: vendor_queue }\n  lease: 45s\n  maxAttempts: 3\n  backfillSlice: month\n  maxInFlight: 8\n`,
  );
  expect(workerSettings(loadTenants(file))).toMatchObject({
    url: 'postgresql://q@queue.example/work',
    schema: 'vendor_queue',
    where: 'postgresql://q@queue.example/work (schema vendor_queue)',
    leaseMs: 45_000,
    maxAttempts: 3,
    backfillSlice: 'month',
    maxInFlight: 8,
  });
});

it('reports a wrong workers setting at its position with TEN1002', () => {
  const file = example((t) => `${t}\nworkers:\n  lease: soon\n  maxInflight: 3\n`);
  let message = '';
  try {
    loadTenants(file);
  } catch (err) {
    message = (err as Error).message;
  }
  expect(message).toMatch(/tenants\.yaml:\d+:10: error TEN1002: workers\.lease must match pattern/);
  expect(message).toMatch(/tenants\.yaml:\d+:3: error TEN1002: unknown setting `maxInflight` in workers/);
});

it('reads durations in ms, s and m, and names the setting when one is wrong', () => {
  expect(durationMs('500ms', 'x')).toBe(500);
  expect(durationMs('30s', 'x')).toBe(30_000);
  expect(durationMs('2m', 'x')).toBe(120_000);
  expect(() => durationMs('30', '--lease')).toThrow(/--lease: expected a duration such as 30s/);
});
