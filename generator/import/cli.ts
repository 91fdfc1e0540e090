// `kpr spec import`: drafts spec/<message>/<version>.yaml and merges spec/codelists/*.yaml
// from one official package (--from), or drafts a JSON message type from the JSON Schema a
// publisher's Swagger page serves (--json-schema). Prints what it wrote and the review notes
// (places where the official documents disagree, or where the importer read a restriction out
// of prose); a schema construct the spec cannot express is an error with file:line:col and its
// JSON pointer, and nothing is written.
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { EXIT, UserError } from '../../runtime/cli/program.ts';
import { formatDiagnostic } from '../diagnostics.ts';
import { displayPath } from '../load/index.ts';
import { ImportError, type Note } from './errors.ts';
import { importPackage } from './import.ts';
import { importJsonSchema } from './json-schema/import.ts';

interface Options {
  from?: string;
  jsonSchema?: string;
  message: string;
  version?: string;
  id?: string;
  root?: string;
  out: string;
  force: boolean;
}

function report(specFile: string, written: string[], notes: Note[]) {
  const cwd = process.cwd();
  const rel = (p: string) => (p.startsWith(`${cwd}/`) ? p.slice(cwd.length + 1) : p);
  process.stdout.write(`imported ${rel(specFile)}\n`);
  for (const f of written) process.stdout.write(`  wrote ${rel(f)}\n`);
  if (written.length === 0) process.stdout.write('  nothing changed\n');
  if (notes.length) {
    process.stdout.write(`\n${notes.length} review notes (see docs/spec-import.md):\n`);
    for (const n of notes) process.stdout.write(`  ${n.where}: ${n.message}\n`);
  }
}

function fromJsonSchema(opts: Options) {
  if (!opts.version) throw new UserError('spec import --json-schema needs --version (the msg_version as published, e.g. 1)');
  const file = resolve(opts.jsonSchema!);
  const r = importJsonSchema({
    schema: displayPath(file),
    messageType: opts.message,
    version: opts.version,
    id: opts.id,
    rootName: opts.root,
    out: resolve(opts.out),
    force: opts.force,
  });
  if (r.diagnostics.length) {
    for (const d of r.diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
    process.stderr.write(`${r.diagnostics.length} construct${r.diagnostics.length === 1 ? '' : 's'} the spec format cannot express; nothing written\n`);
    process.exitCode = EXIT.partial;
    return;
  }
  report(r.specFile!, r.written, r.notes);
}

export function register(program: Command): void {
  const spec = program.commands.find((c) => c.name() === 'spec') ?? program.command('spec').description('Work with message specifications');
  spec
    .command('import')
    .description(
      'Draft a message spec: from an official package (--from: XSD, CodingSchemes, Annotations, Word text, usage table), ' +
        'or a JSON message type from its JSON Schema (--json-schema, draft-07, 2019-09 or 2020-12)',
    )
    .option('--from <folder>', 'folder of one official package, e.g. .../message-spesifications/hst-56.0.0')
    .option('--json-schema <file>', "a JSON message type's schema, as the publisher's Swagger page serves it")
    .requiredOption('--message <name>', 'with --from: the short id used in paths (hst, iplos); with --json-schema: the official type name (HST_Konsultasjon)')
    .option('--version <v>', 'with --json-schema: the msg_version as published, e.g. 1')
    .option('--id <id>', 'with --json-schema: the short id used in paths (default: the type name in lower case, _ as -)')
    .option('--root <name>', "with --json-schema: the root class's name when the schema does not name it")
    .option('--out <folder>', 'the spec folder', 'spec')
    .option('--force', 'overwrite an existing message file (it may hold reviewed edits)', false)
    .action((opts: Options) => {
      if (!!opts.from === !!opts.jsonSchema) throw new UserError('spec import needs one of --from <folder> or --json-schema <file>');
      try {
        if (opts.jsonSchema) return fromJsonSchema(opts);
        const result = importPackage({ from: resolve(opts.from!), message: opts.message, out: resolve(opts.out), force: opts.force });
        report(result.specFile, result.written, result.notes);
      } catch (err) {
        if (err instanceof ImportError) throw new UserError(`spec import: ${err.message}`);
        throw err;
      }
    });
}
