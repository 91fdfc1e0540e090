// `npm run bench`: runs every benchmark in this folder (each exports `run()` returning its
// figures), one after the other so they do not compete for the two cores, and prints the
// figures. `npm run bench -- seal xml` runs only the named ones. Targets are ratios against a
// baseline measured in the same run, so they hold on any machine.

import { readdirSync } from 'node:fs';
import { basename } from 'node:path';
import { pathToFileURL } from 'node:url';

const dir = new URL('.', import.meta.url);
const only = process.argv.slice(2);
const names = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.startsWith('_'))
  .map((f) => basename(f, '.ts'))
  .filter((n) => !only.length || only.includes(n))
  .sort();

const results: Record<string, unknown> = {};
let failed = 0;
for (const name of names) {
  process.stderr.write(`bench ${name} …\n`);
  try {
    const mod = await import(pathToFileURL(new URL(`${name}.ts`, dir).pathname).href);
    if (typeof mod.run !== 'function') throw new Error('exports no run()');
    results[name] = await mod.run();
  } catch (err) {
    failed++;
    results[name] = { error: (err as Error).message };
  }
  process.stdout.write(`${name}: ${JSON.stringify(results[name], null, 2)}\n`);
}
process.exitCode = failed ? 1 : 0;
