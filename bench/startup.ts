// Benchmark: what starting `kpr` costs, built (bin/build.mjs, as after npm ci) and unbuilt (tsx
// compiling the sources as they load, KPR_NO_BUILD=1), each as a whole process:
//   help   `kpr --help` against a bare `node -e ""` start
//   map    `kpr map` of the example mapping over an extract, against a bare pass that parses and
//          re-serialises every line of the same file (the floor of any streaming process)
// Target: `kpr --help` built under 0.3 s; figures are medians of ROUNDS runs in CPU time (user +
// system, which holds on a shared machine; Linux only), ratios against the baselines measured in
// the same run.
//
//   node bin/run-ts.mjs bench/startup.ts            (200 000 records)
//   node bin/run-ts.mjs bench/startup.ts 50000

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateRecords } from '../runtime/demo-data/generate.ts';
import { writeNdjson } from '../runtime/demo-data/write.ts';
import { round } from './_util.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const KPR = join(ROOT, 'bin/kpr.mjs');
const ROUNDS = Number(process.env.KPR_BENCH_ROUNDS ?? 5);
const BARE_PASS = `
const rl = require('node:readline').createInterface({ input: require('node:fs').createReadStream(process.argv[1]) });
const out = require('node:fs').createWriteStream('/dev/null');
rl.on('line', (l) => { if (l) out.write(JSON.stringify(JSON.parse(l)) + '\\n'); });
rl.on('close', () => out.end());`;

/** CPU seconds of this process's waited-for children so far (Linux: /proc/self/stat cutime + cstime). */
function childCpuMs(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  // After "pid (comm) ": state is field 3, so cutime (16) and cstime (17) are at 13 and 14 here.
  return ((Number(fields[13]) + Number(fields[14])) * 1000) / 100;
}

/** Median CPU time (user + system) of `rounds` runs: on a shared machine wall time is mostly the neighbours'. */
function median(args: string[], env: NodeJS.ProcessEnv = {}, rounds = ROUNDS): number {
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const before = childCpuMs();
    const r = spawnSync(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    times.push(childCpuMs() - before);
    if (r.status !== 0 && r.status !== 1) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
}

export async function run(records = Number(process.argv[2] ?? 200_000)) {
  if (!existsSync(join(ROOT, '.kpr-build/manifest.json'))) throw new Error('run npm run build first: the built figures need .kpr-build/');
  const dir = mkdtempSync(join(tmpdir(), 'kpr-bench-startup-'));
  try {
    const node = median(['-e', '']);
    const helpBuilt = median([KPR, '--help']);
    const helpTsx = median([KPR, '--help'], { KPR_NO_BUILD: '1' });
    const extract = join(dir, 'epj.ndjson');
    // About 11.6 records per child in the demo data.
    await writeNdjson(generateRecords({ children: Math.ceil(records / 11.6), from: '2017-01-01', to: '2026-12-31', seed: 'startup' }), extract);
    const mapArgs = [
      KPR,
      'map',
      '--mapping',
      join(ROOT, 'examples/demo-epj/mapping.yaml'),
      '--in',
      extract,
      '--out',
      join(dir, 'out.ndjson'),
      '--rejects',
      join(dir, 'rejects.ndjson'),
      '--extract-date',
      '2026-12-31',
    ];
    const rounds = Math.max(1, Math.min(ROUNDS, 3));
    const bare = median(['-e', BARE_PASS, extract], {}, rounds);
    const mapBuilt = median(mapArgs, {}, rounds);
    const mapTsx = median(mapArgs, { KPR_NO_BUILD: '1' }, rounds);
    return {
      records,
      help: {
        nodeCpuMs: round(node),
        builtCpuMs: round(helpBuilt),
        tsxCpuMs: round(helpTsx),
        builtOverNode: round(helpBuilt / node, 2),
        tsxOverBuilt: round(helpTsx / helpBuilt, 2),
        target: 'built < 300 ms',
      },
      map: { bareCpuMs: round(bare), builtCpuMs: round(mapBuilt), tsxCpuMs: round(mapTsx), builtOverBare: round(mapBuilt / bare, 2), tsxOverBare: round(mapTsx / bare, 2) },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === resolve(process.argv[1])) process.stdout.write(`${JSON.stringify(await run(), null, 2)}\n`);
