// The one `kpr` command. Each part of kpr-kit registers the commands it owns; this file only
// assembles them and turns thrown errors into exit codes.
import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { finishHelp } from '../runtime/cli/help.ts';
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
  [['token'], () => import('../runtime/transport/cli-helseid.ts')],
  [['sandbox'], () => import('../runtime/sandbox/cli.ts')],
  [['seal', 'unseal', 'cert'], () => import('../runtime/transport/cli-cms.ts')],
  [['slash'], () => import('../runtime/transport/cli-slash.ts')],
  [['demo-data'], () => import('../runtime/demo-data/command.ts')],
  [['mapping', 'map'], () => import('../runtime/mapping/cli.ts')],
  [['mapping'], () => import('../generator/mapping/cli.ts')],
  // The operator's commands, over a kpr.yaml or a tenants file (runtime/jobs/cli.ts and
  // runtime/report/command.ts, given the tenants' side).
  [['run', 'backfill', 'resend', 'status', 'errors', 'report'], () => import('../runtime/tenants/operator-cli.ts')],
  [['store', 'store migrate'], () => import('../runtime/tenants/store-cli.ts')],
  [['tenants', 'tenants check'], () => import('../runtime/tenants/cli.ts')],
  [['enqueue', 'worker', 'queue', 'queue list', 'queue migrate'], () => import('../runtime/workers/cli.ts')],
];

/**
 * One line per top-level command for `kpr --help`, so listing the commands loads none of their
 * modules (some pull in compilers and code generators). test/cli/help.test.ts checks that every
 * registered top-level command has its line here.
 */
export const SUMMARIES: Record<string, string> = {
  demo: 'the end-to-end demo, offline: synthetic EPJ data to the local sandbox, then a summary',
  init: 'write a kpr.yaml to start from, or a complete offline sandbox setup',
  run: 'the daily run: send everything changed in the EPJ since the last run',
  backfill: 'send all consultations since 2017-01-01 (or a window), resumably',
  status: 'messages by state, the last run, the chain, rejected records, certificate expiry',
  errors: 'every rejected record and every message the receiver rejected',
  report: 'write a self-contained HTML report for operators',
  resend: 'after fixing a configuration error: send or queue a message again',
  tenants: "check a vendor's tenants file: many reporting units, one store",
  store: 'PostgreSQL: apply the schema migrations, move a SQLite store (kpr.db) in',
  enqueue: "add a vendor's daily runs or backfills to the work queue (PostgreSQL)",
  worker: 'claim and run work items from the queue: any number, on any machine',
  queue: "the work queue: every tenant's items and state; its schema migrations",
  token: 'fetch an access token from HelseID and show its claims',
  cert: 'inspect certificates (expiry, key usage); make a TEST PKI',
  mapping: 'write and check mappings from EPJ records to KPR messages',
  map: 'apply a mapping to an NDJSON extract',
  sandbox: 'run local stand-ins for HelseID and the KPR API',
  xml: 'JSON-form Melding to XML and back, validated',
  'demo-data': 'write a synthetic demo-EPJ extract (NDJSON)',
  seal: 'sign and encrypt a payload (CMS)',
  unseal: 'decrypt and verify a sealed message (CMS)',
  slash: "FHI's SLASH messages: encrypt, decrypt, read a proof, fetch /keys",
  spec: 'lint, build, check, import, diff and scaffold message specifications',
};

/** The program with the modules `argv` needs: none for the command list, all with `all` (tests) or for an unknown command. */
export async function buildProgram(argv: string[], opts: { all?: boolean } = {}): Promise<Command> {
  const program = new Command('kpr')
    .description('kpr-kit: report consultations from helsestasjon and skolehelsetjeneste to KPR')
    .version(version(), '-V, --version', 'print the version of kpr-kit')
    // `kpr --version` only before a command: after one, --version is that command's (spec import's).
    .enablePositionalOptions()
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .addHelpText(
      'after',
      '\nEvery command has --help. Exit codes: 0 done, 1 done but some input was rejected, 2 failed.\nStart with: npx kpr demo, or npx kpr init --profile sandbox --dir my-setup',
    );
  const [first, second] = argv.slice(2).filter((a) => !a.startsWith('-'));
  if (first === undefined && !opts.all) {
    for (const [name, summary] of Object.entries(SUMMARIES)) program.command(name).summary(summary);
    finishHelp(program);
    return program;
  }
  const exact = opts.all ? [] : registrars.filter(([names]) => names.includes(first) || names.includes(`${first} ${second}`));
  // `kpr spec --help` and the like: every module of the group.
  const chosen = exact.length ? exact : registrars.filter(([names]) => names.some((n) => n.split(' ')[0] === first));
  for (const [, load] of chosen.length ? chosen : registrars) (await load()).register(program);
  finishHelp(program);
  return program;
}

/** package.json's version, read once at start (no JSON import: the built bundle reads the same file). */
function version(): string {
  return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

export async function main(argv: string[]): Promise<number> {
  // `kpr --help | head`: the reader left; that is not an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(EXIT.ok);
    throw err;
  });
  const program = await buildProgram(argv);
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
    const fs = fileSystemError(err);
    if (fs) {
      process.stderr.write(`kpr: ${fs}\n`);
      return EXIT.failed;
    }
    process.stderr.write(`kpr: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
    return EXIT.failed;
  }
}

/** What the file system said about a path, in words: a wrong path is the user's to fix, not a bug to trace. */
const FS_CODES: Record<string, string> = {
  ENOENT: 'no such file or folder',
  ENOTDIR: 'a file is where a folder is needed',
  EISDIR: 'a folder is where a file is needed',
  EEXIST: 'a file is already there',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOSPC: 'no space left on the device',
  EROFS: 'read-only file system',
  ENAMETOOLONG: 'the name is too long',
};

export function fileSystemError(err: unknown): string | undefined {
  const e = err as NodeJS.ErrnoException | undefined;
  if (!e || typeof e.code !== 'string' || !(e.code in FS_CODES) || typeof e.path !== 'string') return undefined;
  return `${e.path}: ${FS_CODES[e.code]} (${e.code}${e.syscall ? ` in ${e.syscall}` : ''})`;
}
