// `kpr spec import`: drafts spec/<message>/<version>.yaml and merges spec/codelists/*.yaml
// from one official package. Prints what it wrote and the review notes (places where the
// official documents disagree, or where the importer read a restriction out of prose).
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { UserError } from '../../runtime/cli/program.ts';
import { ImportError } from './errors.ts';
import { importPackage } from './import.ts';

export function register(program: Command): void {
  const spec = program.commands.find((c) => c.name() === 'spec') ?? program.command('spec').description('Work with message specifications');
  spec
    .command('import')
    .description('Draft a message spec and its code lists from an official package (XSD, CodingSchemes, Annotations, Word text, usage table)')
    .requiredOption('--from <folder>', 'folder of one official package, e.g. .../message-spesifications/hst-56.0.0')
    .requiredOption('--message <id>', 'short message id used in paths: hst, iplos')
    .option('--out <folder>', 'the spec folder', 'spec')
    .option('--force', 'overwrite an existing message file (it may hold reviewed edits)', false)
    .action((opts: { from: string; message: string; out: string; force: boolean }) => {
      let result;
      try {
        result = importPackage({ from: resolve(opts.from), message: opts.message, out: resolve(opts.out), force: opts.force });
      } catch (err) {
        if (err instanceof ImportError) throw new UserError(`spec import: ${err.message}`);
        throw err;
      }
      const cwd = process.cwd();
      const rel = (p: string) => (p.startsWith(cwd + '/') ? p.slice(cwd.length + 1) : p);
      process.stdout.write(`imported ${rel(result.specFile)}\n`);
      for (const f of result.written) process.stdout.write(`  wrote ${rel(f)}\n`);
      if (result.written.length === 0) process.stdout.write('  nothing changed\n');
      if (result.notes.length) {
        process.stdout.write(`\n${result.notes.length} review notes (see docs/spec-import.md):\n`);
        for (const n of result.notes) process.stdout.write(`  ${n.where}: ${n.message}\n`);
      }
    });
}
