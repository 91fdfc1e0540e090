// `kpr demo --tenants N` end to end: a throwaway PostgreSQL, the vendor's setup, two workers;
// afterwards the receiver holds, per tenant, every appointment of that tenant's EPJ extract as
// its latest line says (current or deleted), the queue is empty, and the cluster is gone. Without
// PostgreSQL's binaries the demo says so in one line and exits 1, leaving nothing behind.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { type AppointmentLine, isAppointmentDeletion } from '../../runtime/demo-data/appointment-record.ts';
import { runTenantsDemo } from '../../runtime/demo/tenants.ts';
import { describePg } from '../helpers/postgres.ts';
import { kpr } from '../workers/fixture.ts';

describePg('kpr demo --tenants', () => {
  it('drains every tenant into the sandbox with two workers on a throwaway PostgreSQL', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'kpr-demo-tenants-')), 'demo');
    const r = await kpr(['demo', '--tenants', '2', '--children', '4', '--seed', 'demo-tenants', '--dir', dir]);
    const text = r.stdout;
    expect(r.code, `${text}\n${r.stderr}`).toBe(0);
    expect(existsSync(join(dir, '.kpr-demo')), 'the folder carries the demo mark').toBe(true);
    // The summary's line per tenant: what the receiver holds for its organisation.
    const tenants: Record<string, { units: number; current: number; deleted: number }> = {};
    for (const m of text.matchAll(/^ {2}(\w+) +.+ \d{9}: (\d+) unit\(s\), \d+ deliveries, (\d+) appointments current, (\d+) deleted$/gm))
      tenants[m[1]!] = { units: Number(m[2]), current: Number(m[3]), deleted: Number(m[4]) };
    expect(Object.keys(tenants)).toEqual(['oslo', 'bergen']);
    for (const [id, got] of Object.entries(tenants)) {
      const latest = new Map<string, boolean>();
      const units = new Set<string>();
      for (const l of readFileSync(join(dir, 'epj', id, 'extract.ndjson'), 'utf8')
        .trim()
        .split('\n')) {
        const a = JSON.parse(l) as AppointmentLine;
        latest.set(`${a.unit.orgNumber}|${a.appointment.id}`, isAppointmentDeletion(a));
        units.add(a.unit.orgNumber);
      }
      expect(latest.size, id).toBeGreaterThan(10);
      expect(got.units, id).toBe(units.size);
      expect(got.current, id).toBe([...latest.values()].filter((d) => !d).length);
      expect(got.deleted, id).toBe([...latest.values()].filter(Boolean).length);
    }
    // Both workers ran; the queue shows every tenant with nothing left.
    expect(text).toMatch(/5\.1 worker demo-1: \d+ item\(s\) done, exit 0\n5\.2 worker demo-2: \d+ item\(s\) done, exit 0/);
    expect(text).toMatch(/ {4}oslo +queued 0 +running - +done \d+ +failed 0 +attention 0/);
    expect(text).toMatch(/ {4}bergen +queued 0 +running - +done \d+ +failed 0 +attention 0/);
    const socket = /host=([^ )]+)/.exec(text)?.[1];
    expect(socket).toBeDefined();
    expect(existsSync(decodeURIComponent(socket!)), 'the cluster is removed').toBe(false);
  }, 180_000);
});

it('without PostgreSQL the tenants demo says so in one line and exits 1', async () => {
  const lines: string[] = [];
  const dir = join(mkdtempSync(join(tmpdir(), 'kpr-demo-tenants-')), 'demo');
  const r = await runTenantsDemo({ dir, tenants: 2, children: 4, seed: 's', today: '2026-11-24', say: (s) => lines.push(s), pgRoot: join(dir, 'no-postgresql') });
  expect(r.exitCode).toBe(1);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/needs PostgreSQL installed/);
  expect(existsSync(dir)).toBe(false);
  // The command's --help names the option.
  const help = await kpr(['demo', '--help']);
  expect(help.stdout).toMatch(/--tenants <n>/);
});
