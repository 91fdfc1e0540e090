// Spec compiler benchmarks (issue 2): `kpr spec build` and `kpr spec check` wall time for both
// specs, as a user runs them (a fresh process each), and validator throughput on a Melding with
// 1,000 consultations. Targets: build and check under 2 s each; >= 1,000,000 consultations/s.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { round, timeIt } from './_util.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

function wall(args: string[]): number {
  const start = performance.now();
  const r = spawnSync(process.execPath, [join(root, 'bin/kpr.mjs'), ...args], { cwd: root, encoding: 'utf8' });
  const ms = performance.now() - start;
  if (r.status !== 0) throw new Error(`kpr ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

/** A Melding with `n` rich consultations, built from the committed example. */
export function meldingWith(n: number): any {
  const m = JSON.parse(readFileSync(join(root, 'examples/hst/melding.json'), 'utf8'));
  const k0 = m.Notifikasjon[0].Konsultasjon[0];
  m.Notifikasjon[0].Konsultasjon = Array.from({ length: n }, (_, i) => ({ ...structuredClone(k0), konsultasjonID: `DEMO-K-${String(i).padStart(6, '0')}` }));
  return m;
}

export async function run() {
  const out = mkdtempSync(join(tmpdir(), 'kpr-bench-gen-'));
  wall(['--help']); // warm the transpile cache, as any second run has it
  const startup = Math.min(wall(['--help']), wall(['--help']));
  const build = Math.min(wall(['spec', 'build', '--out', out]), wall(['spec', 'build', '--out', out]));
  const check = Math.min(wall(['spec', 'check', '--out', out]), wall(['spec', 'check', '--out', out]));

  const { validators } = (await import(pathToFileURL(join(root, 'generated/index.ts')).href)).getMessage('hst@56.0.0');
  const melding = meldingWith(1000);
  if (!validators.validateMelding(melding)) throw new Error(JSON.stringify(validators.validateMelding.errors));
  const t = timeIt(() => validators.validateMelding(melding), 1000);
  const perSecond = 1000 / (t.perIteration / 1000);
  return {
    cliStartupMs: round(startup),
    specBuildMs: round(build),
    specCheckMs: round(check),
    buildTargetMs: 2000,
    validatorConsultationsPerSecond: round(perSecond),
    validatorTarget: 1_000_000,
    met: build < 2000 && check < 2000 && perSecond >= 1_000_000,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) console.log(await run());
