// `kpr spec diff` and `kpr spec new`: what changed between two versions of a message, and the
// next version scaffolded from the previous one.
import { join } from 'node:path';
import { Option, type Command } from 'commander';
import { EXIT, UserError } from '../../runtime/cli/program.ts';
import { displayPath, loadSpecFile, loadCodeLists } from '../load/index.ts';
import { formatDiagnostic } from '../diagnostics.ts';
import { scaffoldVersion, ScaffoldError, writeScaffold } from '../scaffold/new-version.ts';
import { templateFromFile } from '../templates/index.ts';
import { SEVERITIES, type ChangeSeverity } from './change.ts';
import { diffSpecs, failsOn } from './index.ts';
import { renderJson, renderMarkdown, renderText } from './render.ts';
import { DEFAULT_SPEC_DIR, loadSpecRef, SpecRefError } from './resolve.ts';

function specCommand(program: Command): Command {
  return program.commands.find((c) => c.name() === 'spec') ?? program.command('spec').description('Work with message specifications');
}

export function register(program: Command): void {
  const spec = specCommand(program);

  spec
    .command('diff')
    .description('Show what changed between two versions of a message, and what breaks for senders')
    .argument('<old>', 'older version: <message>@<version> (e.g. hst@56.0.0) or a path to a spec file')
    .argument('<new>', 'newer version, as <old>')
    .addOption(new Option('--format <format>', 'output format').choices(['md', 'json', 'text']).default('text'))
    .addOption(new Option('--fail-on <severity>', 'exit with code 1 when a change of this severity or worse is present').choices([...SEVERITIES]))
    .option('--template <file>', 'your own Handlebars template for --format md (see generator/templates/diff.md.hbs)')
    .option('--spec-dir <dir>', 'spec root that <message>@<version> refers to', DEFAULT_SPEC_DIR)
    .action((oldRef: string, newRef: string, opts: { format: 'md' | 'json' | 'text'; failOn?: ChangeSeverity; template?: string; specDir: string }) => {
      const [a, b] = [oldRef, newRef].map((ref) => {
        try {
          return loadSpecRef(ref, opts.specDir);
        } catch (err) {
          if (err instanceof SpecRefError) throw new UserError(err.message);
          throw err;
        }
      });
      const changes = diffSpecs(a, b);
      let out: string;
      if (opts.format === 'json') out = renderJson(a, b, changes);
      else if (opts.format === 'md' || opts.template) out = renderMarkdown(a, b, changes, opts.template ? ownTemplate(opts.template) : undefined);
      else out = renderText(a, b, changes);
      process.stdout.write(out);
      if (opts.failOn && failsOn(changes, opts.failOn)) process.exitCode = EXIT.partial;
    });

  spec
    .command('new')
    .description('Scaffold the next version of a message from the previous one, ready to edit (never overwrites)')
    .argument('<message>', 'message id, e.g. hst or hst-avtale')
    .argument('<version>', 'the new version, e.g. 57.0.0 (a JSON message type: 2)')
    .requiredOption('--from <version>', 'the version to start from, e.g. 56.0.0')
    .requiredOption('--valid-from <date>', 'Gjelder fra og med, YYYY-MM-DD')
    .option('--published <date>', 'Utgitt dato, YYYY-MM-DD (default: today)')
    .option('--status <text>', 'status on the title page', 'Utkast')
    .option('--spec-dir <dir>', 'spec root holding <message>/<version>.yaml', DEFAULT_SPEC_DIR)
    .action((message: string, version: string, opts: { from: string; validFrom: string; published?: string; status: string; specDir: string }) => {
      try {
        const s = scaffoldVersion({
          specDir: opts.specDir,
          message,
          version,
          from: opts.from,
          validFrom: opts.validFrom,
          published: opts.published ?? new Date().toISOString().slice(0, 10),
          status: opts.status,
        });
        writeScaffold(s);
        const lines = [`wrote ${displayPath(s.file)}`, ...s.edits.map((e) => `  ${e.key}: ${e.from} → ${e.to}`)];
        // Load what we wrote, so the maintainer learns at once if the start is not clean.
        const r = loadSpecFile(s.file, loadCodeLists(join(opts.specDir, 'codelists')).value ?? new Map());
        for (const d of r.diagnostics) lines.push(formatDiagnostic(d));
        lines.push(`next: edit it, then run kpr spec diff ${message}@${opts.from} ${message}@${version}`);
        process.stdout.write(`${lines.join('\n')}\n`);
      } catch (err) {
        if (err instanceof ScaffoldError) throw new UserError(err.message);
        throw err;
      }
    });
}

function ownTemplate(file: string) {
  try {
    return templateFromFile(file);
  } catch (err) {
    throw new UserError(`cannot use template ${file}: ${(err as Error).message}`);
  }
}
