// The one `kpr` command. Each part of kpr-kit registers the commands it owns; this file only
// assembles them and turns thrown errors into exit codes.
import { Command, CommanderError } from 'commander';
import { EXIT, UserError, type Registrar } from '../runtime/cli/program.ts';
// Which module registers which top-level commands. Only the modules of the command being run are
// loaded (each import costs start-up time); `kpr --help` and unknown commands load them all.
// To add commands: one line here, with the names your module's register() adds ('spec diff' for a
// subcommand of a group, so `kpr spec check` need not load the diff engine).
const registrars: [commands: string[], load: () => Promise<{ register: Registrar }>][] = [
  [['spec lint', 'spec build', 'spec check'], () => import('../generator/cli.ts')],
  [['spec import'], () => import('../generator/import/cli.ts')],
  [['spec diff', 'spec new'], () => import('../generator/diff/cli.ts')],
  [['xml'], () => import('../runtime/message/xml-command.ts')],
  [['demo'], () => import('../runtime/demo/command.ts')],
  [['init'], () => import('../runtime/init/command.ts')],
  [['report'], () => import('../runtime/report/command.ts')],
  [['token'], () => import('../runtime/transport/cli-helseid.ts')],
  [['sandbox'], () => import('../runtime/sandbox/cli.ts')],
  [['seal', 'unseal', 'cert'], () => import('../runtime/transport/cli-cms.ts')],
  [['slash'], () => import('../runtime/transport/cli-slash.ts')],
  [['demo-data'], () => import('../runtime/demo-data/command.ts')],
  [['mapping', 'map'], () => import('../runtime/mapping/cli.ts')],
  [['mapping'], () => import('../generator/mapping/cli.ts')],
  [['run', 'backfill', 'resend', 'status', 'errors'], () => import('../runtime/jobs/cli.ts')],
];

export async function main(argv: string[]): Promise<number> {
  const program = new Command('kpr')
    .description('kpr-kit: report consultations from helsestasjon and skolehelsetjeneste to KPR')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  const [first, second] = argv.slice(2).filter((a) => !a.startsWith('-'));
  const exact = registrars.filter(([names]) => names.includes(first) || names.includes(`${first} ${second}`));
  // `kpr spec --help` and the like: every module of the group.
  const chosen = exact.length ? exact : registrars.filter(([names]) => names.some((n) => n.split(' ')[0] === first));
  for (const [, load] of chosen.length ? chosen : registrars) (await load()).register(program);
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
