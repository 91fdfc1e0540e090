// Benchmark: the semantic diff of HST 56.0.0 against the example next version (target: under
// 200 ms), plus loading both and rendering the Markdown, so a slow step shows where it is.
// Standalone: node bin/run-ts.mjs bench/diff.ts
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { diffSpecs } from '../generator/diff/index.ts';
import { renderMarkdown } from '../generator/diff/render.ts';
import { emitFieldReference } from '../generator/emit/field-reference.ts';
import { loadCodeLists, loadSpecFile } from '../generator/load/index.ts';
import type { MessageSpec } from '../generator/model/types.ts';
import { timeIt } from './_util.ts';

const REPO = fileURLToPath(new URL('../', import.meta.url));

function load(file: string): MessageSpec {
  const lists = loadCodeLists(join(file, '..', '..', 'codelists'));
  const r = loadSpecFile(file, lists.value ?? new Map());
  if (!r.value) throw new Error(`${file} does not load`);
  return r.value;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time(runs: number, f: () => unknown): { medianMs: number; maxMs: number } {
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    f();
    xs.push(performance.now() - t);
  }
  return { medianMs: round(median(xs)), maxMs: round(Math.max(...xs)) };
}

const round = (x: number) => Math.round(x * 100) / 100;

export async function run(): Promise<Record<string, unknown>> {
  const t0 = performance.now();
  const a = load(join(REPO, 'spec/hst/56.0.0.yaml'));
  const b = load(join(REPO, 'test/fixtures/hst-example-next/spec/hst/57.0.0.yaml'));
  const loadMs = round(performance.now() - t0);
  // The first diff includes re-reading the two files for title-page line numbers.
  const t1 = performance.now();
  const changes = diffSpecs(a, b);
  const firstDiffMs = round(performance.now() - t1);
  const warm = timeIt(() => diffSpecs(a, b));
  const diff = time(50, () => diffSpecs(a, b));
  const markdown = time(20, () => renderMarkdown(a, b, changes));
  const fieldReference = time(20, () => emitFieldReference(a, 'spec/hst/56.0.0.yaml'));
  return {
    'diff hst 56.0.0 → example 57.0.0, first run (ms)': firstDiffMs,
    'diff hst 56.0.0 → example 57.0.0, warm mean (ms)': round(warm.perIteration),
    'diff hst 56.0.0 → example 57.0.0, median of 50 (ms)': diff.medianMs,
    'diff max of 50 (ms)': diff.maxMs,
    // The target is on the cold run and the typical run; the max shows GC and a busy machine.
    'diff under 200 ms': firstDiffMs < 200 && diff.medianMs < 200,
    changes: changes.length,
    'load both versions (ms)': loadMs,
    'render diff Markdown, median (ms)': markdown.medianMs,
    'field reference hst 56.0.0, median (ms)': fieldReference.medianMs,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(await run());
}
