// `kpr mapping check mapping.yaml --spec hst@<other>`: the one mapping command that needs the
// spec model and the spec diff, so it lives on the generator's side of the wall.

import type { Command } from 'commander';
import { EXIT, UserError } from '../../runtime/cli/program.ts';
import { formatMappingDiagnostic, hasMappingErrors } from '../../runtime/mapping/diagnostics.ts';
import { mappingCommand } from '../../runtime/mapping/cli.ts';
import { parseSpecRef } from '../../runtime/spec/target.ts';
import { DEFAULT_SPEC_DIR } from '../diff/resolve.ts';
import { checkMappingAgainst } from './check-spec.ts';

export function register(program: Command): void {
  mappingCommand(program)
    .command('check')
    .description('List what a mapping must change to target another spec version (uses the spec diff when both specs exist); exit 1 when it would not compile there')
    .argument('<mapping>', 'the mapping YAML')
    .requiredOption('--spec <ref>', 'the other version, e.g. hst@57.0.0')
    .option('--spec-dir <dir>', 'spec root holding <message>/<version>.yaml', DEFAULT_SPEC_DIR)
    .option('--generated <dir>', 'folder of generated artefacts (default: generated/)')
    .action((file: string, opts: { spec: string; specDir: string; generated?: string }) => {
      if (!parseSpecRef(opts.spec)) throw new UserError(`--spec must be message@version, not "${opts.spec}"`);
      const r = checkMappingAgainst(file, opts.spec, opts);
      for (const d of r.diagnostics) process.stderr.write(`${formatMappingDiagnostic(d)}\n`);
      const errors = r.diagnostics.filter((d) => d.severity === 'error').length;
      process.stderr.write(
        `${file} against ${opts.spec}: ${errors} error${errors === 1 ? '' : 's'}` +
          (r.diffed ? `, ${r.changes.length} spec change${r.changes.length === 1 ? '' : 's'} touch this mapping\n` : ' (no spec diff: checked against the other version alone)\n'),
      );
      process.exitCode = hasMappingErrors(r.diagnostics) ? EXIT.partial : EXIT.ok;
    });
}
