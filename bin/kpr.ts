// The one `kpr` command. Each part of kpr-kit registers the commands it owns; this file only
// assembles them and turns thrown errors into exit codes.
import { Command, CommanderError } from 'commander';
import { EXIT, UserError, type Registrar } from '../runtime/cli/program.ts';
import { register as registerSpec } from '../generator/cli.ts';
import { register as registerSpecImport } from '../generator/import/cli.ts';
import { register as registerSpecDiff } from '../generator/diff/cli.ts';
import { register as registerXml } from '../runtime/message/xml-command.ts';
import { register as registerDemo } from '../runtime/demo/command.ts';
import { register as registerToken } from '../runtime/transport/cli-helseid.ts';
import { register as registerSandbox } from '../runtime/sandbox/cli.ts';
import { register as registerCms } from '../runtime/transport/cli-cms.ts';
import { register as registerDemoData } from '../runtime/demo-data/command.ts';

const registrars: Registrar[] = [
  registerSpec,
  registerSpecImport,
  registerSpecDiff,
  registerXml,
  registerDemo,
  registerToken,
  registerSandbox,
  registerCms,
  registerDemoData,
];

export async function main(argv: string[]): Promise<number> {
  const program = new Command('kpr')
    .description('kpr-kit: report consultations from helsestasjon and skolehelsetjeneste to KPR')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const register of registrars) register(program);
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here with code 0.
      return err.exitCode === 0 ? EXIT.ok : EXIT.failed;
    }
    if (err instanceof UserError) {
      process.stderr.write(`kpr: ${err.message}\n`);
      return err.exitCode;
    }
    process.stderr.write(`kpr: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
    return EXIT.failed;
  }
}
