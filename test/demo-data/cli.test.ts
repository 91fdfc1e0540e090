// `kpr demo-data` as a user runs it: byte-identical files for the same seed, the same lines as
// the library, clear refusals of bad options, and flat memory while streaming 200 000 records.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateRecords } from '../../runtime/demo-data/generate.ts';
import { generateAppointments } from '../../runtime/demo-data/appointments.ts';

const root = new URL('../..', import.meta.url).pathname;
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'kpr-demo-data-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function kpr(args: string[]) {
  return spawnSync(process.execPath, [join(root, 'bin/kpr.mjs'), ...args], { cwd: root, encoding: 'utf8' });
}

describe('kpr demo-data', () => {
  it('writes to a file exactly what the library generates (so the same seed gives the same bytes)', () => {
    const out = join(dir, 'a.ndjson');
    const a = kpr(['demo-data', '--children', '150', '--seed', 'cli', '--bad-rate', '0.02', '--municipalities', '2', '--out', out]);
    expect(a.status).toBe(0);
    const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
    const expected = [...generateRecords({ children: 150, from: '2017-01-01', to: '2026-12-31', seed: 'cli', badRate: 0.02, municipalities: 2 })];
    expect(lines).toEqual(expected.map((r) => JSON.stringify(r)));
    expect(a.stderr).toContain(`kpr demo-data: ${lines.length} records`);
    // No temporary file is left behind.
    expect(readdirSync(dir)).toEqual(['a.ndjson']);
  });

  it('writes to stdout without --out', () => {
    const r = kpr(['demo-data', '--children', '5', '--seed', '1', '--to', '2019-12-31']);
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(5);
    const starts = lines
      .map((l) => JSON.parse(l))
      .filter((r) => !r.deleted)
      .map((r) => r.consultation.startTime);
    expect(starts.length).toBeGreaterThan(5);
    expect(starts.filter((t) => t >= '2020')).toEqual([]);
  });

  it('--appointments writes the appointment extract to its own private file and leaves the consultations byte-identical', () => {
    const args = ['demo-data', '--children', '60', '--seed', 'avtale', '--bad-rate', '0.05', '--municipalities', '2'];
    const plain = join(dir, 'plain.ndjson');
    const withAppointments = join(dir, 'with.ndjson');
    const appointments = join(dir, 'appointments.ndjson');
    expect(kpr([...args, '--out', plain]).status).toBe(0);
    const r = kpr([...args, '--out', withAppointments, '--appointments', appointments]);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(withAppointments)).toEqual(readFileSync(plain));
    const lines = readFileSync(appointments, 'utf8').trimEnd().split('\n');
    const expected = [...generateAppointments({ children: 60, from: '2017-01-01', to: '2026-12-31', seed: 'avtale', badRate: 0.05, municipalities: 2 })];
    expect(lines).toEqual(expected.map((l) => JSON.stringify(l)));
    expect(statSync(appointments).mode & 0o777).toBe(0o600);
    expect(r.stderr).toMatch(new RegExp(`kpr demo-data: ${lines.length} appointments at \\d+ units \\(\\d+ corrections, \\d+ deletions, \\d+ defective\\) to `));
    for (const f of [plain, withAppointments, appointments]) rmSync(f);
  });

  it.each([
    [['--appointments', '-'], /--appointments needs a file name/],
    [['--edit-rate', '2'], /--edit-rate must be between 0 and 1/],
    [['--from', '2020-01-01', '--to', '2019-01-01'], /is before --from/],
  ])('refuses %j with exit code 2', (extra, message) => {
    const r = kpr(['demo-data', '--children', '5', ...extra, '--out', join(dir, 'never.ndjson')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(readdirSync(dir)).not.toContain('never.ndjson');
  });

  /** Runs kpr demo-data to /dev/null, sampling the peak resident set (VmHWM) until it exits. */
  async function peakRss(children: number): Promise<{ peakMiB: number; written: number }> {
    const child = spawn(process.execPath, [join(root, 'bin/kpr.mjs'), 'demo-data', '--children', String(children), '--seed', 'stream', '--out', '/dev/null'], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    // VmHWM is the process's peak so far, so the last sample before exit is the peak.
    let peakKb = 0;
    const timer = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peakKb = Math.max(peakKb, Number(m[1]));
      } catch {
        // exited between samples
      }
    }, 20);
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    clearInterval(timer);
    expect(code, stderr).toBe(0);
    return { peakMiB: peakKb / 1024, written: Number(/kpr demo-data: (\d+) records/.exec(stderr)?.[1]) };
  }

  it('streams 200 000 records to /dev/null with bounded memory', async () => {
    // The CLI's own footprint (every command's modules) is measured with a tiny run first.
    const baseline = await peakRss(1);
    const big = await peakRss(18_000);
    expect(big.written).toBeGreaterThan(200_000);
    expect(baseline.peakMiB).toBeGreaterThan(0);
    // Generous bounds: the records themselves are never held, so 200 000 of them add little.
    expect(big.peakMiB - baseline.peakMiB).toBeLessThan(96);
    expect(big.peakMiB).toBeLessThan(300);
  });
});
