// The house's walls, checked over the import graph of the sources: no import cycle anywhere
// (type-only imports count: a cycle of types is still two modules that cannot be read apart),
// runtime/ never imports generator/ (production needs only generated/), and runtime/transport/
// knows nothing of the messages (no generated/, mapping/ or rules/).
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const SOURCES = ['bin', 'generator', 'runtime', 'generated', 'bench'];

function files(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else if (/\.(ts|mts|mjs)$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

// Static imports and re-exports, `import type` included, and dynamic imports of a literal path.
const IMPORT = /(?:^|[\s;])(?:import|export)\s[^'"`;]*?from\s*['"]([^'"]+)['"]|import\(\s*(?:new URL\(\s*)?['"]([^'"]+)['"]/gm;

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2];
    if (!spec?.startsWith('.')) continue;
    out.push(relative(ROOT, resolve(dirname(file), spec)));
  }
  return out;
}

const graph = new Map<string, string[]>();
for (const top of SOURCES)
  for (const f of files(join(ROOT, top)))
    graph.set(
      relative(ROOT, f),
      importsOf(f).filter((t) => t !== relative(ROOT, f)),
    );

/** The graph between runtime/'s folders (runtime/mapping, runtime/rules, …), each edge once. */
function foldersOf(g: Map<string, string[]>): Map<string, string[]> {
  const room = (f: string): string | undefined => /^runtime\/([^/]+)\//.exec(f)?.[0];
  const out = new Map<string, string[]>();
  for (const [f, ts] of g) {
    const a = room(f);
    if (!a) continue;
    const to = new Set(out.get(a));
    for (const t of ts) {
      const b = room(t);
      if (b && b !== a) to.add(b);
    }
    out.set(a, [...to]);
  }
  return out;
}

/** Strongly connected components with more than one module (Tarjan). */
function cycles(g: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of g.get(v) ?? []) {
      if (!g.has(w)) continue;
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v) as number, idx.get(w) as number));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        on.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1) out.push(comp.sort());
    }
  };
  for (const v of [...g.keys()].sort()) if (!idx.has(v)) visit(v);
  return out;
}

describe('the import graph', () => {
  it('is read: every relative import names a source file', () => {
    const missing = [...graph].flatMap(([f, ts]) => ts.filter((t) => !graph.has(t) && !existsSync(join(ROOT, t))).map((t) => `${f} → ${t}`));
    expect(graph.size).toBeGreaterThan(100);
    expect(missing).toEqual([]);
  });

  it('has no cycle between modules', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('has no cycle between the folders of runtime/ (a room imports rooms below it, never back)', () => {
    expect(cycles(foldersOf(graph))).toEqual([]);
  });

  it('finds a cycle when there is one (the checker itself)', () => {
    const g = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['d', ['a']],
    ]);
    expect(cycles(g)).toEqual([['a', 'b', 'c']]);
  });

  it('keeps runtime/ from generator/, and transport/ from the messages', () => {
    const bad = [...graph].flatMap(([f, ts]) =>
      ts
        .filter(
          (t) =>
            (f.startsWith('runtime/') && t.startsWith('generator/')) || (f.startsWith('runtime/transport/') && /^(generated|runtime\/(mapping|rules|message|notify))\//.test(t)),
        )
        .map((t) => `${f} → ${t}`),
    );
    expect(bad).toEqual([]);
  });
});
