// `kpr mapping template | compile` and `kpr map`: the EPJ vendor's commands for writing a mapping,
// checking it against the spec, and applying it to an extract.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { EXIT, UserError } from '../cli/program.ts';
import { loadMapping } from './apply.ts';
import { compileMappingFile } from './compile.ts';
import { formatMappingDiagnostic, hasMappingErrors, MappingError, type MappingDiagnostic } from './diagnostics.ts';
import { mapStream } from './stream.ts';
import { generatedDir, parseSpecRef } from '../spec/target.ts';

/** The `mapping` command group, created by whichever part registers first. */
export function mappingCommand(program: Command): Command {
  return program.commands.find((c) => c.name() === 'mapping') ?? program.command('mapping').description('Write and check mappings from EPJ records to KPR messages');
}

function printDiagnostics(ds: MappingDiagnostic[]): void {
  for (const d of ds) process.stderr.write(`${formatMappingDiagnostic(d)}\n`);
}

function summary(ds: MappingDiagnostic[]): string {
  const e = ds.filter((d) => d.severity === 'error').length;
  const w = ds.length - e;
  return `${e} error${e === 1 ? '' : 's'}, ${w} warning${w === 1 ? '' : 's'}`;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function register(program: Command): void {
  const mapping = mappingCommand(program);

  mapping
    .command('template')
    .description('Print a mapping scaffold for a spec version: every target attribute with its type, cardinality, codes and notes')
    .argument('<spec>', 'message@version, e.g. hst@56.0.0')
    .option('--generated <dir>', 'folder of generated artefacts (default: generated/)')
    .action((spec: string, opts: { generated?: string }) => {
      const p = parseSpecRef(spec);
      if (!p) throw new UserError(`"${spec}" is not of the form message@version (e.g. hst@56.0.0)`);
      const file = join(generatedDir(opts.generated), p.message, p.version, 'mapping-template.yaml');
      if (!existsSync(file)) throw new UserError(`${spec} has no mapping template in ${generatedDir(opts.generated)}; run \`npx kpr spec build\``);
      process.stdout.write(readFileSync(file, 'utf8'));
    });

  mapping
    .command('compile')
    .description('Check a mapping against its spec (file:line:col diagnostics; exit 1 on errors) and optionally emit it as a typed TypeScript module')
    .argument('<mapping>', 'the mapping YAML')
    .option('--out <dir>', 'write the compiled TypeScript module (mapping.ts) here')
    .option('--generated <dir>', 'folder of generated artefacts (default: generated/)')
    .action(async (file: string, opts: { out?: string; generated?: string }) => {
      const r = compileMappingFile(file, { generated: opts.generated });
      printDiagnostics(r.diagnostics);
      if (!r.plan || hasMappingErrors(r.diagnostics)) {
        process.stderr.write(`${file}: ${summary(r.diagnostics)}\n`);
        process.exitCode = EXIT.partial;
        return;
      }
      let written = '';
      if (opts.out) {
        const { writeMappingModule } = await import('./emit-ts.ts');
        written = `; wrote ${writeMappingModule(r.plan, opts.out)}`;
      }
      process.stderr.write(`${file}: ok for ${r.plan.spec} (${summary(r.diagnostics)})${written}\n`);
      process.exitCode = EXIT.ok;
    });

  program
    .command('map')
    .description('Apply a mapping to an NDJSON extract: each line becomes a Konsultasjon (JSON form) in --out, or a rejection in --rejects; exit 1 when any line was rejected')
    .requiredOption('--mapping <file>', 'the mapping YAML')
    .requiredOption('--in <file>', 'the EPJ extract, one JSON record per line')
    .requiredOption('--out <file>', 'where the Konsultasjoner go (NDJSON; annulments as {"annul": {...}})')
    .requiredOption('--rejects <file>', 'where rejections go (NDJSON: sourceId, line, path, rule, message, consequence)')
    .option('--warnings <file>', 'where warnings go (NDJSON; e.g. REC4006 growth-implausible)')
    .option('--extract-date <date>', 'the extract date (uttakDato), YYYY-MM-DD; default today in Oslo')
    .option('--max-line-bytes <n>', 'reject lines longer than this', '1048576')
    .option('--strict', 'hold back every record with a finding, not only those the receiver would discard (docs/consequences.md)')
    .option('--generated <dir>', 'folder of generated artefacts (default: generated/)')
    .action(
      async (opts: {
        mapping: string;
        in: string;
        out: string;
        rejects: string;
        warnings?: string;
        extractDate?: string;
        maxLineBytes: string;
        generated?: string;
        strict?: boolean;
      }) => {
        if (opts.extractDate !== undefined && !DATE.test(opts.extractDate)) throw new UserError(`--extract-date must be YYYY-MM-DD, not "${opts.extractDate}"`);
        const maxLineBytes = Number(opts.maxLineBytes);
        if (!Number.isInteger(maxLineBytes) || maxLineBytes < 1) throw new UserError(`--max-line-bytes must be a positive whole number`);
        if (!existsSync(opts.in)) throw new UserError(`${opts.in}: no such file`);
        let mapper: Awaited<ReturnType<typeof loadMapping>>;
        try {
          mapper = await loadMapping(opts.mapping, { generated: opts.generated, extractDate: opts.extractDate, profile: opts.strict ? 'strict' : 'receiver' });
        } catch (err) {
          if (err instanceof MappingError) {
            printDiagnostics(err.diagnostics);
            throw new UserError(`${opts.mapping} has errors (${summary(err.diagnostics)}); nothing mapped`);
          }
          throw err;
        }
        const started = performance.now();
        const c = await mapStream({ apply: mapper.apply, input: opts.in, out: opts.out, rejects: opts.rejects, warnings: opts.warnings, maxLineBytes });
        const secs = (performance.now() - started) / 1000;
        process.stderr.write(
          `${c.lines} lines: ${c.konsultasjoner} konsultasjoner, ${c.annulments} annulments, ${c.rejected} rejected, ${c.warnings} warnings ` +
            `(${Math.round(c.lines / Math.max(secs, 1e-9))} lines/s)\n`,
        );
        process.exitCode = c.rejected ? EXIT.partial : EXIT.ok;
      },
    );
}
