// Benchmark: how fast the demo-EPJ generator writes an extract of about a million records to a
// file, and how much memory it needs doing so. Runs the generation in a child process so the
// peak resident set is the generator's own, not that of whatever runs the benchmarks.
//
//   node bin/run-ts.mjs bench/demo-data.ts            (about 1 M records)
//   node bin/run-ts.mjs bench/demo-data.ts 200000     (another target)

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateRecords } from '../runtime/demo-data/generate.ts';
import { writeNdjson } from '../runtime/demo-data/write.ts';

const CHILD_FLAG = 'KPR_BENCH_DEMO_DATA_OUT';
/** Records per child over 2017–2026 with the default options, measured: about 11.6. */
const RECORDS_PER_CHILD = 11.6;

async function measureHere(out: string, children: number): Promise<void> {
  const started = process.hrtime.bigint();
  const cpuBefore = process.cpuUsage();
  const { written } = await writeNdjson(generateRecords({ children, from: '2017-01-01', to: '2026-12-31', seed: 'bench' }), out);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  process.stdout.write(`${JSON.stringify({ records: written, seconds, cpuSeconds, maxRssMiB: process.resourceUsage().maxRSS / 1024 })}\n`);
}

export async function run(target = 1_000_000): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'kpr-bench-demo-'));
  const out = join(dir, 'epj.ndjson');
  const children = Math.round(target / RECORDS_PER_CHILD);
  try {
    const root = fileURLToPath(new URL('..', import.meta.url));
    const child = spawnSync(process.execPath, [join(root, 'bin/run-ts.mjs'), join(root, 'bench/demo-data.ts'), String(children)], {
      cwd: root,
      env: { ...process.env, [CHILD_FLAG]: out },
      encoding: 'utf8',
    });
    if (child.status !== 0) throw new Error(`demo-data benchmark failed: ${child.stderr}`);
    const figures = JSON.parse(child.stdout.trim().split('\n').pop()!) as { records: number; seconds: number; cpuSeconds: number; maxRssMiB: number };
    const bytes = statSync(out).size;
    return {
      children,
      records: figures.records,
      seconds: Number(figures.seconds.toFixed(2)),
      recordsPerSecond: Math.round(figures.records / figures.seconds),
      // CPU time is the steadier figure on a shared machine.
      cpuSeconds: Number(figures.cpuSeconds.toFixed(2)),
      recordsPerCpuSecond: Math.round(figures.records / figures.cpuSeconds),
      megabytesWritten: Number((bytes / 1e6).toFixed(1)),
      peakRssMiB: Math.round(figures.maxRssMiB),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const invokedDirectly = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === join(process.cwd(), process.argv[1]).replace(/\\/g, '/');
if (process.env[CHILD_FLAG]) {
  await measureHere(process.env[CHILD_FLAG]!, Number(process.argv[2]));
} else if (invokedDirectly || process.argv[1]?.endsWith('bench/demo-data.ts')) {
  const target = process.argv[2] ? Number(process.argv[2]) : undefined;
  console.log(JSON.stringify(await run(target), null, 2));
}
