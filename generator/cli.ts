// `kpr spec lint | build | check`: the spec maintainer's and CI's commands.

import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { EXIT, UserError } from '../runtime/cli/program.ts';
import { formatDiagnostic, hasErrors, sortDiagnostics, type Diagnostic } from './diagnostics.ts';
import { findSpecFiles, loadCodeListFile, loadCodeLists, loadSpecFile } from './load/index.ts';

const packageRoot = fileURLToPath(new URL('..', import.meta.url));
export const DEFAULT_SPEC_DIR = join(packageRoot, 'spec');
export const DEFAULT_OUT_DIR = join(packageRoot, 'generated');

/** The `spec` command group, created by whichever part registers first. */
export function specCommand(program: Command): Command {
  return program.commands.find((c) => c.name() === 'spec') ?? program.command('spec').description('Work with message specifications (YAML)');
}

function printDiagnostics(ds: Diagnostic[]): void {
  for (const d of ds) process.stderr.write(`${formatDiagnostic(d)}\n`);
}

/** Build and check show errors in full, but only count warnings: `spec lint` is where to read them. */
function printErrorsCountWarnings(ds: Diagnostic[]): void {
  printDiagnostics(ds.filter((d) => d.severity === 'error'));
  const w = ds.filter((d) => d.severity === 'warning').length;
  if (w) process.stderr.write(`${w} warning${w === 1 ? '' : 's'} (see \`kpr spec lint\`)\n`);
}

function summary(ds: Diagnostic[]): string {
  const e = ds.filter((d) => d.severity === 'error').length;
  const w = ds.length - e;
  return `${e} error${e === 1 ? '' : 's'}, ${w} warning${w === 1 ? '' : 's'}`;
}

export function lintFiles(files: string[], specDir: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  const listsByDir = new Map<string, ReturnType<typeof loadCodeLists>>();
  for (const f of files) {
    const abs = resolve(f);
    if (abs.split(sep).includes('codelists')) {
      out.push(...loadCodeListFile(abs).diagnostics);
      continue;
    }
    const dir = join(dirname(dirname(abs)), 'codelists');
    if (!listsByDir.has(dir)) {
      const lists = loadCodeLists(dir);
      listsByDir.set(dir, lists);
      out.push(...lists.diagnostics);
    }
    out.push(...loadSpecFile(abs, listsByDir.get(dir)!.value ?? new Map()).diagnostics);
  }
  void specDir;
  return sortDiagnostics(out);
}

/** A build from a folder without specs would remove every generated file: refuse instead. */
function requireSpecs(specDir: string): void {
  if (!findSpecFiles(specDir).length) throw new UserError(`no spec files (<message>/<version>.yaml) found under --spec-dir ${specDir}; nothing built`);
}

export function register(program: Command): void {
  const spec = specCommand(program);

  spec
    .command('lint')
    .description('Check spec files and print file:line:col diagnostics; exit 1 on errors')
    .argument('[files...]', 'message or code list files (default: every spec under --spec-dir)')
    .option('--spec-dir <dir>', 'spec root', DEFAULT_SPEC_DIR)
    .option('--format <format>', 'text or json', 'text')
    .action((files: string[], opts: { specDir: string; format: string }) => {
      const targets = files.length ? files : findSpecFiles(opts.specDir);
      if (!targets.length) throw new UserError(`no spec files found under ${opts.specDir}`);
      const ds = lintFiles(targets, opts.specDir);
      if (opts.format === 'json') process.stdout.write(`${JSON.stringify(ds, null, 2)}\n`);
      else {
        printDiagnostics(ds);
        process.stderr.write(`${targets.length} file${targets.length === 1 ? '' : 's'} checked: ${summary(ds)}\n`);
      }
      process.exitCode = hasErrors(ds) ? EXIT.partial : EXIT.ok;
    });

  spec
    .command('build')
    .description('Compile every spec into generated/ (JSON Schema, types, validators, XML codec, docs)')
    .option('--spec-dir <dir>', 'spec root', DEFAULT_SPEC_DIR)
    .option('--out <dir>', 'output folder', DEFAULT_OUT_DIR)
    .action(async (opts: { specDir: string; out: string }) => {
      const started = performance.now();
      // The emitters (json-schema-to-typescript, Ajv's code generator, Handlebars) load only here.
      requireSpecs(opts.specDir);
      const { buildArtefacts, writeArtefacts } = await import('./build.ts');
      const r = await buildArtefacts(opts.specDir);
      printErrorsCountWarnings(r.diagnostics);
      if (hasErrors(r.diagnostics)) throw new UserError(`spec has errors (${summary(r.diagnostics)}); nothing written`, EXIT.partial);
      const d = writeArtefacts(opts.out, r.files);
      const ms = Math.round(performance.now() - started);
      process.stderr.write(
        `built ${r.specs.map((s) => `${s.message}@${s.version}`).join(', ')}: ${r.files.size} files, ` +
          `${d.changed.length} changed, ${d.missing.length} new, ${d.extra.length} removed (${ms} ms)\n`,
      );
    });

  spec
    .command('check')
    .description('Exit 1 and list stale files when generated/ differs from what build would write')
    .option('--spec-dir <dir>', 'spec root', DEFAULT_SPEC_DIR)
    .option('--out <dir>', 'output folder', DEFAULT_OUT_DIR)
    .action(async (opts: { specDir: string; out: string }) => {
      requireSpecs(opts.specDir);
      const { buildArtefacts, compareWithDisk } = await import('./build.ts');
      const r = await buildArtefacts(opts.specDir);
      printErrorsCountWarnings(r.diagnostics);
      if (hasErrors(r.diagnostics)) throw new UserError(`spec has errors (${summary(r.diagnostics)})`, EXIT.partial);
      const d = compareWithDisk(opts.out, r.files);
      const stale = [...d.changed.map((p) => `changed  ${p}`), ...d.missing.map((p) => `missing  ${p}`), ...d.extra.map((p) => `extra    ${p}`)];
      if (stale.length) {
        process.stderr.write(`generated/ is stale; run \`npx kpr spec build\`:\n${stale.map((s) => `  ${s}`).join('\n')}\n`);
        process.exitCode = EXIT.partial;
      } else {
        process.stderr.write(`generated/ is up to date (${r.files.size} files)\n`);
      }
    });
}
